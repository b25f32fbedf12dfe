import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import pino from 'pino';
import { TOPICS } from '@lib/contracts';
import { EventConsumer, OutboxRelay, OutboxWriter, PgDedupeStore, createConsumer, createKafka, createProducer } from '@lib/messaging';
import { runMigrations } from '@lib/persistence';
import { authOrmOptions } from '../apps/auth/src/orm.config';
import { databaseUrl, ensureDatabases, startStack } from '../tools/devstack/src';

// `npm run bench:bus`: end-to-end throughput on the embedded broker of (1) raw kafkajs
// produce+consume and (2) the platform's path: outbox insert → relay → consumer with dedupe.
// 1 KB messages; consumers run while producers produce (the mock drops what lags too far).

const RAW_N = Number(process.env.BENCH_RAW_N ?? 50_000);
const OUTBOX_N = Number(process.env.BENCH_OUTBOX_N ?? 10_000);
const PAYLOAD = 'x'.repeat(900); // + envelope ≈ 1 KB
const logger = pino({ level: 'silent' });
const tuning = { maxWaitMs: 10, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };
const topic = TOPICS.postPublished;

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function raw(brokers: string[]): Promise<number> {
  const kafka = createKafka({ brokers, clientId: 'bench-raw' }, logger);
  const run = randomUUID();
  let received = 0;
  const consumer = createConsumer(kafka, `bench-raw-${run}`, tuning);
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: false });
  let assigned = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (assigned = true));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) if (m.headers?.run?.toString() === run) received++;
    },
  });
  await waitUntil(() => assigned, 30_000);
  const producer = createProducer(kafka, { idempotent: false });
  await producer.connect();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < RAW_N; i += 100) {
    await producer.send({
      topic: topic.name,
      acks: -1,
      messages: Array.from({ length: Math.min(100, RAW_N - i) }, (_, j) => ({
        key: `k${(i + j) % 500}`,
        value: JSON.stringify({ i: i + j, payload: PAYLOAD }),
        headers: { run },
      })),
    });
  }
  await waitUntil(() => received >= RAW_N, 120_000);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await producer.disconnect();
  await consumer.disconnect();
  return RAW_N / secs;
}

async function outbox(brokers: string[], serverUrl: string): Promise<{ rate: number; writeRate: number }> {
  await ensureDatabases(serverUrl, ['bench_producer', 'bench_consumer']);
  const producerUrl = databaseUrl(serverUrl, 'bench_producer');
  const consumerUrl = databaseUrl(serverUrl, 'bench_consumer');
  await runMigrations(authOrmOptions(producerUrl));
  await runMigrations(authOrmOptions(consumerUrl));
  const producerOrm = await MikroORM.init<PostgreSqlDriver>(authOrmOptions(producerUrl));
  const consumerOrm = await MikroORM.init<PostgreSqlDriver>({ ...authOrmOptions(consumerUrl), pool: { min: 2, max: 10 } });
  const kafka = createKafka({ brokers, clientId: 'bench-outbox' }, logger);
  const run = randomUUID();
  let processed = 0;
  const dlqProducer = createProducer(kafka, { idempotent: false });
  await dlqProducer.connect();
  const groupId = `bench-outbox-${run}`;
  const consumer = new EventConsumer<EntityManager>({
    consumer: createConsumer(kafka, groupId, tuning),
    producer: dlqProducer,
    groupId,
    store: new PgDedupeStore(consumerOrm),
    logger,
    handlers: {
      [topic.name]: async (e) => {
        if ((e.data as { externalId: string }).externalId === run) processed++;
      },
    },
    fromBeginning: false,
  });
  await consumer.start();
  await new Promise((r) => setTimeout(r, 4000)); // first group join on the mock
  const pool = new Pool({ connectionString: producerUrl, max: 4 });
  const relay = new OutboxRelay({
    pool,
    producer: createProducer(kafka, { idempotent: false }),
    admin: kafka.admin(),
    logger,
    config: { retentionHours: 24, pollIntervalMs: 50, batchSize: 500 },
    name: 'bench',
  });
  relay.start();
  const writer = new OutboxWriter('bench');
  const t0 = process.hrtime.bigint();
  // Use cases commit 100 events per transaction here.
  for (let i = 0; i < OUTBOX_N; i += 100) {
    const em = producerOrm.em.fork();
    for (let j = i; j < Math.min(i + 100, OUTBOX_N); j++) {
      const postId = randomUUID();
      writer.stage(em, topic, { postId, platformPostId: postId, platform: 'TWITTER', externalId: run, publishedAt: new Date().toISOString() }, {
        subject: `k${j % 500}`,
        workspaceId: null,
        actor: { type: 'system', id: PAYLOAD },
      });
    }
    await em.flush();
  }
  const written = Number(process.hrtime.bigint() - t0) / 1e9;
  await waitUntil(() => processed >= OUTBOX_N, 300_000);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  await relay.stop();
  await pool.end();
  await consumer.stop();
  await dlqProducer.disconnect();
  await producerOrm.close(true);
  await consumerOrm.close(true);
  return { rate: OUTBOX_N / secs, writeRate: OUTBOX_N / written };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bus-'));
  fs.chmodSync(dir, 0o755);
  const stack = await startStack({ dataDir: dir });
  try {
    const brokers = stack.endpoints.kafka.brokers;
    process.stdout.write(`bench:bus on the embedded broker (${brokers.length} brokers, topic ${topic.name} with ${topic.partitions} partitions, ~1 KB messages)\n`);
    const rawRate = await raw(brokers);
    process.stdout.write(`  raw kafkajs produce+consume (batches of 100, acks=all):        ${rawRate.toFixed(0).padStart(7)} msg/s  (${RAW_N} messages)\n`);
    const o = await outbox(brokers, stack.endpoints.postgres.url);
    process.stdout.write(`  outbox → relay → consumer with dedupe (100 events per tx):    ${o.rate.toFixed(0).padStart(7)} msg/s  (${OUTBOX_N} events; outbox writes alone ${o.writeRate.toFixed(0)}/s)\n`);
    process.stdout.write(`  ratio outbox path / raw: ${(o.rate / rawRate).toFixed(3)}\n`);
  } finally {
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
