import { Entity, Index, PrimaryKey, Property, type EntityManager } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/mongodb';
import type { DedupeOutcome, DedupeStore } from './dedupe.store';

/**
 * MongoDB has no multi-document transaction to lean on here, so the record is claimed first
 * (a unique `_id` of consumer + event id) and released if the handler fails. Handlers must
 * themselves write idempotently (upserts keyed on the event), which covers a crash in between.
 */
@Entity({ collection: 'processed_events' })
@Index({ properties: ['processedAt'] })
export class ProcessedEventDoc {
  @PrimaryKey({ type: 'string' })
  _id!: string;

  @Property({ type: 'string' })
  topic!: string;

  @Property({ type: 'Date' })
  processedAt: Date = new Date();
}

export const MONGO_MESSAGING_ENTITIES = [ProcessedEventDoc];

export class MongoDedupeStore implements DedupeStore<EntityManager> {
  constructor(private readonly orm: MikroORM) {}

  async runOnce(consumer: string, eventId: string, topic: string, work: (em: EntityManager) => Promise<void>): Promise<DedupeOutcome> {
    const em = this.orm.em.fork();
    const collection = em.getConnection().getCollection<{ _id: string; topic: string; processedAt: Date }>('processed_events');
    const id = `${consumer}:${eventId}`;
    try {
      await collection.insertOne({ _id: id, topic, processedAt: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return 'duplicate';
      throw err;
    }
    try {
      await work(em);
      return 'processed';
    } catch (err) {
      await collection.deleteOne({ _id: id }).catch(() => undefined);
      throw err;
    }
  }
}
