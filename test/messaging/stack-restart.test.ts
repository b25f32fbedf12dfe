import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { OutboxWriter } from '@lib/messaging';
import { waitFor } from '@lib/testing';
import type { StackEndpoints } from '../../tools/devstack/src';
import { freePort } from '../../tools/devstack/src/stack';
import { spawnNode, stopProcess, type Spawned } from '../../tools/dev/processes';
import { authOrmOptions } from '../../apps/auth/src/orm.config';
import { kafkaFor, serviceDatabase, startRecorder, startRelay, stageEvents, type Received } from './harness';

/** `npm run stack` as a separate process, so a restart is a real one: a new broker, the same PostgreSQL data. */
async function startStackProcess(dataDir: string, pgPort: number): Promise<{ proc: Spawned; endpoints: StackEndpoints }> {
  const proc = spawnNode('stack', 'tools/dev/stack.js', { STACK_DATA_DIR: dataDir, STACK_PG_PORT: String(pgPort) });
  await waitFor(() => proc.lines.some((l) => l.includes('Embedded stack ready')) || proc.child.exitCode !== null, 60_000, 'the stack to start');
  if (proc.child.exitCode !== null) throw new Error(`stack exited:\n${proc.lines.join('\n')}`);
  const endpoints = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as StackEndpoints;
  return { proc, endpoints };
}

describe('a restart of the whole embedded stack', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-restart-'));
  fs.chmodSync(dataDir, 0o755);
  let proc: Spawned | undefined;

  afterAll(async () => {
    if (proc) await stopProcess(proc);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no event: events published but not yet consumed are each consumed exactly once afterwards', async () => {
    const run = randomUUID();
    const key = randomUUID();
    const writer = new OutboxWriter('test');
    const pgPort = await freePort();

    // Before: 10 events consumed, then 20 more published to the broker while no consumer runs.
    let started = await startStackProcess(dataDir, pgPort);
    proc = started.proc;
    const producerDb = await serviceDatabase(started.endpoints.postgres.url, 'restart_producer');
    const consumerDb = await serviceDatabase(started.endpoints.postgres.url, 'restart_consumer');
    let kafka = kafkaFor(started.endpoints.kafka.brokers);
    let relay = startRelay(producerDb.url, kafka, 'restart');
    const before = await startRecorder(kafka, consumerDb.orm, run);
    await stageEvents(producerDb.orm, writer, run, key, 0, 10);
    await waitFor(() => before.processed.length === 10, 30_000, 'ten events consumed before the restart');
    await before.consumer.stop();
    await stageEvents(producerDb.orm, writer, run, key, 10, 20);
    await waitFor(
      async () => (await relay.pool.query('select count(*)::int as n from outbox where "sentAt" is null')).rows[0].n === 0,
      30_000,
      'all thirty events published',
    );
    await relay.relay.stop();
    await relay.pool.end();
    await producerDb.orm.close(true);
    await consumerDb.orm.close(true);

    // The restart: the broker comes back empty, PostgreSQL with its data.
    expect(await stopProcess(proc)).toBe(0);
    started = await startStackProcess(dataDir, pgPort);
    proc = started.proc;
    const consumerOrm = await MikroORM.init<PostgreSqlDriver>(authOrmOptions(consumerDb.url));
    kafka = kafkaFor(started.endpoints.kafka.brokers);
    relay = startRelay(producerDb.url, kafka, 'restart');
    const after = await startRecorder(kafka, consumerOrm, run, { groupId: before.groupId });
    try {
      await waitFor(() => after.processed.length === 20 && after.duplicates.length === 10, 60_000, 'the replay to be consumed');
      await new Promise((r) => setTimeout(r, 500));
      const all: Received[] = [...before.processed, ...after.processed];
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(new Set(all.map((r) => r.id)).size).toBe(30);
    } finally {
      await after.consumer.stop();
      await relay.relay.stop();
      await relay.pool.end();
      await consumerOrm.close(true);
    }
  });
});
