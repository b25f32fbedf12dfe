import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mongodb';
import { ObjectId } from '@mikro-orm/mongodb';
import type { AuditRecordedV1, EventEnvelope } from '@lib/contracts';
import { GENESIS_HASH, chainHash, redact, type ChainContent } from './audit-chain';

interface StoredEntry extends ChainContent {
  _id: ObjectId;
  prevHash: string;
  hash: string;
}

const MAX_RACES = 20;

/**
 * Appends an event to its workspace's chain. The chain lives in the entries themselves: the
 * next `seq` follows the newest entry, and the unique (workspaceId, seq) index makes two
 * writers racing for the same place fail, so the loser re-reads and tries the next one. A
 * redelivered event hits the unique eventId index and is stored once.
 */
@Injectable()
export class AppendAuditEntryService {
  constructor(private readonly orm: MikroORM) {}

  private get entries() {
    return this.orm.em.getConnection().getCollection<StoredEntry>('audit_logs');
  }

  private head(workspaceId: string) {
    return this.entries.find({ workspaceId }).sort({ seq: -1 }).limit(1).next();
  }

  async execute(event: EventEnvelope<AuditRecordedV1>): Promise<'stored' | 'duplicate'> {
    const workspaceId = workspaceOf(event);
    for (let race = 0; race < MAX_RACES; race++) {
      const head = await this.head(workspaceId);
      const content = toContent(event, (head?.seq ?? 0) + 1);
      const prevHash = head?.hash ?? GENESIS_HASH;
      try {
        await this.entries.insertOne({ _id: new ObjectId(), ...content, prevHash, hash: chainHash(prevHash, content) });
        return 'stored';
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        const existing = await this.entries.findOne({ eventId: event.id });
        if (existing) return 'duplicate';
        // Lost the race for this seq: read the new head and try again.
      }
    }
    throw new Error(`could not append to the audit chain of ${workspaceId} after ${MAX_RACES} attempts`);
  }

  /**
   * A batch in one write per workspace: links the events after the current head and inserts
   * them in order. Any conflict (a redelivered event, a concurrent writer) sends that
   * workspace's events through `execute` one by one, which settles each case.
   */
  async executeBatch(events: EventEnvelope<AuditRecordedV1>[]): Promise<void> {
    const byWorkspace = new Map<string, EventEnvelope<AuditRecordedV1>[]>();
    for (const e of events) {
      const w = workspaceOf(e);
      byWorkspace.set(w, [...(byWorkspace.get(w) ?? []), e]);
    }
    for (const [workspaceId, list] of byWorkspace) {
      const head = await this.head(workspaceId);
      let prevHash = head?.hash ?? GENESIS_HASH;
      let seq = head?.seq ?? 0;
      const docs = list.map((e) => {
        const content = toContent(e, ++seq);
        const hash = chainHash(prevHash, content);
        const doc = { _id: new ObjectId(), ...content, prevHash, hash };
        prevHash = hash;
        return doc;
      });
      try {
        await this.entries.insertMany(docs, { ordered: true });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
        for (const e of list) await this.execute(e);
      }
    }
  }
}

function workspaceOf(event: EventEnvelope<AuditRecordedV1>): string {
  if (!event.workspaceid) throw new Error('audit event without a workspace');
  return event.workspaceid;
}

function toContent(event: EventEnvelope<AuditRecordedV1>, seq: number): ChainContent {
  const d = event.data;
  return {
    workspaceId: workspaceOf(event),
    userId: d.userId ?? null,
    userName: d.userName ?? null,
    userEmail: d.userEmail ?? null,
    action: d.action,
    resourceType: d.resourceType,
    resourceId: d.resourceId,
    details: redact(d.details ?? {}) as Record<string, unknown>,
    ipAddress: d.ipAddress ?? null,
    userAgent: d.userAgent ?? null,
    timestamp: new Date(event.time),
    seq,
    eventId: event.id,
  };
}
