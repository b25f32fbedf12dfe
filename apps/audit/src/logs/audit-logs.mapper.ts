import type { StoredAuditEntry } from './audit-logs.query';

/** The fields an API caller sees: an allow-list, never the stored document as is. */
export function toAuditLogResponse(e: StoredAuditEntry) {
  return {
    id: e._id.toHexString(),
    workspaceId: e.workspaceId,
    userId: e.userId,
    userName: e.userName,
    userEmail: e.userEmail,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    details: e.details,
    ipAddress: e.ipAddress,
    userAgent: e.userAgent,
    timestamp: e.timestamp.toISOString(),
    seq: e.seq,
    hash: e.hash,
    prevHash: e.prevHash,
  };
}

const COLUMNS = ['timestamp', 'id', 'seq', 'userId', 'userName', 'userEmail', 'action', 'resourceType', 'resourceId', 'ipAddress', 'userAgent', 'details', 'hash'] as const;

/** RFC 4180 field; a leading = + - @ is neutralised so spreadsheets do not run it as a formula. */
function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = `${COLUMNS.join(',')}\r\n`;

export function toCsvRow(e: StoredAuditEntry): string {
  const r = toAuditLogResponse(e);
  return `${COLUMNS.map((c) => csvField(r[c])).join(',')}\r\n`;
}
