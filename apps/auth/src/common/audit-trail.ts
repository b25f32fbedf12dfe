import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import type { Caller } from './caller';
import type { ClientInfo } from './client-info';

export interface AuditEntry {
  /** e.g. `auth.login`, `auth.login_failed`, `auth.session_revoked`. */
  action: string;
  resourceType: string;
  resourceId: string;
  workspaceId: string | null;
  user: { id: string; name: string; email: string } | null;
  /** Never a password or a token. */
  details: Record<string, unknown>;
  client: ClientInfo | null;
}

/** `{ before, after }` of the fields whose values differ, or null when nothing changed. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } | null {
  const keys = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (!keys.length) return null;
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k]])) as Partial<T>,
    after: Object.fromEntries(keys.map((k) => [k, after[k]])) as Partial<T>,
  };
}

/** Stages `audit.recorded` in the caller's unit of work (same transaction as the change). */
@Injectable()
export class AuditTrail {
  constructor(private readonly outbox: OutboxWriter) {}

  /** Something the signed-in caller did in their own workspace. */
  byCaller(em: EntityManager, caller: Pick<Caller, 'userId' | 'workspaceId' | 'name' | 'email'>, client: ClientInfo | null, e: Pick<AuditEntry, 'action' | 'resourceType' | 'resourceId' | 'details'>): void {
    this.record(em, { ...e, workspaceId: caller.workspaceId, user: { id: caller.userId, name: caller.name, email: caller.email }, client });
  }

  record(em: EntityManager, e: AuditEntry): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      {
        action: e.action,
        resourceType: e.resourceType,
        resourceId: e.resourceId,
        userId: e.user?.id ?? null,
        userName: e.user?.name ?? null,
        userEmail: e.user?.email ?? null,
        details: e.details,
        ipAddress: e.client?.ip ?? null,
        userAgent: e.client?.userAgent ?? null,
      },
      {
        // The topic is keyed by workspace; sign-in failures for unknown emails have none.
        subject: e.workspaceId ?? 'no-workspace',
        workspaceId: e.workspaceId,
        actor: e.user ? { type: 'user', id: e.user.id } : { type: 'service', id: 'auth' },
      },
    );
  }
}
