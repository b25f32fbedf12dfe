import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { DomainError } from '@lib/contracts';
import { decodeCursor, decodeTimeIdCursor, encodeCursor, encodeTimeIdCursor, keysetAfter } from '@lib/pagination';
import { APP_CONFIG } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import type { Actor } from '../posts/posts.service';
import { BulkErrors } from './bulk.errors';
import type { ImportRowsRequest, ListImportsRequest, StartImportRequest } from './dto/bulk.requests';
import { parseImportCsv } from './import-csv.parser';
import { PostImport, UNFINISHED, type ImportGrants } from './post-import.entity';
import { PostImportRow } from './post-import-row.entity';
import { toImportResponse, toImportRowResponse, type ImportResponse, type ImportRowResponse } from './post-imports.mapper';
import { PostImportsWorker } from './post-imports.worker';

/** Imports of one workspace queued or running at once; more waits for one to end. */
export const MAX_UNFINISHED_IMPORTS = 3;

/**
 * Starts CSV imports and reports on them. Starting only checks that the file is CSV with known
 * columns (so a broken file is refused at once and nothing is stored); the rows are validated
 * and created in the background (see RunImportService).
 */
@Injectable()
export class PostImportsService {
  constructor(
    private readonly em: EntityManager,
    private readonly worker: PostImportsWorker,
    @Inject(APP_CONFIG) private readonly config: PublishingConfig,
  ) {}

  async start(actor: Actor, grants: ImportGrants, body: unknown, q: StartImportRequest): Promise<ImportResponse> {
    if (typeof body !== 'string') {
      throw new DomainError(BulkErrors.csvInvalid, 'Send the CSV file as the request body with Content-Type: text/csv', { errors: [{ field: 'body', messages: ['a text/csv body is required'] }] });
    }
    const parsed = parseImportCsv(body, this.config.bulk.maxRows);
    const em = this.em.fork();
    const unfinished = await em.count(PostImport, { workspaceId: actor.workspaceId, status: { $in: [...UNFINISHED] } });
    if (unfinished >= MAX_UNFINISHED_IMPORTS) {
      throw new DomainError(BulkErrors.tooManyImports, `${unfinished} imports of this workspace are still running`, { detail: 'Wait for one to finish, then start this one', max: MAX_UNFINISHED_IMPORTS });
    }
    const imp = new PostImport();
    imp.workspaceId = actor.workspaceId;
    imp.createdBy = actor.userId;
    imp.mode = q.mode ?? 'all-or-nothing';
    imp.dryRun = q.dryRun ?? false;
    imp.total = parsed.rows.length;
    imp.source = body;
    imp.grants = grants;
    em.persist(imp);
    await em.flush();
    this.worker.kick();
    return toImportResponse(imp);
  }

  async get(actor: Actor, id: string, q: ImportRowsRequest): Promise<ImportResponse & { rows: { items: ImportRowResponse[]; nextCursor: string | null } }> {
    const em = this.em.fork();
    const imp = await em.findOne(PostImport, this.scope(actor, { id }));
    if (!imp) throw new DomainError(BulkErrors.importNotFound, 'No such import');
    const limit = q.limit ?? 50;
    const where: FilterQuery<PostImportRow> = { importId: imp.id };
    if (q.rowStatus) where.status = q.rowStatus;
    if (q.cursor) where.row = { $gt: decodeRowCursor(q.cursor) };
    const rows = await em.find(PostImportRow, where, { orderBy: { row: 'asc' }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      ...toImportResponse(imp),
      rows: { items: page.map(toImportRowResponse), nextCursor: rows.length > limit ? encodeRowCursor(page[page.length - 1].row) : null },
    };
  }

  async list(actor: Actor, q: ListImportsRequest): Promise<{ items: ImportResponse[]; nextCursor: string | null }> {
    const limit = q.limit ?? 20;
    const where = this.scope(actor, {});
    if (q.cursor) {
      Object.assign(where, keysetAfter('createdAt', decodeTimeIdCursor(q.cursor)));
    }
    const items = await this.em.fork().find(PostImport, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toImportResponse), nextCursor: items.length > limit ? encodeTimeIdCursor(last.createdAt, last.id) : null };
  }

  /** The caller's workspace; a grant narrowed to own resources sees only the caller's imports. */
  private scope(actor: Actor, where: FilterQuery<PostImport> & object): FilterQuery<PostImport> & Record<string, unknown> {
    return { ...where, workspaceId: actor.workspaceId, ...(actor.conditions?.ownOnly ? { createdBy: actor.userId } : {}) };
  }
}

function encodeRowCursor(row: number): string {
  return encodeCursor({ r: row });
}

function decodeRowCursor(cursor: string): number {
  return decodeCursor(cursor, (v) => (typeof v.r === 'number' && Number.isInteger(v.r) ? v.r : null));
}
