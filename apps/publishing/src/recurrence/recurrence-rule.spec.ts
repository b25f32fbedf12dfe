import { RecurrenceRuleError, parseRecurrenceRule, untilWallTime } from './recurrence-rule';
import { formatWallTime } from './wall-clock';

const refusal = (rule: string): string => {
  try {
    parseRecurrenceRule(rule);
  } catch (err) {
    if (err instanceof RecurrenceRuleError) return err.message;
    throw err;
  }
  throw new Error(`${rule} was accepted`);
};

describe('parseRecurrenceRule', () => {
  it('accepts common rules and normalises them (upper case, no RRULE: prefix)', () => {
    expect(parseRecurrenceRule('RRULE:freq=weekly;byday=mo,we').text).toBe('FREQ=WEEKLY;BYDAY=MO,WE');
    expect(parseRecurrenceRule('FREQ=MONTHLY;BYDAY=-1FR;COUNT=12')).toMatchObject({ freq: 'MONTHLY', count: 12, until: null });
    expect(parseRecurrenceRule('FREQ=DAILY;BYHOUR=9,17;BYMINUTE=30').freq).toBe('DAILY');
    expect(parseRecurrenceRule('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24').freq).toBe('YEARLY');
  });

  it('requires FREQ', () => {
    expect(refusal('BYDAY=MO')).toMatch(/FREQ is required/);
    expect(refusal('FREQ=FORTNIGHTLY')).toMatch(/^FREQ must be/);
  });

  it('refuses more than one post an hour: sub-daily FREQs and BY-lists too close together', () => {
    expect(refusal('FREQ=HOURLY')).toMatch(/FREQ=HOURLY is not allowed.*once an hour/);
    expect(refusal('FREQ=MINUTELY;INTERVAL=90')).toMatch(/FREQ=MINUTELY is not allowed/);
    expect(refusal('FREQ=SECONDLY')).toMatch(/FREQ=SECONDLY is not allowed/);
    expect(refusal('FREQ=DAILY;BYMINUTE=0,30')).toMatch(/more than once an hour/);
    expect(refusal('FREQ=WEEKLY;BYHOUR=9;BYMINUTE=0;BYSECOND=0,59')).toMatch(/more than once an hour/);
    // 23:30 and the next day's 00:30 are an hour apart: allowed.
    expect(parseRecurrenceRule('FREQ=DAILY;BYHOUR=0,23;BYMINUTE=30').freq).toBe('DAILY');
    expect(refusal('FREQ=DAILY;BYHOUR=0,23;BYMINUTE=45,15')).toMatch(/more than once an hour/);
    expect(parseRecurrenceRule('FREQ=DAILY;BYHOUR=8,9,10').freq).toBe('DAILY');
  });

  it('refuses DTSTART and TZID: the start and the zone come separately', () => {
    expect(refusal('DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY')).toMatch(/DTSTART or TZID/);
    expect(refusal('FREQ=DAILY;DTSTART=20270101T090000Z')).toMatch(/DTSTART or TZID/);
    expect(refusal('FREQ=DAILY;TZID=Europe/Berlin')).toMatch(/DTSTART or TZID/);
  });

  it('refuses what rrule would quietly ignore: unknown parts, bad values, repeats, several lines', () => {
    expect(refusal('FREQ=DAILY;BYEASTER=0')).toMatch(/BYEASTER is not a supported/);
    expect(refusal('FREQ=DAILY;X-NAME=1')).toMatch(/not a supported/);
    expect(refusal('FREQ=WEEKLY;BYDAY=XX')).toMatch(/'XX' is not a weekday/);
    expect(refusal('FREQ=MONTHLY;BYMONTHDAY=32')).toMatch(/out of range/);
    expect(refusal('FREQ=MONTHLY;BYMONTHDAY=0')).toMatch(/out of range/);
    expect(refusal('FREQ=DAILY;BYHOUR=24')).toMatch(/out of range/);
    expect(refusal('FREQ=DAILY;COUNT=0')).toMatch(/^COUNT must be/);
    expect(refusal('FREQ=DAILY;COUNT=abc')).toMatch(/^COUNT must be/);
    expect(refusal('FREQ=DAILY;FREQ=WEEKLY')).toMatch(/given twice/);
    expect(refusal('FREQ=DAILY;;COUNT=2')).toMatch(/NAME=VALUE/);
    expect(refusal('FREQ=DAILY;UNTIL=20270230')).toMatch(/^UNTIL must be/);
    expect(refusal('FREQ=DAILY\nRDATE:20270101')).toMatch(/single RRULE line/);
    expect(refusal('')).toMatch(/must be an RRULE/);
    expect(refusal(`FREQ=DAILY;BYMONTH=${Array(300).fill(1).join(',')}`)).toMatch(/at most 500/);
  });

  it("applies RFC 5545's combination rules", () => {
    expect(refusal('FREQ=DAILY;COUNT=3;UNTIL=20270101')).toMatch(/COUNT and UNTIL/);
    expect(refusal('FREQ=MONTHLY;BYWEEKNO=3')).toMatch(/BYWEEKNO is only allowed/);
    expect(refusal('FREQ=WEEKLY;BYMONTHDAY=1')).toMatch(/BYMONTHDAY is not allowed/);
    expect(refusal('FREQ=WEEKLY;BYDAY=1MO')).toMatch(/ordinal/);
    expect(refusal('FREQ=MONTHLY;BYSETPOS=1')).toMatch(/BYSETPOS needs/);
    expect(parseRecurrenceRule('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1').freq).toBe('MONTHLY');
  });

  it('reads UNTIL in UTC as an instant, and a floating or date-only UNTIL as wall time (a date includes its day)', () => {
    expect(formatWallTime(untilWallTime(parseRecurrenceRule('FREQ=DAILY;UNTIL=20270328T070000Z'), 'Europe/Berlin')!)).toBe('2027-03-28T09:00');
    expect(formatWallTime(untilWallTime(parseRecurrenceRule('FREQ=DAILY;UNTIL=20270328T090000'), 'Europe/Berlin')!)).toBe('2027-03-28T09:00');
    expect(formatWallTime(untilWallTime(parseRecurrenceRule('FREQ=DAILY;UNTIL=20270328'), 'Europe/Berlin')!)).toBe('2027-03-28T23:59:59');
    expect(untilWallTime(parseRecurrenceRule('FREQ=DAILY'), 'Europe/Berlin')).toBeNull();
  });
});
