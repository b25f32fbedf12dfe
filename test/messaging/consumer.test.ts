import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { KafkaMessage } from 'kafkajs';
import { TOPICS, createEnvelope, dlqTopic } from '@lib/contracts';
import { OutboxWriter, createConsumer, createProducer } from '@lib/messaging';
import { testStack, waitFor } from '@lib/testing';
import { kafkaFor, kafkaTuning, serviceDatabase, startRecorder, startRelay, stageEvents } from './harness';

describe('event consumers (embedded stack)', () => {
  const { pgUrl, brokers } = testStack();
  const kafka = kafkaFor(brokers);
  let producerDb: { url: string; orm: MikroORM };
  let consumerDb: { url: string; orm: MikroORM };

  beforeAll(async () => {
    producerDb = await serviceDatabase(pgUrl, 'consumer_producer');
    consumerDb = await serviceDatabase(pgUrl, 'consumer_consumer');
  });

  afterAll(async () => {
    await producerDb?.orm.close(true);
    await consumerDb?.orm.close(true);
  });

  it('dead-letters a message that fails N times, with its error, and keeps consuming the partition', async () => {
    const run = randomUUID();
    const key = randomUUID();
    const dead: KafkaMessage[] = [];
    const dlqConsumer = createConsumer(kafka, `dlq-watch-${run}`, kafkaTuning);
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: dlqTopic(TOPICS.workspaceUpdated.name), fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === key) dead.push(message);
      },
    });
    // One key, so all ten events share a partition; the fourth is poison.
    const recorder = await startRecorder(kafka, consumerDb.orm, run, {
      maxAttempts: 3,
      failWhen: (e) => (e.data as { changed: { seq: number } }).changed.seq === 3,
    });
    const { relay, pool } = startRelay(producerDb.url, kafka, `dlq-${run}`);
    try {
      await stageEvents(producerDb.orm, new OutboxWriter('test'), run, key, 0, 10);
      await waitFor(() => recorder.processed.length === 9 && dead.length === 1, 60_000, 'nine processed and one dead letter');
      expect(recorder.processed.map((r) => r.seq)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
      const headers = dead[0].headers ?? {};
      expect(headers['dlq-error']?.toString()).toBe('poison event 3');
      expect(headers['dlq-attempts']?.toString()).toBe('3');
      expect(headers['dlq-original-topic']?.toString()).toBe(TOPICS.workspaceUpdated.name);
      expect(headers['dlq-consumer-group']?.toString()).toBe(recorder.groupId);
      expect(JSON.parse(dead[0].value!.toString()).data.changed.seq).toBe(3);
    } finally {
      await recorder.consumer.stop();
      await dlqConsumer.disconnect();
      await relay.stop();
      await pool.end();
    }
  });

  it('processes a duplicate delivery once', async () => {
    const run = randomUUID();
    const key = randomUUID();
    const recorder = await startRecorder(kafka, consumerDb.orm, run);
    const producer = createProducer(kafka, { idempotent: false });
    await producer.connect();
    try {
      const events = [0, 1, 2].map((seq) =>
        createEnvelope({
          type: TOPICS.workspaceUpdated.name,
          source: '/services/test',
          subject: key,
          dataversion: 1,
          workspaceId: key,
          correlationId: randomUUID(),
          actor: { type: 'system', id: 'test' },
          data: { workspaceId: key, changed: { run, seq } },
        }),
      );
      // Every event delivered twice, the second event three times.
      const sequence = [events[0], events[0], events[1], events[1], events[1], events[2], events[2]];
      await producer.send({
        topic: TOPICS.workspaceUpdated.name,
        acks: -1,
        messages: sequence.map((e) => ({ key, value: JSON.stringify(e) })),
      });
      // Only this run's events count: the topic also carries other files' events (and an outbox's replays of them).
      const ours = new Set(events.map((e) => e.id));
      await waitFor(() => recorder.duplicates.filter((id) => ours.has(id)).length === 4, 30_000, 'four duplicates skipped');
      expect(recorder.processed.map((r) => r.seq)).toEqual([0, 1, 2]);
      const rows = await consumerDb.orm.em
        .fork()
        .getConnection()
        .execute('select count(*)::int as n from processed_events where consumer = ? and "eventId" in (?, ?, ?)', [
          recorder.groupId,
          ...events.map((e) => e.id),
        ]);
      expect(rows[0].n).toBe(3);
    } finally {
      await producer.disconnect();
      await recorder.consumer.stop();
    }
  });
});
