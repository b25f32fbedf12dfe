import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { TOPICS, createEnvelope, parseEnvelope } from '@lib/contracts';
import { createConsumer, createKafka, createProducer } from '@lib/messaging';
import { freePort, startStack } from '../tools/devstack/src';
import { spawnNode, stopProcess, waitForHealthy } from '../tools/dev/processes';
import { testSigningKeys } from '@lib/testing';

// `npm run bench:audit`: sustained audit.recorded events/s from Kafka into MongoDB through the
// audit service (dedupe, hash chain, redaction, one insert per event), next to a raw kafkajs
// consumer doing insertMany per batch, on the same embedded broker and MongoDB server.

const N = Number(process.env.BENCH_AUDIT_N ?? 20_000);
const WORKSPACES = 24;
const tuning = { maxWaitMs: 10, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };

async function produce(brokers: string[]): Promise<void> {
  const producer = createProducer(createKafka({ brokers, clientId: 'bench-audit' }, pino({ level: 'silent' })), { idempotent: false });
  await producer.connect();
  const workspaces = Array.from({ length: WORKSPACES }, () => randomUUID());
  for (let i = 0; i < N; i += 500) {
    const messages = Array.from({ length: Math.min(500, N - i) }, (_, j) => {
      const workspaceId = workspaces[(i + j) % WORKSPACES];
      const e = createEnvelope({
        type: TOPICS.auditRecorded.name,
        source: '/services/bench',
        subject: workspaceId,
        dataversion: 1,
        workspaceId,
        correlationId: randomUUID(),
        actor: { type: 'user', id: 'u' },
        data: {
          action: 'post.updated', resourceType: 'post', resourceId: `p-${i + j}`, userId: 'u', userName: 'Ada', userEmail: 'ada@example.com',
          details: { before: { text: 'x'.repeat(120) }, after: { text: 'y'.repeat(120) } }, ipAddress: '203.0.113.7', userAgent: 'bench',
        },
      });
      return { key: workspaceId, value: JSON.stringify(e) };
    });
    await producer.send({ topic: TOPICS.auditRecorded.name, acks: -1, messages });
  }
  await producer.disconnect();
}

/** Rate between the first and the last stored document (start-up and group join excluded). */
async function watch(count: () => Promise<number>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let first = 0;
  for (;;) {
    const n = await count();
    if (n > 0 && !first) first = Date.now();
    if (n >= N) return (N / (Date.now() - first)) * 1000;
    if (Date.now() > deadline) throw new Error(`only ${n} of ${N} stored`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function raw(brokers: string[], mongo: MongoClient): Promise<number> {
  const coll = mongo.db('bench_raw').collection('audit_logs');
  const consumer = createConsumer(createKafka({ brokers, clientId: 'bench-raw' }), `bench-raw-${randomUUID()}`, tuning);
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.auditRecorded.name, fromBeginning: true });
  let stored = 0;
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      const docs = batch.messages.map((m) => {
        const e = parseEnvelope(m.value);
        return { ...(e.data as object), workspaceId: e.workspaceid, timestamp: new Date(e.time), eventId: e.id };
      });
      if (docs.length) await coll.insertMany(docs, { ordered: false });
      stored += docs.length;
    },
  });
  const rate = await watch(async () => stored, 300_000);
  await consumer.disconnect();
  return rate;
}

async function service(brokers: string[], mongoUrl: string, mongo: MongoClient): Promise<number> {
  const { publicKey } = testSigningKeys();
  const port = await freePort();
  const proc = spawnNode('audit', 'apps/audit/src/main.js', {
    PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', KAFKA_BROKERS: brokers.join(','), KAFKA_IDEMPOTENT: 'false',
    KAFKA_MAX_WAIT_MS: '10', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500', JWT_PUBLIC_KEY: publicKey,
    MONGODB_URL: `${mongoUrl.replace(/\/$/, '')}/bench_audit`,
  });
  try {
    await waitForHealthy(`http://127.0.0.1:${port}/health/ready`, proc, 60_000);
    const coll = mongo.db('bench_audit').collection('audit_logs');
    return await watch(() => coll.estimatedDocumentCount(), 600_000);
  } finally {
    await stopProcess(proc);
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  fs.chmodSync(dir, 0o755);
  const stack = await startStack({ dataDir: dir });
  const mongo = new MongoClient(stack.endpoints.mongodb.url!);
  try {
    await mongo.connect();
    const brokers = stack.endpoints.kafka.brokers;
    process.stdout.write(`bench:audit: ${N} audit.recorded events over ${WORKSPACES} workspaces, embedded broker and MongoDB-compatible server\n`);
    await produce(brokers);
    const rawRate = await raw(brokers, mongo);
    process.stdout.write(`  raw kafkajs consume + insertMany per batch:                 ${rawRate.toFixed(0).padStart(7)} events/s\n`);
    const auditRate = await service(brokers, stack.endpoints.mongodb.url!, mongo);
    process.stdout.write(`  audit service (dedupe, hash chain, redaction, batched):     ${auditRate.toFixed(0).padStart(7)} events/s\n`);
    process.stdout.write(`  ratio audit / raw: ${(auditRate / rawRate).toFixed(3)}\n`);
  } finally {
    await mongo.close();
    await stack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
