import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Post } from '../posts/post.entity';

/**
 * A recurring series: an RRULE attached to a template post. Its occurrences are copies of the
 * template made a horizon ahead (see RecurrenceMaterializer); the template keeps its own status
 * and is not itself an occurrence. Not in SCHEMA.md: publishing's own table.
 */
@Entity({ tableName: 'post_recurrences' })
@Index({ properties: ['workspaceId'] })
@Unique({ properties: ['templatePost'] })
@Index({ name: 'post_recurrences_due_idx', expression: `create index "post_recurrences_due_idx" on "post_recurrences" ("nextOccurrenceAt") where "isActive"` })
export class PostRecurrence {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  /** One series per post; removing the post removes its series (its copies stay). */
  @ManyToOne(() => Post, { fieldName: 'templatePostId', deleteRule: 'cascade' })
  templatePost!: Rel<Post>;

  /** RFC 5545 RRULE without DTSTART/TZID, normalised (parseRecurrenceRule). COUNT and UNTIL live here. */
  @Property({ type: 'text' })
  rrule!: string;

  /** IANA zone whose wall clock the rule follows. */
  @Property({ type: 'text' })
  timeZone!: string;

  /** First possible occurrence as wall time in `timeZone` ('YYYY-MM-DDTHH:mm[:ss]'): not an instant. */
  @Property({ type: 'text' })
  startsAt!: string;

  @Property({ type: 'boolean' })
  isActive = true;

  /** The earliest occurrence not yet materialized; null once the series has ended or is stopped. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  nextOccurrenceAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastMaterializedAt: Date | null = null;

  /** Why the last materialization failed (code: message), until one succeeds. */
  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastErrorAt: Date | null = null;

  /** After a failure the series is left alone until then, so it cannot hold up the others. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  retryAt: Date | null = null;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
