import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One event waiting for (or kept after) publication. Written in the same transaction as the
 * state change it describes. Sent rows are kept for the retention window so that a fresh broker
 * (an embedded-stack restart) can be replayed.
 */
@Entity({ tableName: 'outbox' })
@Index({ name: 'outbox_unsent_idx', expression: 'create index "outbox_unsent_idx" on "outbox" ("seq") where "sentAt" is null' })
@Index({ name: 'outbox_sent_at_idx', properties: ['sentAt'] })
export class OutboxMessage {
  /** Commit order; the relay publishes in this order, which keeps per-key order. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string;

  @Property({ type: 'uuid', unique: true })
  eventId!: string;

  @Property({ type: 'text' })
  topic!: string;

  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  envelope!: Record<string, unknown>;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  sentAt: Date | null = null;

  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}

/** Which events a consumer group has already applied: the de-duplication record. */
@Entity({ tableName: 'processed_events' })
@Index({ name: 'processed_events_processed_at_idx', properties: ['processedAt'] })
export class ProcessedEvent {
  @PrimaryKey({ type: 'text' })
  consumer!: string;

  @PrimaryKey({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'text' })
  topic!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  processedAt: Date = new Date();
}

/** The relay's memory of the broker it last published to, to notice a fresh (empty) one. */
@Entity({ tableName: 'outbox_relay_state' })
export class OutboxRelayState {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  clusterId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();
}

export const MESSAGING_ENTITIES = [OutboxMessage, ProcessedEvent, OutboxRelayState];
