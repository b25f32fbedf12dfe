import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A POST seen with an Idempotency-Key: its request fingerprint and, once done, its answer. */
@Entity({ tableName: 'idempotency_keys' })
@Index({ name: 'idempotency_keys_expires_at_idx', properties: ['expiresAt'] })
export class IdempotencyKey {
  /** `user:<id>` or `anon`: keys are per caller. */
  @PrimaryKey({ type: 'text' })
  scope!: string;

  @PrimaryKey({ type: 'text' })
  key!: string;

  /** sha256 of method, path and canonical body. */
  @Property({ type: 'text' })
  requestHash!: string;

  @Property({ type: 'text' })
  status!: 'in_progress' | 'completed';

  @Property({ type: 'integer', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'json', columnType: 'jsonb', nullable: true })
  responseBody: unknown = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}

/** Entities every PostgreSQL service adds to its own for platform features (idempotency). */
export const PLATFORM_ENTITIES = [IdempotencyKey];
