import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/mongodb';
import { IDEMPOTENCY_STALE_SECONDS, IDEMPOTENCY_TTL_HOURS, type BeginResult, type IdempotencyStore } from './idempotency.store';

/** MongoDB: one document per (scope, key); a TTL index removes expired ones. */
@Entity({ collection: 'idempotency_keys' })
@Index({ properties: ['expiresAt'], options: { expireAfterSeconds: 0 } })
export class IdempotencyKeyDoc {
  /** `<scope> <key>` */
  @PrimaryKey({ type: 'string' })
  _id!: string;

  @Property({ type: 'string' })
  requestHash!: string;

  @Property({ type: 'string' })
  status!: 'in_progress' | 'completed';

  @Property({ type: 'number', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'json', nullable: true })
  responseBody: unknown = null;

  @Property({ type: 'Date' })
  createdAt: Date = new Date();

  @Property({ type: 'Date' })
  expiresAt!: Date;
}

interface Doc {
  _id: string;
  requestHash: string;
  status: 'in_progress' | 'completed';
  responseStatus: number | null;
  responseBody: unknown;
  createdAt: Date;
  expiresAt: Date;
}

export class MongoIdempotencyStore implements IdempotencyStore {
  constructor(private readonly orm: MikroORM) {}

  private get collection() {
    return this.orm.em.fork().getConnection().getCollection<Doc>('idempotency_keys');
  }

  async begin(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    const _id = `${scope} ${key}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = new Date();
      try {
        await this.collection.insertOne({
          _id,
          requestHash,
          status: 'in_progress',
          responseStatus: null,
          responseBody: null,
          createdAt: now,
          expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_HOURS * 3600_000),
        });
        return { state: 'new' };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
      const doc = await this.collection.findOne({ _id });
      if (!doc) continue;
      if (doc.expiresAt < now) {
        await this.collection.deleteOne({ _id, expiresAt: doc.expiresAt });
        continue;
      }
      if (doc.requestHash !== requestHash) return { state: 'mismatch' };
      if (doc.status === 'completed') return { state: 'replay', status: doc.responseStatus ?? 200, body: doc.responseBody };
      const staleBefore = new Date(now.getTime() - IDEMPOTENCY_STALE_SECONDS * 1000);
      if (doc.createdAt < staleBefore) {
        const taken = await this.collection.updateOne({ _id, status: 'in_progress', createdAt: doc.createdAt }, { $set: { createdAt: now } });
        if (taken.modifiedCount === 1) return { state: 'new' };
      }
      return { state: 'in_progress' };
    }
    return { state: 'in_progress' };
  }

  async peek(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    const doc = await this.collection.findOne({ _id: `${scope} ${key}` });
    if (!doc || doc.expiresAt < new Date()) return { state: 'new' };
    if (doc.requestHash !== requestHash) return { state: 'mismatch' };
    return doc.status === 'completed' ? { state: 'replay', status: doc.responseStatus ?? 200, body: doc.responseBody } : { state: 'in_progress' };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.collection.updateOne({ _id: `${scope} ${key}` }, { $set: { status: 'completed', responseStatus: status, responseBody: body ?? null } });
  }

  async release(scope: string, key: string): Promise<void> {
    await this.collection.deleteOne({ _id: `${scope} ${key}` });
  }
}
