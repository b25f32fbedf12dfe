import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
export const CHECKPOINT_ACTION = 'audit.checkpoint';

/** The fields an entry's hash covers: everything it says, and its place in the chain. */
export interface ChainContent {
  workspaceId: string;
  userId: string | null;
  userName: string | null;
  userEmail: string | null;
  action: string;
  resourceType: string;
  resourceId: string;
  details: Record<string, unknown>;
  ipAddress: string | null;
  userAgent: string | null;
  timestamp: Date;
  seq: number;
  eventId: string | null;
}

/** JSON with sorted keys and ISO dates: the same content always gives the same bytes. */
export function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function chainHash(prevHash: string, content: ChainContent): string {
  const c: ChainContent = {
    workspaceId: content.workspaceId,
    userId: content.userId,
    userName: content.userName,
    userEmail: content.userEmail,
    action: content.action,
    resourceType: content.resourceType,
    resourceId: content.resourceId,
    details: content.details,
    ipAddress: content.ipAddress,
    userAgent: content.userAgent,
    timestamp: content.timestamp,
    seq: content.seq,
    eventId: content.eventId,
  };
  return createHash('sha256').update(`${prevHash}\n${canonical(c)}`).digest('hex');
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|private[-_]?key|credential/i;

/** Secrets never reach the log, whatever a producer sent: their values are replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 20) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]),
    );
  }
  return value;
}

export type VerifyResult = { valid: true; checked: number } | { valid: false; brokenAt: string; checked: number };

type Linked = ChainContent & { id: string; prevHash: string; hash: string };

/**
 * Walks one workspace's entries in `seq` order, one at a time (the whole log never has to be in
 * memory). The first entry links to the genesis hash, or is a checkpoint left by a retention
 * purge: it stands in for the last purged entry and carries that entry's hash, which the next
 * entry links to, so a forged checkpoint breaks the link and is caught there.
 */
export class ChainVerifier {
  private expectedPrev: string | null = null;
  private expectedSeq: number | null = null;
  checked = 0;

  /** Returns false at the first broken entry. */
  push(e: Linked): boolean {
    const first = this.expectedPrev === null;
    if (first && e.action === CHECKPOINT_ACTION && e.eventId === null) {
      this.accept(e);
      return true;
    }
    const linkOk = first ? e.seq === 1 && e.prevHash === GENESIS_HASH : e.prevHash === this.expectedPrev && e.seq === this.expectedSeq;
    if (!linkOk || chainHash(e.prevHash, e) !== e.hash) return false;
    this.accept(e);
    return true;
  }

  private accept(e: Linked): void {
    this.expectedPrev = e.hash;
    this.expectedSeq = e.seq + 1;
    this.checked++;
  }
}

export function verifyEntries(entries: Iterable<Linked>): VerifyResult {
  const v = new ChainVerifier();
  for (const e of entries) if (!v.push(e)) return { valid: false, brokenAt: e.id, checked: v.checked };
  return { valid: true, checked: v.checked };
}
