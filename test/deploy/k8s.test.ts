// Static checks of k8s/: every object is validated against the Kubernetes OpenAPI schemas shipped
// by kubernetes-models, for the base and for the rendered dev and prod overlays. No cluster needed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace, type INamespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { PG_SERVICES, SERVICES, UPSTREAMS, requiredEnv, type ServiceSpec } from './platform';
import { applyJson6902, build, readKustomization, readYamlDocs, splitImage, type Json, type K8sObject } from './kustomize';

const root = join(__dirname, '..', '..');
const K8S = join(root, 'k8s');
const NAMESPACE = 'social-platform';
const SECRET = 'platform-secrets';

// ---------------------------------------------------------------------------------------------
// Schema validation through kubernetes-models: each class validates against the OpenAPI schema of
// its kind (Ajv under the hood) and throws with the failing paths.
type Validatable = new (data: never) => { validate(): void };
const MODELS: Record<string, Validatable> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

function validateObject(o: unknown): void {
  const obj = o as Partial<K8sObject>;
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no schema for ${String(obj.apiVersion)} ${String(obj.kind)}`);
  new Model(structuredClone(obj) as never).validate();
}

// ---------------------------------------------------------------------------------------------
// Helpers.
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

/** Kubernetes quantities to numbers (cores or bytes). */
function quantity(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  const m = /^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`bad quantity ${q}`);
  const unit: Record<string, number> = { m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return Number(m[1]) * (m[2] ? unit[m[2]] : 1);
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

// Git-ignored dev key files get a stand-in PEM when absent, so the dev overlay still renders here.
const missingFile = (path: string): string =>
  `-----BEGIN PUBLIC KEY-----\nTEST-STAND-IN-FOR-${basename(path)}\n-----END PUBLIC KEY-----\n`;

const RENDERS = {
  base: build(join(K8S, 'base')),
  dev: build(join(K8S, 'overlays', 'dev'), { missingFile }),
  prod: build(join(K8S, 'overlays', 'prod')),
};
type RenderName = keyof typeof RENDERS;

class View {
  constructor(readonly objects: K8sObject[]) {}
  all<T>(kind: string): T[] {
    return this.objects.filter((o) => o.kind === kind) as unknown as T[];
  }
  find<T>(kind: string, name: string): T | undefined {
    return this.objects.find((o) => o.kind === kind && o.metadata.name === name) as unknown as T | undefined;
  }
  get<T>(kind: string, name: string): T {
    const found = this.find<T>(kind, name);
    if (!found) throw new Error(`missing ${kind}/${name}`);
    return found;
  }
  /**
   * The environment a container sees: plain values and ConfigMap keys resolved to their value,
   * Secret keys kept as references `secret:<name>/<key>`.
   */
  envOf(c: IContainer): Record<string, { value: string; from: 'literal' | 'configmap' | 'secret' }> {
    const out: Record<string, { value: string; from: 'literal' | 'configmap' | 'secret' }> = {};
    for (const src of c.envFrom ?? []) {
      if (src.secretRef) throw new Error(`${c.name}: envFrom a whole Secret; use secretKeyRef per key`);
      const cm = this.get<IConfigMap>('ConfigMap', src.configMapRef!.name!);
      for (const [k, v] of Object.entries(cm.data ?? {})) out[`${src.prefix ?? ''}${k}`] = { value: v, from: 'configmap' };
    }
    for (const e of c.env ?? []) {
      if (e.value !== undefined) out[e.name] = { value: e.value, from: 'literal' };
      else if (e.valueFrom?.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        out[e.name] = { value: `secret:${ref.name}/${ref.key}`, from: 'secret' };
      } else if (e.valueFrom?.configMapKeyRef) {
        const ref = e.valueFrom.configMapKeyRef;
        const v = this.get<IConfigMap>('ConfigMap', ref.name!).data?.[ref.key];
        if (v === undefined) throw new Error(`${c.name}: ${e.name} refers to missing ${ref.name}/${ref.key}`);
        out[e.name] = { value: v, from: 'configmap' };
      } else throw new Error(`${c.name}: ${e.name} has no value source this check understands`);
    }
    return out;
  }
  /** Pod specs of every workload (Deployments and Jobs), with the owner's name. */
  podSpecs(): Array<{ owner: string; spec: IPodSpec; labels: Record<string, string> }> {
    return [...this.all<IDeployment>('Deployment'), ...this.all<IJob>('Job')].map((w) => ({
      owner: `${w.kind}/${w.metadata!.name}`,
      spec: w.spec!.template.spec!,
      labels: (w.spec!.template.metadata?.labels ?? {}) as Record<string, string>,
    }));
  }
}

const views: Record<RenderName, View> = {
  base: new View(RENDERS.base),
  dev: new View(RENDERS.dev),
  prod: new View(RENDERS.prod),
};

// ---------------------------------------------------------------------------------------------
describe('k8s/: YAML sources', () => {
  const files = yamlFiles(K8S);
  const manifests = files.filter((f) => basename(f) !== 'kustomization.yaml');

  it('has a kustomize base and the dev and prod overlays', () => {
    const rel = files.map((f) => relative(K8S, f));
    for (const k of ['base/kustomization.yaml', 'overlays/dev/kustomization.yaml', 'overlays/prod/kustomization.yaml']) {
      expect(rel).toContain(k);
    }
    for (const o of ['dev', 'prod']) expect(readKustomization(join(K8S, 'overlays', o)).resources).toEqual(['../../base']);
  });

  it.each(manifests.map((f) => [relative(K8S, f), f]))('%s: every document is a schema-valid Kubernetes object', (_rel, file) => {
    const docs = readYamlDocs(file);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(() => validateObject(doc)).not.toThrow();
  });

  it('lists every base manifest in the base kustomization, and nothing else', () => {
    const listed = (readKustomization(join(K8S, 'base')).resources ?? []).slice().sort();
    const present = manifests.filter((f) => f.startsWith(join(K8S, 'base'))).map((f) => basename(f)).sort();
    expect(listed).toEqual(present);
  });

  it('commits no Secret and no key material', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect([relative(K8S, f), /BEGIN [A-Z ]*PRIVATE KEY/.test(text)]).toEqual([relative(K8S, f), false]);
      expect([relative(K8S, f), readYamlDocs(f).some((d) => (d as K8sObject).kind === 'Secret')]).toEqual([relative(K8S, f), false]);
    }
  });

  it('keeps the dev key files that the secretGenerator reads out of git', () => {
    const dev = readKustomization(join(K8S, 'overlays', 'dev'));
    const files = dev.secretGenerator?.flatMap((g) => g.files ?? []) ?? [];
    expect(files.length).toBeGreaterThan(0);
    const ignore = readFileSync(join(K8S, 'overlays', 'dev', '.gitignore'), 'utf8').split('\n').map((l) => l.trim());
    const ignored = (name: string) => ignore.some((pattern) => (pattern.startsWith('*') ? name.endsWith(pattern.slice(1)) : name === pattern));
    for (const f of files) {
      const name = f.split('=').pop()!;
      expect(name).toMatch(/^[^/]+$/);
      expect([name, ignored(name)]).toEqual([name, true]);
    }
  });
});

describe('the validators reject broken objects', () => {
  const deployment = (): IDeployment => structuredClone(views.base.get<IDeployment>('Deployment', 'auth'));

  it('accepts the untouched Deployment', () => {
    expect(() => validateObject(deployment())).not.toThrow();
  });

  it('rejects a container without a name', () => {
    const d = deployment();
    delete (d.spec!.template.spec!.containers[0] as Partial<IContainer>).name;
    expect(() => validateObject(d)).toThrow(/containers\/0 must have required property '?name'?/);
  });

  it('rejects fields of the wrong type', () => {
    const d = deployment() as unknown as { spec: { replicas: unknown; template: { spec: { containers: Array<{ ports: Array<{ containerPort: unknown }> }> } } } };
    d.spec.replicas = 'three';
    d.spec.template.spec.containers[0].ports[0].containerPort = '3001';
    expect(() => validateObject(d)).toThrow(/spec\/replicas must be integer/);
    expect(() => validateObject(d)).toThrow(/containerPort must be integer/);
  });

  it('rejects a HorizontalPodAutoscaler without a scale target, and unknown kinds', () => {
    const h = structuredClone(views.base.get<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler', 'auth')) as unknown as { spec: Record<string, unknown> };
    delete h.spec.scaleTargetRef;
    expect(() => validateObject(h)).toThrow(/scaleTargetRef/);
    expect(() => validateObject({ apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'x' } })).toThrow(/no schema/);
  });

  it('the overlay renderer fails on patches that do not apply', () => {
    const doc = { spec: { minReplicas: 1 } } as { [k: string]: Json };
    expect(() => applyJson6902(doc, [{ op: 'replace', path: '/spec/maxReplicas', value: 3 }])).toThrow(/no such member/);
    expect(() => applyJson6902(doc, [{ op: 'remove', path: '/spec/template/spec' }])).toThrow(/does not exist/);
    applyJson6902(doc, [{ op: 'replace', path: '/spec/minReplicas', value: 3 }]);
    expect(doc).toEqual({ spec: { minReplicas: 3 } });
  });
});

describe.each(Object.keys(RENDERS) as RenderName[])('rendered %s', (render) => {
  const view = views[render];

  it('contains only schema-valid objects with unique names', () => {
    for (const o of view.objects) expect(() => validateObject(o)).not.toThrow();
    const ids = view.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it(`places everything in the ${NAMESPACE} namespace, which enforces the restricted Pod Security Standard`, () => {
    const ns = view.get<INamespace>('Namespace', NAMESPACE);
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const o of view.objects.filter((x) => x.kind !== 'Namespace')) {
      expect([o.kind, o.metadata.name, o.metadata.namespace]).toEqual([o.kind, o.metadata.name, NAMESPACE]);
    }
  });

  it('denies ingress by default', () => {
    const deny = view.get<INetworkPolicy>('NetworkPolicy', 'default-deny-ingress');
    expect(deny.spec?.podSelector).toEqual({});
    expect(deny.spec?.policyTypes).toEqual(['Ingress']);
    expect(deny.spec?.ingress ?? []).toEqual([]);
  });

  it('hardens every pod: non-root uid 1000, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp, /tmp on an emptyDir, sized resources', () => {
    const pods = view.podSpecs();
    expect(pods.length).toBe(SERVICES.length + PG_SERVICES.length + 1);
    for (const { owner, spec } of pods) {
      const where = (x: unknown) => [owner, x];
      expect(where(spec.securityContext?.runAsNonRoot)).toEqual(where(true));
      expect(where(spec.securityContext?.runAsUser)).toEqual(where(1000));
      expect(where(spec.securityContext?.seccompProfile?.type)).toEqual(where('RuntimeDefault'));
      expect(where(spec.automountServiceAccountToken)).toEqual(where(false));
      const tmp = (spec.volumes ?? []).find((v) => v.name === 'tmp');
      expect(where(tmp?.emptyDir !== undefined)).toEqual(where(true));
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const sc = c.securityContext ?? {};
        expect(where([sc.runAsNonRoot, sc.runAsUser, sc.readOnlyRootFilesystem, sc.allowPrivilegeEscalation, sc.privileged ?? false]))
          .toEqual(where([true, 1000, true, false, false]));
        expect(where(sc.capabilities?.drop)).toEqual(where(['ALL']));
        expect(where(sc.capabilities?.add ?? [])).toEqual(where([]));
        expect(where(sc.seccompProfile?.type ?? spec.securityContext?.seccompProfile?.type)).toEqual(where('RuntimeDefault'));
        expect(where((c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp')?.name)).toEqual(where('tmp'));
        const r = c.resources ?? {};
        for (const res of ['cpu', 'memory']) {
          const req = quantity(r.requests?.[res] as string | undefined);
          const lim = quantity(r.limits?.[res] as string | undefined);
          expect(where([res, req > 0, lim >= req])).toEqual(where([res, true, true]));
        }
      }
    }
  });

  it('reads secrets only from platform-secrets, key by key', () => {
    for (const { owner, spec } of view.podSpecs()) {
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          if (e.valueFrom?.secretKeyRef) expect([owner, e.name, e.valueFrom.secretKeyRef.name]).toEqual([owner, e.name, SECRET]);
        }
        expect([owner, (c.envFrom ?? []).some((s) => s.secretRef)]).toEqual([owner, false]);
      }
    }
  });

  describe.each(SERVICES.map((s) => [s.name, s] as const))('%s', (name, spec: ServiceSpec) => {
    const deployment = () => view.get<IDeployment>('Deployment', name);
    const container = () => {
      const containers = deployment().spec!.template.spec!.containers;
      expect(containers).toHaveLength(1);
      return containers[0];
    };
    const podLabels = () => deployment().spec!.template.metadata!.labels as Record<string, string>;

    it('has a Deployment, Service, ConfigMap, HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy', () => {
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
        expect([kind, view.find(kind, name) !== undefined]).toEqual([kind, true]);
      }
      expect(view.find('ConfigMap', `${name}-config`)).toBeDefined();
    });

    it('runs its compiled entry point from the platform image, with the replica count left to the HPA', () => {
      const d = deployment();
      expect(d.spec?.replicas).toBeUndefined();
      expect(selects(d.spec?.selector.matchLabels, podLabels())).toBe(true);
      const c = container();
      expect(c.name).toBe(name);
      expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['node', `dist/apps/${name}/src/main.js`]);
      expect(splitImage(c.image!).name).toMatch(/(^|\/)social-platform$/);
      expect(c.ports).toEqual([{ name: 'http', containerPort: spec.port, protocol: 'TCP' }]);
    });

    it('probes /health/live (startup, liveness) and /health/ready (readiness) on its port', () => {
      const c = container();
      const port = (p: string | number | undefined) => (p === 'http' ? spec.port : p);
      expect([c.startupProbe?.httpGet?.path, port(c.startupProbe?.httpGet?.port)]).toEqual(['/health/live', spec.port]);
      expect([c.livenessProbe?.httpGet?.path, port(c.livenessProbe?.httpGet?.port)]).toEqual(['/health/live', spec.port]);
      expect([c.readinessProbe?.httpGet?.path, port(c.readinessProbe?.httpGet?.port)]).toEqual(['/health/ready', spec.port]);
      // The startup probe gives the process time to boot before liveness can restart it.
      const startupBudget = (c.startupProbe?.periodSeconds ?? 10) * (c.startupProbe?.failureThreshold ?? 3);
      expect(startupBudget).toBeGreaterThanOrEqual(30);
    });

    it('gets every variable it needs, secrets from platform-secrets and the rest from ConfigMaps', () => {
      const env = view.envOf(container());
      for (const key of requiredEnv(spec)) {
        expect([key, env[key]?.value ?? '']).toEqual([key, expect.stringMatching(/\S/)]);
        const expectedSource = spec.secretEnv.includes(key) ? 'secret' : 'configmap';
        expect([key, env[key].from]).toEqual([key, expectedSource]);
      }
      expect(env.PORT.value).toBe(String(spec.port));
      expect(env.NODE_ENV.value).toBe('production');
      expect(env.KAFKA_IDEMPOTENT.value).toBe('true');
      for (const broker of env.KAFKA_BROKERS.value.split(',')) expect(broker).toMatch(/^[a-z0-9.-]+:\d+$/);
      if (spec.store === 'postgres') {
        expect(env.OUTBOX_RETENTION_HOURS.value).toBe('24');
        expect(env.DATABASE_URL.value).toBe(`secret:${SECRET}/${name.toUpperCase()}_DATABASE_URL`);
      }
      if (spec.store === 'mongo') expect(env.MONGODB_URL.value).toBe(`secret:${SECRET}/${name.toUpperCase()}_MONGODB_URL`);
      if (spec.store !== 'postgres') expect(env.DATABASE_URL).toBeUndefined();
      if (spec.store !== 'mongo') expect(env.MONGODB_URL).toBeUndefined();
      if (name !== 'auth') expect(env.JWT_PRIVATE_KEY).toBeUndefined();
    });

    it('is reachable through a ClusterIP Service on its port', () => {
      const svc = view.get<IService>('Service', name);
      expect(selects(svc.spec?.selector, podLabels())).toBe(true);
      expect(svc.spec?.ports).toHaveLength(1);
      const p = svc.spec!.ports![0];
      expect([p.name, p.port, p.targetPort]).toEqual(['http', spec.port, 'http']);
    });

    it('autoscales on CPU and keeps pods through voluntary disruptions', () => {
      const hpa = view.get<Required<IHorizontalPodAutoscaler>>('HorizontalPodAutoscaler', name);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas!);
      expect(hpa.spec.metrics?.map((m) => m.resource?.name)).toContain('cpu');
      const pdb = view.get<IPodDisruptionBudget>('PodDisruptionBudget', name);
      expect(selects(pdb.spec?.selector?.matchLabels, podLabels())).toBe(true);
      expect(pdb.spec?.maxUnavailable ?? pdb.spec?.minAvailable).toBeDefined();
      // With minAvailable a single-replica deployment could never be drained.
      if (pdb.spec?.minAvailable !== undefined) expect(Number(pdb.spec.minAvailable)).toBeLessThan(hpa.spec.minReplicas!);
    });

    it('admits traffic only from its callers (edge: ingress controller) and from monitoring, on its port only', () => {
      const np = view.get<INetworkPolicy>('NetworkPolicy', name);
      expect(selects(np.spec?.podSelector.matchLabels, podLabels())).toBe(true);
      expect(np.spec?.policyTypes).toContain('Ingress');
      const rules = np.spec?.ingress ?? [];
      const sources = rules.map((r) => {
        expect(r.ports).toEqual([{ protocol: 'TCP', port: spec.port }]);
        expect(r.from?.length).toBeGreaterThan(0);
        return (r.from ?? []).map((peer) => {
          if (peer.ipBlock) return 'ipBlock';
          const ns = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
          if (ns) return peer.podSelector ? `namespace:${ns}+pods` : `namespace:${ns}`;
          return `pods:${peer.podSelector?.matchLabels?.['app.kubernetes.io/name']}`;
        });
      }).flat().sort();
      expect(sources).toEqual(name === 'edge' ? ['namespace:ingress-nginx', 'namespace:monitoring'] : ['namespace:monitoring', 'pods:edge']);
      if (name !== 'edge') {
        const edgePods = view.get<IDeployment>('Deployment', 'edge').spec!.template.metadata!.labels as Record<string, string>;
        const fromEdge = rules.flatMap((r) => r.from ?? []).find((peer) => peer.podSelector && !peer.namespaceSelector);
        expect(selects(fromEdge?.podSelector?.matchLabels, edgePods)).toBe(true);
      }
    });

    it('announces /metrics on its port for scraping', () => {
      const annotations = deployment().spec!.template.metadata!.annotations ?? {};
      expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(spec.port), 'prometheus.io/path': '/metrics' });
    });
  });

  it('routes the edge to every upstream through its Service', () => {
    const env = view.envOf(view.get<IDeployment>('Deployment', 'edge').spec!.template.spec!.containers[0]);
    for (const u of UPSTREAMS) {
      const svc = view.get<IService>('Service', u);
      expect(env[`${u.toUpperCase()}_URL`].value).toBe(`http://${svc.metadata!.name}:${svc.spec!.ports![0].port}`);
    }
    expect(env.UPSTREAM_TIMEOUT_MS.value).toBe('10000');
  });

  it('migrates each PostgreSQL database with its own Job, never at service boot', () => {
    const jobs = view.all<IJob>('Job').filter((j) => j.metadata!.name!.endsWith('-migrate'));
    expect(jobs.map((j) => j.metadata!.name).sort()).toEqual(PG_SERVICES.map((s) => `${s}-migrate`).sort());
    for (const svc of PG_SERVICES) {
      const job = view.get<IJob>('Job', `${svc}-migrate`);
      const pod = job.spec!.template.spec!;
      expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
      expect(job.spec?.backoffLimit).toBeGreaterThanOrEqual(1);
      expect(pod.containers).toHaveLength(1);
      const c = pod.containers[0];
      expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['node', `dist/apps/${svc}/src/migrate.js`]);
      const appEnv = view.envOf(view.get<IDeployment>('Deployment', svc).spec!.template.spec!.containers[0]);
      expect(view.envOf(c).DATABASE_URL).toEqual(appEnv.DATABASE_URL);
      expect(c.image).toBe(view.get<IDeployment>('Deployment', svc).spec!.template.spec!.containers[0].image);
    }
    for (const d of view.all<IDeployment>('Deployment')) {
      for (const c of [...(d.spec!.template.spec!.initContainers ?? []), ...d.spec!.template.spec!.containers]) {
        expect([...(c.command ?? []), ...(c.args ?? [])].join(' ')).not.toMatch(/migrate/);
      }
    }
  });

  it("keeps publishing's media (MEDIA_DIR) on a claim every replica can write, not on the read-only root", () => {
    const pod = view.get<IDeployment>('Deployment', 'publishing').spec!.template.spec!;
    const dir = view.envOf(pod.containers[0]).MEDIA_DIR.value;
    const mount = (pod.containers[0].volumeMounts ?? []).find((m) => m.mountPath === dir);
    const volume = (pod.volumes ?? []).find((v) => v.name === mount?.name);
    const claim = view.get<IPersistentVolumeClaim>('PersistentVolumeClaim', volume?.persistentVolumeClaim?.claimName ?? '');
    expect(mount?.readOnly ?? false).toBe(false);
    expect(claim.spec?.accessModes).toEqual(['ReadWriteMany']);
    expect(quantity(claim.spec?.resources?.requests?.storage as string)).toBeGreaterThanOrEqual(10 * 1024 ** 3);
    // The Ingress lets an upload as large as the edge accepts through, streamed.
    const annotations = view.all<IIngress>('Ingress')[0].metadata?.annotations ?? {};
    const edgeEnv = view.envOf(view.get<IDeployment>('Deployment', 'edge').spec!.template.spec!.containers[0]);
    expect(quantity(annotations['nginx.ingress.kubernetes.io/proxy-body-size'].replace(/^(\d+)g$/, '$1Gi'))).toBeGreaterThanOrEqual(Number(edgeEnv.EDGE_UPLOAD_LIMIT_BYTES.value));
    expect(annotations['nginx.ingress.kubernetes.io/proxy-request-buffering']).toBe('off');
  });

  it('creates the Kafka topics with a Job', () => {
    const job = view.get<IJob>('Job', 'kafka-topics');
    const c = job.spec!.template.spec!.containers[0];
    expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['node', 'dist/tools/kafka/create-topics.js']);
    expect(view.envOf(c).KAFKA_BROKERS.value).toMatch(/\S/);
    expect(job.spec!.template.spec!.restartPolicy).toBe('Never');
  });

  it('exposes the edge, and only the edge, through an Ingress', () => {
    const ingresses = view.all<IIngress>('Ingress');
    expect(ingresses).toHaveLength(1);
    const backends = (ingresses[0].spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []).map((p) => p.backend.service);
    expect(backends.length).toBeGreaterThan(0);
    const edgeService = view.get<IService>('Service', 'edge');
    for (const b of backends) {
      expect(b?.name).toBe('edge');
      expect(edgeService.spec!.ports!.some((p) => p.name === b?.port?.name || p.port === b?.port?.number)).toBe(true);
    }
    expect(view.all<IService>('Service').filter((s) => (s.spec?.type ?? 'ClusterIP') !== 'ClusterIP')).toEqual([]);
  });

  it('uses one image for every workload', () => {
    const images = new Set(view.podSpecs().flatMap(({ spec }) => spec.containers.map((c) => c.image)));
    expect(images.size).toBe(1);
    const image = [...images][0]!;
    if (render === 'base') expect(image).toBe('social-platform');
    else {
      const { tag } = splitImage(image);
      expect(tag).toMatch(/\S/);
      expect(tag).not.toBe('latest');
    }
  });
});

describe('overlays', () => {
  const hpaBounds = (r: RenderName) => {
    const hpas = views[r].all<Required<IHorizontalPodAutoscaler>>('HorizontalPodAutoscaler');
    return { min: Math.min(...hpas.map((h) => h.spec.minReplicas!)), max: Math.min(...hpas.map((h) => h.spec.maxReplicas)) };
  };
  const requests = (r: RenderName, res: 'cpu' | 'memory') =>
    views[r].all<IDeployment>('Deployment').map((d) => quantity(d.spec!.template.spec!.containers[0].resources?.requests?.[res] as string));
  const limits = (r: RenderName, res: 'cpu' | 'memory') =>
    views[r].all<IDeployment>('Deployment').map((d) => quantity(d.spec!.template.spec!.containers[0].resources?.limits?.[res] as string));

  it('prod raises replica bounds and resources above the base; dev lowers them', () => {
    const [dev, base, prod] = [hpaBounds('dev'), hpaBounds('base'), hpaBounds('prod')];
    expect(dev.min).toBeLessThan(base.min);
    expect(prod.min).toBeGreaterThan(base.min);
    expect(dev.max).toBeLessThan(base.max);
    expect(prod.max).toBeGreaterThan(base.max);
    expect(prod.min).toBeGreaterThanOrEqual(3);
    for (const res of ['cpu', 'memory'] as const) {
      expect(Math.max(...requests('dev', res))).toBeLessThanOrEqual(Math.min(...requests('base', res)));
      expect(Math.min(...requests('prod', res))).toBeGreaterThan(Math.max(...requests('base', res)));
      expect(Math.min(...limits('prod', res))).toBeGreaterThanOrEqual(Math.max(...limits('base', res)));
      expect(Math.max(...limits('dev', res))).toBeLessThanOrEqual(Math.min(...limits('base', res)));
    }
  });

  it('base and prod reference platform-secrets without defining it; dev generates it, marked dev-only, with every referenced key', () => {
    expect(views.base.all('Secret')).toEqual([]);
    expect(views.prod.all('Secret')).toEqual([]);
    const secret = views.dev.get<ISecret>('Secret', SECRET);
    expect(secret.metadata?.labels?.['platform.example.com/dev-only']).toBe('true');
    const referenced = new Set(
      views.dev.podSpecs().flatMap(({ spec }) => spec.containers.flatMap((c) => (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key).filter((k): k is string => !!k))),
    );
    expect(Object.keys(secret.data ?? {}).sort()).toEqual([...referenced].sort());
    const value = (k: string) => Buffer.from(secret.data![k], 'base64').toString('utf8');
    for (const k of Object.keys(secret.data ?? {}).filter((k) => k.endsWith('_URL'))) expect(value(k)).toMatch(/dev-only|^mongodb:\/\//);
    for (const svc of PG_SERVICES) expect(new URL(value(`${svc.toUpperCase()}_DATABASE_URL`)).pathname).toBe(`/${svc}`);
    for (const s of SERVICES.filter((x) => x.store === 'mongo')) expect(new URL(value(`${s.name.toUpperCase()}_MONGODB_URL`)).pathname).toBe(`/${s.name}`);
  });

});
