import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { POSTGRES_SERVICES, allTopicsWithPartitions } from '@lib/contracts';
import { startMongoEmbedded } from '../../mongo-embedded/src';
import { KafkaMock } from './kafka-mock';
import { databaseUrl, ensureDatabases, startEmbeddedPostgres, type PostgresHandle } from './postgres';

export interface StackEndpoints {
  postgres: { url: string; embedded: boolean; databases: Record<string, string> };
  kafka: { brokers: string[]; embedded: boolean; idempotent: boolean };
  mongodb: { url: string | null; embedded: boolean; status: string };
  control: string | null;
  pid: number;
  startedAt: string;
}

export interface StackOptions {
  /** Root of the stack's data; PostgreSQL keeps its cluster in `<dataDir>/pg`. */
  dataDir: string;
  pgPort?: number;
  /** Port of the embedded MongoDB-compatible server; 0 or omitted picks one. */
  mongoPort?: number;
  kafkaBrokers?: number;
  /** Real servers to use instead of the embedded ones (DATABASE_URL, KAFKA_BROKERS, MONGODB_URL). */
  databaseUrl?: string;
  kafkaBrokerList?: string;
  mongodbUrl?: string;
  /** Serve the control API (broker down/up) on this port; 0 picks one. Omit for none. */
  controlPort?: number;
  /** Tests only: skip fsync in PostgreSQL. */
  fastPostgres?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  endpoints: StackEndpoints;
  kafka: KafkaMock | null;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts whatever is not supplied from outside: PostgreSQL, the Kafka mock (and MongoDB later). */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => undefined);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    // Kafka first: it fails fast (and with the fix named) when librdkafka is missing.
    let kafka: KafkaMock | null = null;
    let brokers: string[];
    if (opts.kafkaBrokerList) {
      brokers = opts.kafkaBrokerList.split(',').map((s) => s.trim());
    } else {
      kafka = KafkaMock.start(opts.kafkaBrokers ?? 3);
      const k = kafka;
      cleanups.push(() => k.stop());
      for (const t of allTopicsWithPartitions()) kafka.createTopic(t.name, t.partitions);
      brokers = kafka.brokers;
      log(`kafka (embedded mock, ${kafka.brokerCount} brokers): ${brokers.join(',')}`);
    }

    let pgHandle: PostgresHandle | null = null;
    let serverUrl: string;
    if (opts.databaseUrl) {
      serverUrl = opts.databaseUrl;
    } else {
      pgHandle = await startEmbeddedPostgres({
        dataDir: path.join(opts.dataDir, 'pg'),
        port: opts.pgPort ?? (await freePort()),
        fastInit: opts.fastPostgres,
      });
      const h = pgHandle;
      cleanups.push(() => h.stop());
      serverUrl = pgHandle.url;
    }
    await ensureDatabases(serverUrl, [...POSTGRES_SERVICES]);
    log(`postgres${pgHandle ? ' (embedded)' : ''}: ${new URL(serverUrl).host}`);

    let mongodb: StackEndpoints['mongodb'];
    if (opts.mongodbUrl) {
      mongodb = { url: opts.mongodbUrl, embedded: false, status: 'external' };
    } else {
      const mongo = await startMongoEmbedded({ dbPath: path.join(opts.dataDir, 'mongo'), port: opts.mongoPort ?? 0, host: '127.0.0.1' });
      cleanups.push(() => mongo.stop());
      mongodb = { url: mongo.url, embedded: true, status: 'embedded' };
      log(`mongodb (embedded): ${mongo.url}`);
    }

    const endpoints: StackEndpoints = {
      postgres: {
        url: serverUrl,
        embedded: pgHandle !== null,
        databases: Object.fromEntries(POSTGRES_SERVICES.map((s) => [s, databaseUrl(serverUrl, s)])),
      },
      kafka: { brokers, embedded: kafka !== null, idempotent: kafka === null },
      mongodb,
      control: null,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };

    if (opts.controlPort !== undefined && kafka) {
      const server = controlServer(kafka, endpoints);
      await new Promise<void>((resolve) => server.listen(opts.controlPort, '127.0.0.1', resolve));
      endpoints.control = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
      cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    }

    return {
      endpoints,
      kafka,
      stop: async () => {
        for (const c of cleanups.reverse()) await c();
      },
    };
  } catch (err) {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}

/** A small HTTP API so tests and tools in other processes can fault-inject the mock broker. */
function controlServer(kafka: KafkaMock, endpoints: StackEndpoints): http.Server {
  return http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/kafka\/brokers\/(\d+)\/(down|up)$/.exec(req.url ?? '');
    try {
      if (req.method === 'GET' && req.url === '/') return send(200, endpoints);
      if (req.method === 'POST' && m) {
        const id = Number(m[1]);
        if (m[2] === 'down') kafka.setBrokerDown(id);
        else kafka.setBrokerUp(id);
        return send(200, { broker: id, state: m[2] });
      }
      send(404, { error: 'unknown control route' });
    } catch (err) {
      send(400, { error: (err as Error).message });
    }
  });
}

export function writeEndpoints(file: string, endpoints: StackEndpoints): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}
