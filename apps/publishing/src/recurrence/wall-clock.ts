import { IANAZone } from 'luxon';

/**
 * Local wall-clock time without a zone ("09:00 on 2027-03-28"), held as the number of
 * milliseconds of the same fields read as UTC. Arithmetic on it is calendar arithmetic, never
 * affected by a DST change: that is what lets a rule say "every Sunday at 09:00".
 */
export type WallTime = number;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_MS = 86_400_000;

/** 'YYYY-MM-DDTHH:mm[:ss]' (no offset, no zone) → wall time; null when malformed or not a real date. */
export function parseWallTime(text: string): WallTime | null {
  const m = LOCAL.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  if (y < 1970 || y > 2200 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  // Date.UTC rolls 2027-02-30 over to March: refuse instead.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return wall;
}

/** Wall time → 'YYYY-MM-DDTHH:mm', with ':ss' only when the seconds are not zero. */
export function formatWallTime(wall: WallTime): string {
  const iso = new Date(wall).toISOString();
  return iso.endsWith(':00.000Z') ? iso.slice(0, 16) : iso.slice(0, 19);
}

/** Minutes east of UTC in `zone` at the instant `ms`. */
function offsetAt(zone: IANAZone, ms: number): number {
  return zone.offset(ms);
}

/**
 * The instant at which clocks in `zone` show `wall`.
 *
 * - A time skipped by a spring-forward change (02:30 on a day clocks jump 02:00 → 03:00) moves
 *   forward by the gap: it is published at 03:30, as a person would expect of "02:30 but the
 *   clock skipped it", and never silently dropped.
 * - A time shown twice by a fall-back change takes the earlier instant (the first 02:30), so a
 *   series never posts twice nor an hour late.
 *
 * Zones change offset at most once around a given day, so the offsets a day either side are the
 * only candidates.
 */
export function wallTimeToInstant(wall: WallTime, zoneName: string): Date {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new Error(`not an IANA time zone: ${zoneName}`);
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const valid = [...new Set([before, after])].map((o) => wall - o * 60_000).filter((t) => offsetAt(zone, t) * 60_000 === wall - t);
  if (valid.length) return new Date(Math.min(...valid));
  // In the gap: read the wall time with the offset in force before it, which lands `gap` later.
  return new Date(wall - before * 60_000);
}

/** The wall time clocks in `zone` show at `instant`. */
export function instantToWallTime(instant: Date, zoneName: string): WallTime {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new Error(`not an IANA time zone: ${zoneName}`);
  return instant.getTime() + offsetAt(zone, instant.getTime()) * 60_000;
}

/** 'YYYY-MM-DDTHH:mm' of `instant` in `zone` (for responses). */
export function localText(instant: Date, zone: string): string {
  return formatWallTime(instantToWallTime(instant, zone));
}

