import { Entity, Index, ManyToOne, PrimaryKey, Property, type Rel } from '@mikro-orm/core';
import { Post } from '../posts/post.entity';
import { PostRecurrence } from './post-recurrence.entity';

export type OccurrenceOutcome = 'scheduled' | 'missed';

/**
 * One occurrence of a series, recorded in the transaction that creates its post: the primary key
 * (recurrenceId, occurrenceAt) is what makes each occurrence materialize exactly once, whatever
 * the number of replicas or where a crash happened.
 */
@Entity({ tableName: 'post_recurrence_occurrences' })
@Index({ properties: ['post'] })
export class RecurrenceOccurrence {
  @ManyToOne(() => PostRecurrence, { primary: true, fieldName: 'recurrenceId', deleteRule: 'cascade' })
  recurrence!: Rel<PostRecurrence>;

  @PrimaryKey({ type: 'datetime', columnType: 'timestamptz' })
  occurrenceAt!: Date;

  /** Wall time in the series' zone when it is published ('YYYY-MM-DDTHH:mm'). */
  @Property({ type: 'text' })
  localTime!: string;

  /** The scheduled copy; null when missed, or after the copy was deleted. */
  @ManyToOne(() => Post, { fieldName: 'postId', nullable: true, deleteRule: 'set null' })
  post: Rel<Post> | null = null;

  /** `missed`: its time had passed when it came to be materialized (service down, or the series failing). */
  @Property({ type: 'text' })
  outcome: OccurrenceOutcome = 'scheduled';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
