import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Session } from './session.entity';

/** One refresh token of a session. Only its SHA-256 is stored; `usedAt` marks it rotated. */
@Entity({ tableName: 'refresh_tokens' })
@Index({ name: 'refresh_tokens_sessionId_index', properties: ['session'] })
export class RefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Session, { fieldName: 'sessionId', deleteRule: 'cascade' })
  session!: Session;

  /** Hex SHA-256 of the token. */
  @Property({ type: 'text', unique: 'refresh_tokens_tokenHash_unique' })
  tokenHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  /** Set when the token was exchanged; presenting it again is reuse, which ends the family. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
