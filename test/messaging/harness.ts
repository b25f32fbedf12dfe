import { MikroORM, type EntityManager } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { TOPICS, type EventEnvelope } from '@lib/contracts';
import {
  EventConsumer,
  OutboxRelay,
  type OutboxWriter,
  PgDedupeStore,
  createConsumer,
  createKafka,
  createProducer,
  type EventHandler,
} from '@lib/messaging';
import { runMigrations } from '@lib/persistence';
import { createTestDatabase } from '@lib/testing';
import { authOrmOptions } from '../../apps/auth/src/orm.config';

export const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const kafkaTuning = { maxWaitMs: 10, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };

/** A service-like database: the real migrations of a PostgreSQL service (outbox, processed_events). */
export async function serviceDatabase(serverUrl: string, prefix: string): Promise<{ url: string; orm: MikroORM<PostgreSqlDriver> }> {
  const url = await createTestDatabase(serverUrl, prefix);
  await runMigrations(authOrmOptions(url));
  const orm = await MikroORM.init<PostgreSqlDriver>({ ...authOrmOptions(url), allowGlobalContext: false });
  return { url, orm };
}

export function kafkaFor(brokers: string[]): Kafka {
  return createKafka({ brokers, clientId: 'test' }, logger);
}

export function startRelay(url: string, kafka: Kafka, name = 'test', embedded = true): { relay: OutboxRelay; pool: Pool } {
  const pool = new Pool({ connectionString: url, max: 4 });
  const relay = new OutboxRelay({
    pool,
    producer: createProducer(kafka, { idempotent: !embedded }),
    admin: kafka.admin(),
    logger,
    config: { retentionHours: 24, pollIntervalMs: 200, batchSize: 200 },
    name,
    clusterCheckIntervalMs: 1000,
  });
  relay.start();
  return { relay, pool };
}

/** Stages `count` workspace.updated events for `key` in one transaction (the state change's). */
export async function stageEvents(orm: MikroORM, writer: OutboxWriter, run: string, key: string, from: number, count: number): Promise<void> {
  const em = orm.em.fork();
  for (let i = from; i < from + count; i++) {
    writer.stage(em, TOPICS.workspaceUpdated, { workspaceId: key, changed: { run, seq: i } }, {
      subject: key,
      workspaceId: key,
      actor: { type: 'system', id: 'test' },
      correlationId: `${run}-${key}-${i}`,
    });
  }
  await em.flush();
}

export interface Received {
  id: string;
  key: string;
  seq: number;
}

/** A consumer group on workspace.updated that records what it processed for one test run. */
export async function startRecorder(
  kafka: Kafka,
  orm: MikroORM,
  run: string,
  opts: { groupId?: string; maxAttempts?: number; failWhen?: (e: EventEnvelope) => boolean } = {},
): Promise<{ consumer: EventConsumer<EntityManager>; processed: Received[]; duplicates: string[]; groupId: string }> {
  const processed: Received[] = [];
  const duplicates: string[] = [];
  const groupId = opts.groupId ?? `test-${run}`;
  const handler: EventHandler<EntityManager> = async (event) => {
    const data = event.data as { workspaceId: string; changed: { run: string; seq: number } };
    if (data.changed.run !== run) return; // another test's event on the shared broker
    if (opts.failWhen?.(event)) throw new Error(`poison event ${data.changed.seq}`);
    processed.push({ id: event.id, key: data.workspaceId, seq: data.changed.seq });
  };
  const store = new PgDedupeStore(orm);
  const countingStore = {
    runOnce: async (...args: Parameters<PgDedupeStore['runOnce']>) => {
      const outcome = await store.runOnce(...args);
      if (outcome === 'duplicate') duplicates.push(args[1]);
      return outcome;
    },
  };
  const producer = createProducer(kafka, { idempotent: false });
  await producer.connect();
  const consumer = new EventConsumer<EntityManager>({
    consumer: createConsumer(kafka, groupId, kafkaTuning),
    producer,
    groupId,
    handlers: { [TOPICS.workspaceUpdated.name]: handler },
    store: countingStore,
    logger,
    maxAttempts: opts.maxAttempts ?? 3,
    backoffBaseMs: 10,
    backoffMaxMs: 50,
  });
  await consumer.start();
  const stop = consumer.stop.bind(consumer);
  consumer.stop = async () => {
    await stop();
    await producer.disconnect();
  };
  return { consumer, processed, duplicates, groupId };
}

export function assertPerKeyOrder(received: Received[]): void {
  const lastByKey = new Map<string, number>();
  for (const r of received) {
    const last = lastByKey.get(r.key) ?? -1;
    if (r.seq <= last) throw new Error(`key ${r.key}: seq ${r.seq} arrived after ${last}`);
    lastByKey.set(r.key, r.seq);
  }
}
