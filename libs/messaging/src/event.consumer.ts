import type { Consumer, EachMessagePayload, IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { dlqTopic, parseEnvelope, type EventEnvelope } from '@lib/contracts';
import { runWithContext, type Metrics } from '@lib/observability';
import { backoffDelay, sleep } from './backoff';
import type { DedupeStore } from './dedupe.store';

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
}

export type EventHandler<Ctx> = (event: EventEnvelope, ctx: Ctx, meta: MessageMeta) => Promise<void>;

/**
 * Handles a whole fetched batch of one partition at once (in order). It must be idempotent on
 * its own, since no de-duplication record is written. If it throws, the batch is handled again
 * message by message with the topic's per-event handler, so retries and dead-lettering still
 * isolate a poison message.
 */
export type BatchHandler = (events: EventEnvelope[]) => Promise<void>;

export interface EventConsumerOptions<Ctx> {
  consumer: Consumer;
  /** Used for dead-letter messages. */
  producer: Producer;
  groupId: string;
  handlers: Record<string, EventHandler<Ctx>>;
  /** Optional faster path per topic; `handlers` must still cover the topic for the fallback. */
  batchHandlers?: Record<string, BatchHandler>;
  store: DedupeStore<Ctx>;
  logger: Logger;
  metrics?: Metrics;
  /** Attempts before a message goes to `<topic>.dlq`. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  fromBeginning?: boolean;
  /** Partitions handled at once; order within a partition (and so per key) is kept regardless. */
  partitionsConcurrently?: number;
  /** How long stop() lets a start under way finish, and then the disconnect (3 s each). */
  stopWaitMs?: number;
}

/** Waits for `p` to settle, or `ms`, whichever comes first; never throws. True when `p` settled. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([p.then(() => true, () => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return settled;
}

/**
 * Stops a consumer whose start (`starting`) may still be under way, in bounded time: the start
 * gets `waitMs` to get somewhere it can be undone from (a join can wait out a session timeout),
 * then the consumer disconnects, given `waitMs` too. Leaving the group queues behind a join that
 * waits for a crashed member's session to end; past the wait we stop anyway (and say so), and
 * the group drops us after our own session.
 */
export async function stopConsumer(
  consumer: Pick<Consumer, 'disconnect'>,
  starting: Promise<unknown> | null | undefined,
  logger: Pick<Logger, 'warn'>,
  opts: { waitMs?: number; context?: Record<string, unknown> } = {},
): Promise<void> {
  const waitMs = opts.waitMs ?? 3000;
  if (starting) await settledWithin(starting, waitMs);
  if (!(await settledWithin(consumer.disconnect(), waitMs))) logger.warn({ ...opts.context, waitMs }, 'consumer did not leave its group in time; stopping anyway');
}

export type ConsumeOutcome = 'processed' | 'duplicate' | 'dead_lettered';

/**
 * At-least-once consumption made effectively-once: de-duplicates on the event id, retries a
 * failing handler with backoff, and after `maxAttempts` dead-letters the message with its error
 * and moves on, so one poison message never blocks its partition.
 */
export class EventConsumer<Ctx> {
  private readonly maxAttempts: number;
  private readonly abort = new AbortController();
  /** The start under way or done; stop() waits for it, so nothing it connects is left running. */
  private starting: Promise<void> | null = null;

  constructor(private readonly opts: EventConsumerOptions<Ctx>) {
    this.maxAttempts = opts.maxAttempts ?? 5;
  }

  get topics(): string[] {
    return Object.keys(this.opts.handlers);
  }

  start(): Promise<void> {
    this.starting ??= this.connectAndRun();
    return this.starting;
  }

  private async connectAndRun(): Promise<void> {
    const { consumer } = this.opts;
    // Dead letters need the producer; connecting a connected producer is a no-op.
    await this.opts.producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: this.opts.fromBeginning ?? true });
    if (this.abort.signal.aborted) return; // stopped meanwhile: do not join the group
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.opts.partitionsConcurrently ?? 4,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { topic, partition } = batch;
        if (await this.tryBatch(topic, batch.messages)) {
          for (const m of batch.messages) resolveOffset(m.offset);
          await heartbeat();
          return;
        }
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) return;
          await this.handle({ topic, partition, message, heartbeat });
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
  }

  /**
   * Stops consuming. A start still under way (a shutdown right after boot) gets a moment to get
   * somewhere it can be undone from, never long enough to hold the shutdown up (joining a group
   * can wait out a session timeout); then the consumer disconnects either way.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    if (!this.starting) return;
    const starting = this.starting;
    this.starting = null;
    await stopConsumer(this.opts.consumer, starting, this.opts.logger, { waitMs: this.opts.stopWaitMs, context: { groupId: this.opts.groupId } });
  }

  /** The batch path: true when the whole batch was applied. */
  private async tryBatch(topic: string, messages: KafkaMessage[]): Promise<boolean> {
    const batchHandler = this.opts.batchHandlers?.[topic];
    if (!batchHandler || messages.length === 0) return false;
    const events: EventEnvelope[] = [];
    for (const m of messages) {
      try {
        events.push(parseEnvelope(m.value));
      } catch {
        return false; // let the per-message path dead-letter it
      }
    }
    try {
      await batchHandler(events);
      this.opts.metrics?.eventsConsumed.inc({ topic, outcome: 'processed' }, events.length);
      return true;
    } catch (err) {
      this.opts.logger.warn({ topic, size: events.length, err: (err as Error).message }, 'batch handler failed; handling the batch message by message');
      return false;
    }
  }

  /** Handles one message to its end: processed, duplicate, or dead-lettered. Throws only if the DLQ itself is unreachable. */
  async handle({ topic, partition, message, heartbeat }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>): Promise<ConsumeOutcome> {
    const meta: MessageMeta = { topic, partition, offset: message.offset };
    const { logger, metrics } = this.opts;
    let event: EventEnvelope;
    try {
      event = parseEnvelope(message.value);
    } catch (err) {
      // Retrying cannot fix a message that is not an event.
      await this.deadLetter(meta, message.key, message.value, message.headers, err as Error, 1);
      return 'dead_lettered';
    }
    const handler = this.opts.handlers[topic];
    return runWithContext({ correlationId: event.correlationid, causationId: event.id }, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = handler
            ? await this.opts.store.runOnce(this.opts.groupId, event.id, topic, (ctx) => handler(event, ctx, meta))
            : 'processed';
          metrics?.eventsConsumed.inc({ topic, outcome });
          if (outcome === 'duplicate') logger.debug({ eventId: event.id, topic }, 'duplicate event skipped');
          return outcome;
        } catch (err) {
          if (attempt >= this.maxAttempts || this.abort.signal.aborted) {
            await this.deadLetter(meta, message.key, message.value, message.headers, err as Error, attempt);
            return 'dead_lettered';
          }
          const delay = backoffDelay(attempt, this.opts.backoffBaseMs ?? 100, this.opts.backoffMaxMs ?? 5000);
          metrics?.eventsConsumed.inc({ topic, outcome: 'retried' });
          logger.warn({ eventId: event.id, topic, attempt, retryInMs: delay, err: (err as Error).message }, 'event handler failed; retrying');
          await sleep(delay, this.abort.signal);
          await heartbeat();
        }
      }
    });
  }

  private async deadLetter(
    meta: MessageMeta,
    key: Buffer | null,
    value: Buffer | null,
    headers: IHeaders | undefined,
    err: Error,
    attempts: number,
  ): Promise<void> {
    await this.opts.producer.send({
      topic: dlqTopic(meta.topic),
      acks: -1,
      messages: [
        {
          key,
          value,
          headers: {
            ...(headers ?? {}),
            'dlq-error': err.message.slice(0, 2000),
            'dlq-original-topic': meta.topic,
            'dlq-original-partition': String(meta.partition),
            'dlq-original-offset': meta.offset,
            'dlq-consumer-group': this.opts.groupId,
            'dlq-attempts': String(attempts),
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
    this.opts.metrics?.eventsConsumed.inc({ topic: meta.topic, outcome: 'dead_lettered' });
    this.opts.logger.error({ topic: meta.topic, partition: meta.partition, offset: meta.offset, attempts, err: err.message }, 'event dead-lettered');
  }
}
