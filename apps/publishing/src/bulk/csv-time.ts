import { DateTime } from 'luxon';
import { canonicalTimeZone } from '@lib/contracts';

// 2026-12-01T09:30, 2026-12-01 09:30:15.250, each optionally followed by Z or ±hh[:mm].
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A usable IANA zone, or UTC (a bad zone in the workspace settings must not break imports). */
export function safeZone(zone: string): string {
  return canonicalTimeZone(zone) ?? 'UTC';
}

/**
 * A CSV time: ISO 8601 with an offset (or Z) is an instant; without one it is a wall-clock time
 * in the workspace's zone. A wall-clock time that does not exist there (skipped by a DST change)
 * is refused rather than silently shifted.
 */
export function parseCsvTime(cell: string, zone: string): { at: Date } | { error: string } {
  const value = cell.trim();
  const m = DATE_TIME.exec(value);
  const example = `use ISO 8601, e.g. 2026-12-01T09:30:00+01:00, or 2026-12-01 09:30 for ${zone} time`;
  if (!m) return { error: `'${value}' is not a date and time; ${example}` };
  const [, date, time, offset] = m;
  const iso = `${date}T${time}${offset ?? ''}`;
  const dt = offset ? DateTime.fromISO(iso, { setZone: true }) : DateTime.fromISO(iso, { zone });
  if (!dt.isValid) return { error: `'${value}' is not a valid date and time; ${example}` };
  if (!offset && dt.toFormat("yyyy-MM-dd'T'HH:mm") !== iso.slice(0, 16)) {
    return { error: `${date} ${time.slice(0, 5)} does not exist in ${zone} (the clocks change then); pick another time` };
  }
  return { at: dt.toJSDate() };
}

/** An instant as the workspace reads it, with its offset (what an export writes). */
export function formatCsvTime(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
}

/** Calendar month of an instant in a zone (`2026-12`), as plan limits count scheduled posts. */
export function monthOf(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM');
}
