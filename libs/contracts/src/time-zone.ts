/**
 * What the platform accepts as a time zone (workspace settings, calendars, recurring posts,
 * CSV times): an IANA name this runtime's Intl knows, aliases included, never a fixed offset
 * such as `+01:00` (a zone must follow its own DST rules).
 */
export function canonicalTimeZone(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(value)) return null;
  try {
    // 'utc' → 'UTC', 'Asia/Calcutta' stays an accepted alias of its zone.
    return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isIanaTimeZone(value: unknown): value is string {
  return canonicalTimeZone(value) !== null;
}
