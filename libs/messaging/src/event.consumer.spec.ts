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

describe('EventConsumer batch path', () => {
  type EachBatch = (p: unknown) => Promise<void>;

  function started(batchHandler: jest.Mock, handler: jest.Mock) {
    let eachBatch: EachBatch | undefined;
    const kafkaConsumer = strictMock<Consumer>(
      {
        connect: jest.fn().mockResolvedValue(undefined),
        subscribe: jest.fn().mockResolvedValue(undefined),
        run: jest.fn(async (cfg: { eachBatch: EachBatch }) => void (eachBatch = cfg.eachBatch)),
      },
      'consumer',
    );
    const send = jest.fn().mockResolvedValue([]);
    const consumer = new EventConsumer<string>({
      consumer: kafkaConsumer,
      producer: strictMock<Producer>({ connect: jest.fn().mockResolvedValue(undefined), send }, 'producer'),
      groupId: 'g',
      handlers: { 'post.published': handler },
      batchHandlers: { 'post.published': batchHandler },
      store: memoryStore(),
      logger: strictMock<Logger>({ warn: jest.fn(), error: jest.fn(), debug: jest.fn() }, 'logger'),
      maxAttempts: 2,
      backoffBaseMs: 1,
      backoffMaxMs: 1,
    });
    return { consumer, run: () => eachBatch!, send };
  }

  const second = createEnvelope({ type: 'post.published', source: '/s', subject: 'post-1', dataversion: 1, workspaceId: 'ws-1', correlationId: 'c', actor: { type: 'system', id: 's' }, data: {} });
  const batch = (values: unknown[]) => ({
    batch: { topic: 'post.published', partition: 0, messages: values.map((v, i) => message(v, String(i)).message) },
    resolveOffset: jest.fn(),
    heartbeat: jest.fn().mockResolvedValue(undefined),
    isRunning: () => true,
    isStale: () => false,
  });

  it('applies a whole batch in one call and resolves every offset', async () => {
    const batchHandler = jest.fn().mockResolvedValue(undefined);
    const handler = jest.fn();
    const { consumer, run } = started(batchHandler, handler);
    await consumer.start();
    const b = batch([event, second]);
    await run()(b);
    expect(batchHandler).toHaveBeenCalledWith([expect.objectContaining({ id: event.id }), expect.objectContaining({ id: second.id })]);
    expect(handler).not.toHaveBeenCalled();
    expect(b.resolveOffset.mock.calls).toEqual([['0'], ['1']]);
  });

  it('falls back to one message at a time when the batch fails, so only the poison message is dead-lettered', async () => {
    const batchHandler = jest.fn().mockRejectedValue(new Error('batch failed'));
    const handler = jest.fn(async (e: EventEnvelope) => {
      if (e.id === event.id) throw new Error('poison');
    });
    const { consumer, run, send } = started(batchHandler, handler);
    await consumer.start();
    const b = batch([event, second]);
    await run()(b);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0].messages[0].headers['dlq-error']).toBe('poison');
    expect(handler.mock.calls.filter(([e]) => (e as EventEnvelope).id === second.id)).toHaveLength(1);
    expect(b.resolveOffset.mock.calls).toEqual([['0'], ['1']]);
  });
});

describe('EventConsumer start and stop', () => {
  /** A consumer over `kafka` (whatever Kafka calls a test expects), nothing else touched. */
  const over = (kafka: Partial<Consumer>, stopWaitMs?: number, logger: Partial<Logger> = {}) =>
    new EventConsumer<string>({
      consumer: strictMock<Consumer>(kafka, 'consumer'),
      producer: strictMock<Producer>({ connect: jest.fn(async () => undefined) }, 'producer'),
      groupId: 'group-a',
      handlers: { 'post.published': jest.fn() },
      store: memoryStore(),
      logger: strictMock<Logger>(logger, 'logger'),
      ...(stopWaitMs === undefined ? {} : { stopWaitMs }),
    });

  it('stops a start under way short of joining the group, then disconnects: a shutdown right after boot leaves no consumer running', async () => {
    const steps: string[] = [];
    let connected!: () => void;
    const consumer = over({
      connect: jest.fn(() => new Promise<void>((r) => (connected = () => (steps.push('connected'), r())))),
      subscribe: jest.fn(async () => void steps.push('subscribed')),
      run: jest.fn(async () => void steps.push('running')),
      disconnect: jest.fn(async () => void steps.push('disconnected')),
    });
    const started = consumer.start();
    await new Promise((r) => setImmediate(r));
    const stopped = consumer.stop();
    connected();
    await Promise.all([started, stopped]);
    expect(steps).toEqual(['connected', 'subscribed', 'disconnected']);
  });

  it('does not let a start that hangs (a group join waiting out a session) hold the shutdown up', async () => {
    const disconnect = jest.fn(async () => undefined);
    const consumer = over({ connect: jest.fn(async () => undefined), subscribe: jest.fn(async () => undefined), run: jest.fn(() => new Promise<void>(() => undefined)), disconnect }, 20);
    void consumer.start();
    await new Promise((r) => setImmediate(r));
    await consumer.stop();
    expect(disconnect).toHaveBeenCalledTimes(1);
  });

  it('does not let a disconnect that hangs (leaving behind a join that waits for a crashed member) hold the shutdown up, and says so', async () => {
    const warn = jest.fn();
    const hang = () => new Promise<void>(() => undefined);
    const consumer = over({ connect: jest.fn(async () => undefined), subscribe: jest.fn(async () => undefined), run: jest.fn(hang), disconnect: jest.fn(hang) }, 20, { warn });
    void consumer.start();
    await new Promise((r) => setImmediate(r));
    await consumer.stop();
    expect(warn).toHaveBeenCalledWith({ groupId: 'group-a', waitMs: 20 }, expect.stringContaining('did not leave its group in time'));
  });

  it('does not touch Kafka when it was never started', async () => {
    await expect(over({}).stop()).resolves.toBeUndefined();
  });
});
