import { DateTime } from 'luxon';
import { DomainError } from '@lib/contracts';

/** Longest calendar range, in local days (two months and a bit: any month view with its edges). */
export const MAX_CALENDAR_DAYS = 62;

export const CalendarErrors = {
  invalid: 'PUBLISHING.CALENDAR_VALIDATION_FAILED',
  tooMany: 'PUBLISHING.CALENDAR_TOO_MANY_POSTS_UNPROCESSABLE',
} as const;

export function isLocalDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError(CalendarErrors.invalid, 'Invalid request', { detail: `${field}: ${message}`, errors: [{ field, messages: [message] }] });
}

export interface LocalRange {
  /** First instant of `from` in the zone. */
  start: Date;
  /** First instant after `to` in the zone (exclusive). */
  end: Date;
  /** Every local date from `from` to `to`, in order. */
  dates: string[];
}

/**
 * The instants covered by the local dates [from, to] in `zone`. A day is not always 24 hours
 * (23 or 25 when the clocks change): the bounds are each local midnight, never from + n × 24 h.
 */
export function localRange(from: string, to: string, zone: string): LocalRange {
  const first = DateTime.fromISO(from, { zone }).startOf('day');
  const last = DateTime.fromISO(to, { zone }).startOf('day');
  if (last < first) throw invalid('to', 'must not be before from');
  const dates: string[] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 }).startOf('day')) {
    dates.push(d.toISODate()!);
    if (dates.length > MAX_CALENDAR_DAYS) throw invalid('to', `the range may cover at most ${MAX_CALENDAR_DAYS} days`);
  }
  return { start: first.toJSDate(), end: last.plus({ days: 1 }).startOf('day').toJSDate(), dates };
}

/** Items placed on their local day (`at`: the instant in the zone, with its offset), in time order; every date of the range present, empty or not. */
export function placeByDay<T>(items: readonly T[], dates: readonly string[], zone: string, at: (item: T) => Date): { date: string; items: { item: T; at: string }[] }[] {
  const days = new Map(dates.map((d) => [d, [] as { item: T; when: DateTime }[]]));
  for (const item of items) {
    const when = DateTime.fromJSDate(at(item), { zone });
    days.get(when.toISODate()!)?.push({ item, when });
  }
  return dates.map((date) => ({
    date,
    items: days
      .get(date)!
      .sort((a, b) => a.when.toMillis() - b.when.toMillis())
      .map(({ item, when }) => ({ item, at: when.toISO()! })),
  }));
}
