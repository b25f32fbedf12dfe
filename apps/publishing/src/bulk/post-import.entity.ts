import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import type { Role } from '@lib/permissions';

export const IMPORT_STATUSES = ['QUEUED', 'VALIDATING', 'IMPORTING', 'COMPLETED', 'FAILED'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const UNFINISHED: readonly ImportStatus[] = ['QUEUED', 'VALIDATING', 'IMPORTING'];

export const IMPORT_MODES = ['all-or-nothing', 'valid-only'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** What the caller was allowed when they started the import (the work runs later, without them). */
export interface ImportGrants {
  /** Networks posts:create is narrowed to (null: every network). */
  createPlatforms: string[] | null;
  /** posts:publish (needed to schedule a row), narrowed to some networks or not; null when not allowed. */
  publish: { platforms: string[] | null } | null;
  /** The caller's role: approval workflows match on the author's role. */
  role: Role | null;
  /** media:create, which media named by URL needs (they become media library uploads). */
  mediaCreate: boolean;
}

/** A whole-import failure (bad file, nothing imported in all-or-nothing mode, interrupted). */
export interface ImportFailure {
  code: string;
  message: string;
  line?: number;
}

/**
 * One CSV import: the file, its progress and outcome. The work runs in the background under a
 * lease (`leasedBy`/`leaseUntil`): a replica that dies leaves an expired lease, and the next
 * claim resumes the import where its last committed batch ended.
 */
@Entity({ tableName: 'post_imports' })
@Index({ properties: ['workspaceId', 'createdAt'] })
@Index({ name: 'post_imports_unfinished_idx', expression: `create index "post_imports_unfinished_idx" on "post_imports" ("leaseUntil") where "status" in ('QUEUED', 'VALIDATING', 'IMPORTING')` })
export class PostImport {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'uuid' })
  createdBy!: string;

  @Property({ type: 'text' })
  mode: ImportMode = 'all-or-nothing';

  @Property({ type: 'boolean' })
  dryRun = false;

  @Property({ type: 'text' })
  status: ImportStatus = 'QUEUED';

  /** Data rows in the file. */
  @Property({ type: 'integer' })
  total = 0;

  /** Rows checked so far (VALIDATING). */
  @Property({ type: 'integer' })
  validated = 0;

  /** Rows with a final outcome (created, invalid or skipped). */
  @Property({ type: 'integer' })
  processed = 0;

  @Property({ type: 'integer' })
  created = 0;

  /** Invalid rows (at validation, or found invalid when their batch was written). */
  @Property({ type: 'integer' })
  failed = 0;

  /** Valid rows not imported (all-or-nothing with invalid rows, or an interrupted import). */
  @Property({ type: 'integer' })
  skipped = 0;

  @Property({ type: 'json', nullable: true })
  error: ImportFailure | null = null;

  /** Media URLs of the file already in the library (URL → asset id): a resumed import does not fetch them again. */
  @Property({ type: 'json', nullable: true, lazy: true })
  fetchedMedia: Record<string, string> | null = null;

  /** The CSV, kept until the import ends so a restarted replica can resume it. */
  @Property({ type: 'text', nullable: true, lazy: true })
  source: string | null = null;

  @Property({ type: 'json' })
  grants!: ImportGrants;

  @Property({ type: 'text', nullable: true })
  leasedBy: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  /** Claims so far; an import interrupted again and again is failed rather than retried forever. */
  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}
