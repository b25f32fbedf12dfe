// A deliberately small kustomize, enough to render k8s/overlays/* in tests without a kustomize binary.
// It supports exactly the kustomization fields listed in SUPPORTED and throws on anything else, so a
// new field in a kustomization.yaml cannot be silently ignored by the checks.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface Target {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}
interface Patch {
  path?: string;
  patch?: string;
  target?: Target;
}
interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}
interface SecretGenerator {
  name: string;
  type?: string;
  literals?: string[];
  files?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> };
}
export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: ImageRule[];
  patches?: Patch[];
  secretGenerator?: SecretGenerator[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches', 'secretGenerator']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'IngressClass', 'PriorityClass', 'CustomResourceDefinition']);

export interface BuildOptions {
  /** Content for a generator file that does not exist (e.g. git-ignored key material). Default: throw. */
  missingFile?: (path: string) => string;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** Every YAML document of a file, as plain data. Throws on YAML errors; skips empty documents. */
export function readYamlDocs(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new Error(`no kustomization in ${dir}`);
  const k = parse(readFileSync(file, 'utf8')) as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: unsupported kustomization fields ${unsupported.join(', ')}`);
  return k;
}

const asObject = (value: unknown, where: string): K8sObject => {
  const o = value as K8sObject;
  if (!o || typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
    throw new Error(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  }
  return o;
};

const idOf = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Renders a kustomization directory the way `kustomize build` would, for the supported fields. */
export function build(dir: string, options: BuildOptions = {}): K8sObject[] {
  const k = readKustomization(dir);
  let objects: K8sObject[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) objects.push(...build(path, options));
    else objects.push(...readYamlDocs(path).map((d, i) => asObject(d, `${path}#${i}`)));
  }
  for (const gen of k.secretGenerator ?? []) objects.push(generateSecret(dir, gen, options));

  const seen = new Set<string>();
  for (const o of objects) {
    const id = idOf(o);
    if (seen.has(id)) throw new Error(`${dir}: duplicate resource ${id}`);
    seen.add(id);
  }

  for (const p of k.patches ?? []) objects = applyPatch(dir, objects, p);
  if (k.namespace) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  for (const rule of k.images ?? []) {
    let used = false;
    for (const c of containersOf(objects)) {
      const { name, tag } = splitImage(String(c.image));
      if (name !== rule.name) continue;
      used = true;
      const newName = rule.newName ?? name;
      c.image = rule.digest ? `${newName}@${rule.digest}` : `${newName}${rule.newTag ? `:${rule.newTag}` : tag ? `:${tag}` : ''}`;
    }
    if (!used) throw new Error(`${dir}: image rule ${rule.name} matches no container`);
  }
  return objects;
}

export function splitImage(image: string): { name: string; tag?: string } {
  const at = image.indexOf('@');
  const base = at >= 0 ? image.slice(0, at) : image;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) return { name: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { name: base };
}

/** Containers and init containers of every workload (Deployment, Job, ...), as mutable records. */
export function containersOf(objects: K8sObject[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const o of objects) {
    const spec = (o.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
    if (!spec) continue;
    for (const key of ['initContainers', 'containers']) {
      for (const c of (spec[key] as Array<Record<string, unknown>> | undefined) ?? []) out.push(c);
    }
  }
  return out;
}

function generateSecret(dir: string, gen: SecretGenerator, options: BuildOptions): K8sObject {
  if (!gen.options?.disableNameSuffixHash) {
    // Name-reference rewriting for hashed names is not implemented; keep the references valid.
    throw new Error(`${dir}: secretGenerator ${gen.name} must set options.disableNameSuffixHash`);
  }
  const data: Record<string, string> = {};
  const put = (key: string, value: string): void => {
    if (key in data) throw new Error(`${dir}: secretGenerator ${gen.name} defines ${key} twice`);
    data[key] = Buffer.from(value, 'utf8').toString('base64');
  };
  for (const literal of gen.literals ?? []) {
    const i = literal.indexOf('=');
    if (i <= 0) throw new Error(`${dir}: bad literal ${literal}`);
    put(literal.slice(0, i), literal.slice(i + 1));
  }
  for (const spec of gen.files ?? []) {
    const i = spec.indexOf('=');
    const key = i > 0 ? spec.slice(0, i) : spec.split('/').pop()!;
    const path = resolve(dir, i > 0 ? spec.slice(i + 1) : spec);
    if (existsSync(path)) put(key, readFileSync(path, 'utf8'));
    else if (options.missingFile) put(key, options.missingFile(path));
    else throw new Error(`${dir}: secretGenerator file ${path} does not exist`);
  }
  const metadata: K8sObject['metadata'] = { name: gen.name };
  if (gen.options.labels) metadata.labels = { ...gen.options.labels };
  if (gen.options.annotations) metadata.annotations = { ...gen.options.annotations };
  return { apiVersion: 'v1', kind: 'Secret', metadata, type: gen.type ?? 'Opaque', data };
}

function matches(o: K8sObject, t: Target): boolean {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const exact = (pattern: string, value: string): boolean => new RegExp(`^(?:${pattern})$`).test(value);
  if (t.kind && !exact(t.kind, o.kind)) return false;
  if (t.name && !exact(t.name, o.metadata.name)) return false;
  if (t.namespace && !exact(t.namespace, o.metadata.namespace ?? '')) return false;
  if (t.group !== undefined && t.group !== group) return false;
  if (t.version && t.version !== version) return false;
  if (t.labelSelector) {
    for (const term of t.labelSelector.split(',').map((s) => s.trim())) {
      const [key, value] = term.split('=');
      if ((o.metadata.labels ?? {})[key] !== value) return false;
    }
  }
  return true;
}

function applyPatch(dir: string, objects: K8sObject[], p: Patch): K8sObject[] {
  if ((p.path === undefined) === (p.patch === undefined)) throw new Error(`${dir}: a patch needs exactly one of path and patch`);
  const text = p.patch ?? readFileSync(resolve(dir, p.path!), 'utf8');
  const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  if (docs.length === 1 && Array.isArray(docs[0])) {
    // JSON 6902 operations; kustomize requires a target.
    if (!p.target) throw new Error(`${dir}: a JSON6902 patch needs a target`);
    const hits = objects.filter((o) => matches(o, p.target!));
    if (hits.length === 0) throw new Error(`${dir}: patch target ${JSON.stringify(p.target)} matches nothing`);
    for (const o of hits) applyJson6902(o as unknown as JsonObject, docs[0] as JsonObject[], `${dir} -> ${idOf(o)}`);
    return objects;
  }
  // Strategic-merge patches: each document names its target by kind and metadata.name.
  for (const doc of docs) {
    const patch = asObject(doc, `${dir}: strategic merge patch`);
    const target: Target = p.target ?? { kind: patch.kind, name: patch.metadata.name };
    const hits = objects.filter((o) => matches(o, target));
    if (hits.length === 0) throw new Error(`${dir}: patch for ${patch.kind}/${patch.metadata.name} matches nothing`);
    for (const o of hits) {
      const merged = strategicMerge(o as unknown as Json, { ...patch, metadata: { ...patch.metadata, name: o.metadata.name } } as unknown as Json);
      Object.assign(o, merged);
    }
  }
  return objects;
}

/** Maps merge recursively; lists of named objects merge by name; other lists and scalars replace. */
export function strategicMerge(base: Json, patch: Json): Json {
  if (patch === null) return null;
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (xs: Json[]): boolean => xs.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x.name === 'string');
    if (!named(base) || !named(patch)) return patch;
    const out = base.map((x) => x);
    for (const item of patch as JsonObject[]) {
      const i = (out as JsonObject[]).findIndex((x) => x.name === item.name);
      if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(item);
    }
    return out;
  }
  if (base && patch && typeof base === 'object' && typeof patch === 'object' && !Array.isArray(base) && !Array.isArray(patch)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = k in out ? strategicMerge(out[k], v) : v;
    }
    return out;
  }
  return patch;
}

/** RFC 6902 add / replace / remove / test on plain data. */
export function applyJson6902(doc: JsonObject, ops: JsonObject[], where = 'patch'): void {
  for (const op of ops) {
    const path = String(op.path);
    if (!path.startsWith('/')) throw new Error(`${where}: bad path ${path}`);
    const tokens = path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop()!;
    let parent: Json = doc;
    for (const t of tokens) {
      const next: Json | undefined = Array.isArray(parent) ? parent[Number(t)] : parent && typeof parent === 'object' ? parent[t] : undefined;
      if (next === undefined || next === null || typeof next !== 'object') throw new Error(`${where}: ${path} does not exist`);
      parent = next;
    }
    if (parent === null || typeof parent !== 'object') throw new Error(`${where}: ${path} does not exist`);
    const container = parent;
    const has = Array.isArray(container) ? Number(last) >= 0 && Number(last) < container.length : last in container;
    const value = op.value === undefined ? undefined : (structuredClone(op.value) as Json);
    switch (op.op) {
      case 'add':
        if (value === undefined) throw new Error(`${where}: add ${path} without value`);
        if (Array.isArray(container)) container.splice(last === '-' ? container.length : Number(last), 0, value);
        else container[last] = value;
        break;
      case 'replace':
        if (!has) throw new Error(`${where}: replace ${path}: no such member`);
        if (value === undefined) throw new Error(`${where}: replace ${path} without value`);
        if (Array.isArray(container)) container[Number(last)] = value;
        else container[last] = value;
        break;
      case 'remove':
        if (!has) throw new Error(`${where}: remove ${path}: no such member`);
        if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete container[last];
        break;
      case 'test':
        if (JSON.stringify(Array.isArray(container) ? container[Number(last)] : container[last]) !== JSON.stringify(value)) {
          throw new Error(`${where}: test ${path} failed`);
        }
        break;
      default:
        throw new Error(`${where}: unsupported op ${String(op.op)}`);
    }
  }
}
