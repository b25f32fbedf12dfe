import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS, parseEnvelope, type EventEnvelope } from '@lib/contracts';
import { createConsumer, stopConsumer } from '@lib/messaging';
import { KAFKA, KAFKA_CONFIG, LOGGER } from '@lib/service-kit';
import type { KafkaConfig } from '@lib/config';

export interface StreamEvent {
  id: string;
  type: string;
  time: string;
  subject: string;
  data: unknown;
}

type Listener = (event: StreamEvent) => void;

const REPLAY_PER_WORKSPACE = 200;

/**
 * Fans Kafka events out to the browsers of their workspace. Every edge replica reads every
 * topic in a consumer group of its own (a broadcast, not a share), from the current end: the
 * stream is for live updates. A short per-workspace history lets a client that reconnects with
 * Last-Event-ID catch up on what it missed.
 */
@Injectable()
export class EventStream implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly history = new Map<string, StreamEvent[]>();
  /** Ends each open stream; run before the HTTP server closes, which waits for them. */
  private readonly closers = new Set<() => void>();
  private consumer?: Consumer;
  private starting?: Promise<void>;
  private running = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_CONFIG) private readonly config: KafkaConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get clients(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** Kafka joins in the background: the edge serves requests while the group forms. */
  onApplicationBootstrap(): void {
    this.starting = this.start().catch((err: unknown) => this.logger.error({ err }, 'event stream consumer failed to start'));
  }

  beforeApplicationShutdown(): void {
    for (const close of this.closers) close();
    this.closers.clear();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.consumer) await stopConsumer(this.consumer, this.starting, this.logger);
  }

  get ready(): boolean {
    return this.running;
  }

  private async start(): Promise<void> {
    this.consumer = createConsumer(this.kafka, `edge-events-${os.hostname()}-${randomUUID()}`, this.config);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: Object.values(TOPICS).map((t) => t.name), fromBeginning: false });
    await this.consumer.run({
      // Nothing here is worth committing: a new group starts at the end anyway.
      autoCommit: false,
      eachMessage: async ({ message }) => {
        let env: EventEnvelope;
        try {
          env = parseEnvelope(message.value);
        } catch {
          return;
        }
        if (env.workspaceid) this.publish(env.workspaceid, { id: env.id, type: env.type, time: env.time, subject: env.subject, data: env.data });
      },
    });
    this.running = true;
  }

  publish(workspaceId: string, event: StreamEvent): void {
    const past = this.history.get(workspaceId) ?? [];
    past.push(event);
    if (past.length > REPLAY_PER_WORKSPACE) past.shift();
    this.history.set(workspaceId, past);
    for (const listener of this.listeners.get(workspaceId) ?? []) listener(event);
  }

  /** Subscribes to a workspace; replays what followed `lastEventId` if it is still in the history. */
  subscribe(workspaceId: string, listener: Listener, lastEventId?: string, close?: () => void): () => void {
    if (close) this.closers.add(close);
    if (lastEventId) {
      const past = this.history.get(workspaceId) ?? [];
      const at = past.findIndex((e) => e.id === lastEventId);
      if (at >= 0) for (const e of past.slice(at + 1)) listener(e);
    }
    const set = this.listeners.get(workspaceId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(workspaceId, set);
    return () => {
      if (close) this.closers.delete(close);
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(workspaceId);
    };
  }
}
