import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { PostContent } from '../posts/post.entity';

export const ROW_STATUSES = ['VALID', 'CREATED', 'INVALID', 'SKIPPED'] as const;
/**
 * VALID: checked, waiting for its batch (the final status of a dry run); CREATED: the post
 * exists (`postId`); INVALID: see `errors`; SKIPPED: valid, but not imported (all-or-nothing
 * with invalid rows elsewhere, or an import that was given up).
 */
export type RowStatus = (typeof ROW_STATUSES)[number];

/** A problem of one row; `column` is null for the row as a whole (a duplicate, a field count). */
export interface RowError {
  column: string | null;
  message: string;
}

/** A valid row, resolved to what will be created (ids, instants). */
export interface RowPlan {
  text: string;
  hashtags?: string[];
  mentions?: string[];
  link?: string;
  /** Per-network content (a platform post's customContent), by account id. */
  overrides?: Record<string, Partial<PostContent>>;
  accountIds: string[];
  /** ISO instant, or null. */
  scheduledAt: string | null;
  /** SCHEDULED (publish jobs queued) or left a DRAFT. */
  schedule: boolean;
  mediaIds: string[];
  campaignId: string | null;
  tags: string[];
}

/** One row of an import's report. */
@Entity({ tableName: 'post_import_rows' })
@Index({ properties: ['importId', 'status', 'row'] })
export class PostImportRow {
  @PrimaryKey({ type: 'uuid' })
  importId!: string;

  @PrimaryKey({ type: 'integer' })
  row!: number;

  @Property({ type: 'integer' })
  line!: number;

  @Property({ type: 'text' })
  status!: RowStatus;

  @Property({ type: 'json', nullable: true })
  errors: RowError[] | null = null;

  /** What a VALID row will create; kept for a resumed import. */
  @Property({ type: 'json', nullable: true, lazy: true })
  data: RowPlan | null = null;

  @Property({ type: 'uuid', nullable: true })
  postId: string | null = null;
}
