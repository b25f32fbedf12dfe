import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import { OutboxWriter } from '@lib/messaging';
import { setBroker, testStack, waitFor } from '@lib/testing';
import { assertPerKeyOrder, kafkaFor, serviceDatabase, startRecorder, startRelay, stageEvents } from './harness';

describe('transactional outbox → relay → consumer (embedded stack)', () => {
  const { pgUrl, brokers, control, embeddedKafka } = testStack();
  let producerDb: { url: string; orm: MikroORM };
  let consumerDb: { url: string; orm: MikroORM };

  beforeAll(async () => {
    producerDb = await serviceDatabase(pgUrl, 'outbox_producer');
    consumerDb = await serviceDatabase(pgUrl, 'outbox_consumer');
  });

  afterAll(async () => {
    await producerDb?.orm.close(true);
    await consumerDb?.orm.close(true);
  });

  it('delivers every event exactly once and in per-key order while the whole broker is down for 10 s mid-stream', async () => {
    if (!embeddedKafka) return; // fault injection needs the embedded mock
    const run = randomUUID();
    const kafka = kafkaFor(brokers);
    const writer = new OutboxWriter('test');
    const keys = Array.from({ length: 12 }, () => randomUUID());
    const perKey = 40;
    const recorder = await startRecorder(kafka, consumerDb.orm, run);
    const { relay, pool } = startRelay(producerDb.url, kafka);
    try {
      // Events are committed steadily; a third of the way in, every broker goes down for 10 s.
      let downAt = -1;
      for (let i = 0; i < perKey; i += 4) {
        for (const key of keys) await stageEvents(producerDb.orm, writer, run, key, i, 4);
        if (i === 12) {
          downAt = Date.now();
          for (const id of [1, 2, 3]) await setBroker(control, id, 'down');
          setTimeout(() => void Promise.all([1, 2, 3].map((id) => setBroker(control, id, 'up'))), 10_000);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(downAt).toBeGreaterThan(0);
      const total = keys.length * perKey;
      await waitFor(() => recorder.processed.length >= total, 90_000, `${total} events consumed`);
      // Give any straggling redelivery a moment to show up as a wrong count.
      await new Promise((r) => setTimeout(r, 1000));
      const ids = recorder.processed.map((r) => r.id);
      expect(new Set(ids).size).toBe(total);
      expect(ids).toHaveLength(total);
      assertPerKeyOrder(recorder.processed);
      const unsent = await pool.query('select count(*)::int as n from outbox where "sentAt" is null');
      expect(unsent.rows[0].n).toBe(0);
    } finally {
      await Promise.all([1, 2, 3].map((id) => setBroker(control, id, 'up')));
      await recorder.consumer.stop();
      await relay.stop();
      await pool.end();
    }
  });

  it('keeps the state change and its event together: a rolled-back transaction publishes nothing', async () => {
    const run = randomUUID();
    const writer = new OutboxWriter('test');
    const em = producerDb.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        writer.stage(tx, { name: 'workspace.updated' } as never, { workspaceId: run, changed: {} } as never, {
          subject: run,
          workspaceId: run,
          actor: { type: 'system', id: 'test' },
        });
        await tx.flush();
        throw new Error('use case failed after writing');
      }),
    ).rejects.toThrow('use case failed');
    const rows = await producerDb.orm.em.fork().getConnection().execute('select count(*)::int as n from outbox where key = ?', [run]);
    expect(rows[0].n).toBe(0);
  });
});
