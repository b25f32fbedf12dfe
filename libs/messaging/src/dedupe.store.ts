import type { EntityManager, MikroORM } from '@mikro-orm/core';

export type DedupeOutcome = 'processed' | 'duplicate';

/**
 * Applies an event at most once per consumer group: the record that it was applied is written
 * atomically with its effects, so a redelivery after a crash finds it and skips.
 */
export interface DedupeStore<Ctx> {
  runOnce(consumer: string, eventId: string, topic: string, work: (ctx: Ctx) => Promise<void>): Promise<DedupeOutcome>;
}

/** PostgreSQL: the `processed_events` row and the handler's writes share one transaction. */
export class PgDedupeStore implements DedupeStore<EntityManager> {
  constructor(private readonly orm: MikroORM) {}

  async runOnce(consumer: string, eventId: string, topic: string, work: (em: EntityManager) => Promise<void>): Promise<DedupeOutcome> {
    // A fresh context per event: Kafka handlers have no request context of their own.
    return this.orm.em.fork().transactional(async (em) => {
      // A concurrent delivery of the same event waits on this row's lock, then sees the conflict.
      const rows = await em.getConnection().execute<{ eventId: string }[]>(
        `insert into processed_events (consumer, "eventId", topic, "processedAt") values (?, ?, ?, now())
         on conflict do nothing returning "eventId"`,
        [consumer, eventId, topic],
        'all',
        em.getTransactionContext(),
      );
      if (rows.length === 0) return 'duplicate';
      await work(em);
      return 'processed';
    });
  }
}

/**
 * For consumers whose handlers are idempotent by construction (a unique index on the event id,
 * or upserts that only move forward): nothing extra is recorded, which saves a write per event.
 */
export class IdempotentHandlersStore<Ctx> implements DedupeStore<Ctx> {
  constructor(private readonly ctx: () => Ctx) {}

  async runOnce(_consumer: string, _eventId: string, _topic: string, work: (ctx: Ctx) => Promise<void>): Promise<DedupeOutcome> {
    await work(this.ctx());
    return 'processed';
  }
}
