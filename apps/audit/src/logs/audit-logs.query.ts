import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mongodb';
import type { Filter, FindCursor, WithId } from 'mongodb';
import { decodeCursor, encodeCursor } from '@lib/pagination';
import { ChainVerifier, type ChainContent, type VerifyResult } from './audit-chain';

export interface AuditLogFilter {
  userId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
}

export interface StoredAuditEntry extends ChainContent {
  _id: { toHexString(): string };
  prevHash: string;
  hash: string;
}

/** Opaque cursor: the seq of the last entry of the previous page (newest first). */
function encodeSeqCursor(seq: number): string {
  return encodeCursor({ s: seq });
}

function decodeSeqCursor(cursor: string): number {
  return decodeCursor(cursor, (v) => (typeof v.s === 'number' && Number.isInteger(v.s) && v.s > 0 ? v.s : null));
}

@Injectable()
export class AuditLogsQuery {
  constructor(private readonly orm: MikroORM) {}

  private get entries() {
    return this.orm.em.getConnection().getCollection<StoredAuditEntry>('audit_logs');
  }

  private filter(workspaceId: string, f: AuditLogFilter, beforeSeq?: number): Filter<StoredAuditEntry> {
    const q: Filter<StoredAuditEntry> = { workspaceId, action: { $ne: 'audit.checkpoint' } };
    if (f.userId) q.userId = f.userId;
    if (f.action) q.action = f.action;
    if (f.resourceType) q.resourceType = f.resourceType;
    if (f.resourceId) q.resourceId = f.resourceId;
    if (f.from || f.to) q.timestamp = { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lte: f.to } : {}) };
    if (beforeSeq !== undefined) q.seq = { $lt: beforeSeq };
    return q;
  }

  /** One page, newest first, scoped to the caller's workspace. */
  async page(workspaceId: string, f: AuditLogFilter, limit: number, cursor?: string): Promise<{ items: StoredAuditEntry[]; nextCursor: string | null }> {
    const items = await this.entries
      .find(this.filter(workspaceId, f, cursor ? decodeSeqCursor(cursor) : undefined))
      .sort({ seq: -1 })
      .limit(limit + 1)
      .toArray();
    const more = items.length > limit;
    const page = items.slice(0, limit);
    return { items: page, nextCursor: more ? encodeSeqCursor(page[page.length - 1].seq) : null };
  }

  /** Every matching entry, newest first, as a cursor the export streams from. */
  stream(workspaceId: string, f: AuditLogFilter): FindCursor<WithId<StoredAuditEntry>> {
    return this.entries.find(this.filter(workspaceId, f)).sort({ seq: -1 }).batchSize(500);
  }

  /** Walks the whole chain of a workspace, oldest first. */
  async verify(workspaceId: string): Promise<VerifyResult> {
    const verifier = new ChainVerifier();
    for await (const e of this.entries.find({ workspaceId }).sort({ seq: 1 }).batchSize(1000)) {
      const id = e._id.toHexString();
      if (!verifier.push({ ...e, id })) return { valid: false, brokenAt: id, checked: verifier.checked };
    }
    return { valid: true, checked: verifier.checked };
  }
}
