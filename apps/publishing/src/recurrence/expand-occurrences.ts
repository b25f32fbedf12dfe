import { RRule } from 'rrule';
import { parseRecurrenceRule, untilWallTime, type RecurrenceRule } from './recurrence-rule';
import { formatWallTime, instantToWallTime, parseWallTime, wallTimeToInstant, type WallTime } from './wall-clock';

/** What fixes a series in time: the rule, the zone its wall times are read in, and its start. */
export interface SeriesTiming {
  rule: RecurrenceRule;
  /** IANA zone. */
  timeZone: string;
  /** The first possible occurrence, as wall time in `timeZone`; it also gives the time of day. */
  startsAt: WallTime;
}

export interface Occurrence {
  /** The instant it is published. */
  at: Date;
  /** What clocks in the series' zone show then ('YYYY-MM-DDTHH:mm'). */
  local: string;
}

const DAY_MS = 86_400_000;
/** More than any zone's offset change: how far a wall time can land from its floating value. */
const SLACK_MS = 2 * DAY_MS;
const FAR_FUTURE: WallTime = Date.UTC(2200, 0, 1);

/**
 * Occurrences of a series at or after `from` (and at or before `to`), earliest first, at most
 * `limit`. DST-safe by construction: the rule is expanded in floating wall-clock time (rrule
 * given dates whose UTC fields are the local fields, so "every Sunday 09:00" stays 09:00 on the
 * calendar), and only then is each wall time turned into an instant in the zone
 * (wallTimeToInstant: a skipped time moves forward by the gap, a repeated one takes the first).
 * Two wall times that land on the same instant (02:30 moved to 03:30, and 03:30) count once.
 */
export function occurrencesBetween(series: SeriesTiming, from: Date, to: Date | null, limit: number): Occurrence[] {
  if (limit <= 0) return [];
  const { rule, timeZone, startsAt } = series;
  const until = untilWallTime(rule, timeZone);
  const expander = new RRule({ ...rule.options, dtstart: new Date(startsAt), until: until === null ? null : new Date(until), tzid: null });
  const fromWall = Math.max(startsAt, instantToWallTime(from, timeZone) - SLACK_MS);
  const toWall = to ? instantToWallTime(to, timeZone) + SLACK_MS : FAR_FUTURE;
  if (toWall < fromWall) return [];
  const found = new Map<number, Occurrence>();
  // Instants are in wall order except around a change: once `limit` are found, a little more
  // wall time is looked at before stopping.
  let stopAfter = Number.POSITIVE_INFINITY;
  expander.between(new Date(fromWall), new Date(toWall), true, (d) => {
    const wall = d.getTime();
    if (wall > stopAfter) return false;
    const at = wallTimeToInstant(wall, timeZone);
    const t = at.getTime();
    if (t >= from.getTime() && (!to || t <= to.getTime()) && !found.has(t)) found.set(t, { at, local: formatWallTime(instantToWallTime(at, timeZone)) });
    if (found.size >= limit && stopAfter === Number.POSITIVE_INFINITY) stopAfter = wall + SLACK_MS;
    return true;
  });
  return [...found.values()].sort((a, b) => a.at.getTime() - b.at.getTime()).slice(0, limit);
}

/** The first occurrence at or after `from`, or null when the series has ended by then. */
export function firstOccurrenceFrom(series: SeriesTiming, from: Date): Occurrence | null {
  return occurrencesBetween(series, from, null, 1)[0] ?? null;
}

/** The timing of a stored series (its rule was checked when it was set). */
export function timingOf(stored: { rrule: string; timeZone: string; startsAt: string }): SeriesTiming {
  const startsAt = parseWallTime(stored.startsAt);
  if (startsAt === null) throw new Error(`stored startsAt is not a wall time: ${stored.startsAt}`);
  return { rule: parseRecurrenceRule(stored.rrule), timeZone: stored.timeZone, startsAt };
}
