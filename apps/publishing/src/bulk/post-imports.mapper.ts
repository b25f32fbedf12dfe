import type { PostImport } from './post-import.entity';
import type { PostImportRow } from './post-import-row.entity';

/** What clients see of an import: progress and outcome (never the file, the lease or the grants). */
export function toImportResponse(i: PostImport) {
  return {
    id: i.id,
    status: i.status,
    mode: i.mode,
    dryRun: i.dryRun,
    total: i.total,
    validated: i.validated,
    processed: i.processed,
    created: i.created,
    failed: i.failed,
    skipped: i.skipped,
    /** Rows with a final outcome, out of all rows. */
    percent: i.total ? Math.floor((i.processed * 100) / i.total) : 100,
    error: i.error,
    createdBy: i.createdBy,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    startedAt: i.startedAt?.toISOString() ?? null,
    finishedAt: i.finishedAt?.toISOString() ?? null,
  };
}

export function toImportRowResponse(r: PostImportRow) {
  return { row: r.row, line: r.line, status: r.status, errors: r.errors ?? [], postId: r.postId };
}

export type ImportResponse = ReturnType<typeof toImportResponse>;
export type ImportRowResponse = ReturnType<typeof toImportRowResponse>;
