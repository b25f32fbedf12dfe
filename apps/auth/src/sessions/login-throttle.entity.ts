import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Failed sign-ins per account and per client address, shared by every replica. Updated only
 * with one atomic upsert (LoginThrottleRepository), never read-modify-write.
 */
@Entity({ tableName: 'login_throttles' })
export class LoginThrottle {
  /** `account:<sha256 of the email>` or `ip:<address>`. */
  @PrimaryKey({ type: 'text' })
  key!: string;

  /** Failures since `windowStartedAt`. */
  @Property({ type: 'integer' })
  failures: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  windowStartedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;
}
