import type { Consumer, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { createEnvelope, type EventEnvelope } from '@lib/contracts';
import { currentContext } from '@lib/observability';
import { strictMock } from '@lib/testing';
import type { DedupeStore } from './dedupe.store';
import { EventConsumer, type EventHandler } from './event.consumer';

const event = createEnvelope({
  type: 'post.published',
  source: '/services/publishing',
  subject: 'post-1',
  dataversion: 1,
  workspaceId: 'ws-1',
  correlationId: 'corr-1',
  actor: { type: 'system', id: 'scheduler' },
  data: { postId: 'post-1' },
});

function message(value: unknown, offset = '7') {
  return {
    topic: 'post.published',
    partition: 2,
    message: { key: Buffer.from('post-1'), value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), headers: {}, offset, timestamp: '0', attributes: 0 } as KafkaMessage,
    heartbeat: jest.fn().mockResolvedValue(undefined),
  };
}

/** A store that runs the work the first time an id is seen, like the real ones. */
function memoryStore(): DedupeStore<string> & { seen: Set<string> } {
  const seen = new Set<string>();
  return {
    seen,
    async runOnce(consumer, id, _topic, work) {
      if (seen.has(`${consumer}:${id}`)) return 'duplicate';
      await work('ctx');
      seen.add(`${consumer}:${id}`);
      return 'processed';
    },
  };
}

function build(handler: EventHandler<string>, store = memoryStore()) {
  const send = jest.fn().mockResolvedValue([]);
  const logger = strictMock<Logger>({ warn: jest.fn(), error: jest.fn(), debug: jest.fn() }, 'logger');
  const consumer = new EventConsumer<string>({
    consumer: strictMock<Consumer>({}, 'consumer'),
    producer: strictMock<Producer>({ send }, 'producer'),
    groupId: 'group-a',
    handlers: { 'post.published': handler },
    store,
    logger,
    maxAttempts: 3,
    backoffBaseMs: 1,
    backoffMaxMs: 2,
  });
  return { consumer, send, store, logger };
}

describe('EventConsumer', () => {
  it('runs the handler once per event id, inside the event’s correlation context', async () => {
    const seen: { id: string; correlation?: string; causation?: string | null }[] = [];
    const { consumer } = build(async (e: EventEnvelope) => {
      seen.push({ id: e.id, correlation: currentContext()?.correlationId, causation: currentContext()?.causationId });
    });
    expect(await consumer.handle(message(event))).toBe('processed');
    expect(await consumer.handle(message(event, '8'))).toBe('duplicate');
    expect(seen).toEqual([{ id: event.id, correlation: 'corr-1', causation: event.id }]);
  });

  it('retries a failing handler and succeeds without dead-lettering', async () => {
    let calls = 0;
    const { consumer, send } = build(async () => {
      if (++calls < 3) throw new Error('transient');
    });
    const msg = message(event);
    expect(await consumer.handle(msg)).toBe('processed');
    expect(calls).toBe(3);
    expect(msg.heartbeat).toHaveBeenCalledTimes(2);
    expect(send).not.toHaveBeenCalled();
  });

  it('dead-letters after maxAttempts with the error and origin in headers', async () => {
    const { consumer, send, store } = build(async () => {
      throw new Error('handler broke');
    });
    expect(await consumer.handle(message(event))).toBe('dead_lettered');
    expect(send).toHaveBeenCalledTimes(1);
    const sent = send.mock.calls[0][0];
    expect(sent.topic).toBe('post.published.dlq');
    expect(sent.acks).toBe(-1);
    const headers = sent.messages[0].headers;
    expect(headers).toMatchObject({
      'dlq-error': 'handler broke',
      'dlq-attempts': '3',
      'dlq-original-topic': 'post.published',
      'dlq-original-partition': '2',
      'dlq-original-offset': '7',
      'dlq-consumer-group': 'group-a',
    });
    expect(sent.messages[0].key.toString()).toBe('post-1');
    expect(store.seen.size).toBe(0); // not recorded as processed
  });

  it('dead-letters a message that is not an event at once, without calling the handler', async () => {
    const handler = jest.fn();
    const { consumer, send } = build(handler);
    expect(await consumer.handle(message('not json'))).toBe('dead_lettered');
    expect(await consumer.handle(message({ hello: 'world' }))).toBe('dead_lettered');
    expect(handler).not.toHaveBeenCalled();
    expect(send.mock.calls.map((c) => c[0].messages[0].headers['dlq-error'])).toEqual([
      'message value is not JSON',
      expect.stringMatching(/^event envelope lacks specversion, id, type/),
    ]);
  });

  it('does not commit past a message when even the dead-letter topic is unreachable', async () => {
    const { consumer, send } = build(async () => {
      throw new Error('handler broke');
    });
    send.mockRejectedValue(new Error('broker down'));
    await expect(consumer.handle(message(event))).rejects.toThrow('broker down');
  });
});
