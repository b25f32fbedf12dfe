import { RRule, type Options } from 'rrule';
import { instantToWallTime, type WallTime } from './wall-clock';

/** Why a rule was refused, in words for the user (reported under the field `rrule`). */
export class RecurrenceRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecurrenceRuleError';
  }
}

export type RuleFrequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** An RFC 5545 RRULE checked strictly; the start and the zone are kept apart from it. */
export interface RecurrenceRule {
  /** Normalised text (upper case, no 'RRULE:' prefix): what is stored. */
  text: string;
  freq: RuleFrequency;
  count: number | null;
  /**
   * The end of the series. RFC 5545 wants UNTIL in UTC when the start has a zone; a floating
   * date-time or a date (inclusive: the whole day) is read as wall time in the series' zone.
   */
  until: { kind: 'instant'; at: Date } | { kind: 'wall'; wall: WallTime } | null;
  /** rrule's options for floating expansion, without dtstart and until. */
  options: Partial<Options>;
}

export const MAX_COUNT = 10_000;
export const MAX_RULE_LENGTH = 500;
const DAY_MS = 86_400_000;
const HOUR_S = 3600;

const WEEKDAY = '(SU|MO|TU|WE|TH|FR|SA)';
type Check = (value: string) => string | null;

function intList(min: number, max: number, signed: boolean): Check {
  return (value) => {
    for (const item of value.split(',')) {
      if (!(signed ? /^[+-]?\d{1,3}$/ : /^\d{1,3}$/).test(item)) return `'${item}' is not ${signed ? 'an integer' : 'a number'}`;
      const n = Math.abs(Number(item));
      if ((signed && n === 0) || (signed ? n : Number(item)) < min || n > max) return `'${item}' is out of range (${signed ? `±${min}..${max}` : `${min}..${max}`})`;
    }
    return null;
  };
}

function positive(max: number): Check {
  return (value) => (/^\d{1,6}$/.test(value) && Number(value) >= 1 && Number(value) <= max ? null : `must be a whole number from 1 to ${max}`);
}

const PARTS: Record<string, Check> = {
  FREQ: (v) => (/^(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/.test(v) ? null : 'must be DAILY, WEEKLY, MONTHLY or YEARLY'),
  UNTIL: (v) => (/^\d{8}(T\d{6}Z?)?$/.test(v) && untilParts(v) ? null : 'must be a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSSZ)'),
  COUNT: positive(MAX_COUNT),
  INTERVAL: positive(1000),
  BYSECOND: intList(0, 59, false),
  BYMINUTE: intList(0, 59, false),
  BYHOUR: intList(0, 23, false),
  BYDAY: (v) => {
    for (const item of v.split(',')) {
      const m = new RegExp(`^([+-]?\\d{1,2})?${WEEKDAY}$`).exec(item);
      if (!m) return `'${item}' is not a weekday (MO, TU, … or with an ordinal like 1MO, -1FR)`;
      if (m[1] !== undefined && (Math.abs(Number(m[1])) < 1 || Math.abs(Number(m[1])) > 53)) return `'${item}': the ordinal must be ±1..53`;
    }
    return null;
  },
  BYMONTHDAY: intList(1, 31, true),
  BYYEARDAY: intList(1, 366, true),
  BYWEEKNO: intList(1, 53, true),
  BYMONTH: intList(1, 12, false),
  BYSETPOS: intList(1, 366, true),
  WKST: (v) => (new RegExp(`^${WEEKDAY}$`).test(v) ? null : 'must be a weekday (MO, TU, …)'),
};

function untilParts(v: string): number[] | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return [y, mo, d, h, mi, s];
}

/**
 * Parses and checks an RRULE strictly: every part known and well-formed (rrule's own parser
 * accepts a lot it then ignores), RFC 5545's combination rules, and a pace of at most one post
 * an hour. Throws RecurrenceRuleError naming what is wrong.
 */
export function parseRecurrenceRule(input: string): RecurrenceRule {
  if (typeof input !== 'string' || !input.trim()) throw new RecurrenceRuleError('must be an RRULE such as FREQ=WEEKLY;BYDAY=MO');
  if (input.length > MAX_RULE_LENGTH) throw new RecurrenceRuleError(`must be at most ${MAX_RULE_LENGTH} characters`);
  if (/DTSTART|TZID/i.test(input)) {
    throw new RecurrenceRuleError('must not contain DTSTART or TZID: send the first occurrence as startsAt and the zone as timeZone');
  }
  if (/[\r\n]/.test(input.trim())) throw new RecurrenceRuleError('must be a single RRULE line (no RDATE or EXDATE lines)');
  const body = input.trim().replace(/^RRULE:/i, '');
  const seen = new Map<string, string>();
  for (const part of body.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RecurrenceRuleError(`'${part}' is not NAME=VALUE`);
    const name = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim().toUpperCase();
    const check = PARTS[name];
    if (!check) throw new RecurrenceRuleError(`${name} is not a supported RRULE part`);
    if (seen.has(name)) throw new RecurrenceRuleError(`${name} is given twice`);
    const problem = value ? check(value) : 'has no value';
    if (problem) throw new RecurrenceRuleError(`${name} ${problem}`);
    seen.set(name, value);
  }
  const freq = seen.get('FREQ');
  if (!freq) throw new RecurrenceRuleError('FREQ is required (DAILY, WEEKLY, MONTHLY or YEARLY)');
  if (freq === 'SECONDLY' || freq === 'MINUTELY' || freq === 'HOURLY') {
    throw new RecurrenceRuleError(`FREQ=${freq} is not allowed: a series posts at most once an hour, since networks rate-limit and flag accounts that post more often`);
  }
  checkCombinations(freq as RuleFrequency, seen);
  checkPace(seen);

  const until = seen.get('UNTIL');
  const text = [...seen].map(([k, v]) => `${k}=${v}`).join(';');
  let options: Partial<Options>;
  try {
    const parsed = RRule.parseString([...seen].filter(([k]) => k !== 'UNTIL').map(([k, v]) => `${k}=${v}`).join(';'));
    // Let rrule check what it builds from the options, with any start.
    new RRule({ ...parsed, dtstart: new Date(Date.UTC(2000, 0, 1)) });
    options = parsed;
  } catch (err) {
    throw new RecurrenceRuleError(`is not a valid RRULE: ${(err as Error).message}`);
  }
  return {
    text,
    freq: freq as RuleFrequency,
    count: seen.has('COUNT') ? Number(seen.get('COUNT')) : null,
    until: until ? untilOf(until) : null,
    options,
  };
}

function untilOf(value: string): RecurrenceRule['until'] {
  const [y, mo, d, h, mi, s] = untilParts(value)!;
  const fields = Date.UTC(y, mo - 1, d, h, mi, s);
  if (value.endsWith('Z')) return { kind: 'instant', at: new Date(fields) };
  // A date alone includes its whole day.
  return { kind: 'wall', wall: value.includes('T') ? fields : fields + DAY_MS - 1000 };
}

/** RFC 5545 §3.3.10: the parts that make no sense with a frequency. */
function checkCombinations(freq: RuleFrequency, parts: Map<string, string>): void {
  if (parts.has('COUNT') && parts.has('UNTIL')) throw new RecurrenceRuleError('COUNT and UNTIL must not both be given');
  if (parts.has('BYWEEKNO') && freq !== 'YEARLY') throw new RecurrenceRuleError('BYWEEKNO is only allowed with FREQ=YEARLY');
  if (parts.has('BYYEARDAY') && freq !== 'YEARLY') throw new RecurrenceRuleError('BYYEARDAY is only allowed with FREQ=YEARLY');
  if (parts.has('BYMONTHDAY') && freq === 'WEEKLY') throw new RecurrenceRuleError('BYMONTHDAY is not allowed with FREQ=WEEKLY');
  const byday = parts.get('BYDAY');
  if (byday && /\d/.test(byday) && (freq === 'DAILY' || freq === 'WEEKLY' || (freq === 'YEARLY' && parts.has('BYWEEKNO')))) {
    throw new RecurrenceRuleError('BYDAY with an ordinal (like 1MO) is only allowed with FREQ=MONTHLY or YEARLY');
  }
  if (parts.has('BYSETPOS') && ![...parts.keys()].some((k) => k.startsWith('BY') && k !== 'BYSETPOS')) {
    throw new RecurrenceRuleError('BYSETPOS needs another BY… part to select from');
  }
}

/**
 * With FREQ of a day or more, two occurrences on the same day differ only by their times of day
 * (BYHOUR × BYMINUTE × BYSECOND; a part left out is one value, the start's), and occurrences
 * on consecutive days at least by a day minus the spread of those times. So the closest two can
 * ever be is the smallest of those gaps; it must be an hour or more.
 */
function checkPace(parts: Map<string, string>): void {
  const list = (name: string) => (parts.get(name)?.split(',').map(Number) ?? [0]).filter((v, i, a) => a.indexOf(v) === i);
  const times: number[] = [];
  for (const h of list('BYHOUR')) for (const m of list('BYMINUTE')) for (const s of list('BYSECOND')) times.push(h * HOUR_S + m * 60 + s);
  times.sort((a, b) => a - b);
  let closest = 86_400 - (times[times.length - 1] - times[0]);
  for (let i = 1; i < times.length; i++) closest = Math.min(closest, times[i] - times[i - 1]);
  if (closest < HOUR_S) {
    throw new RecurrenceRuleError('would post more than once an hour (BYHOUR/BYMINUTE/BYSECOND too close together): networks rate-limit and flag accounts that post that often');
  }
}

/** The rule's end as wall time in `zone` (for floating expansion), or null for an open series. */
export function untilWallTime(rule: RecurrenceRule, zone: string): WallTime | null {
  if (!rule.until) return null;
  return rule.until.kind === 'instant' ? instantToWallTime(rule.until.at, zone) : rule.until.wall;
}
