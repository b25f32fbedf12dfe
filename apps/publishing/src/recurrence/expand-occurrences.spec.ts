import { firstOccurrenceFrom, occurrencesBetween, type SeriesTiming } from './expand-occurrences';
import { parseRecurrenceRule } from './recurrence-rule';
import { parseWallTime } from './wall-clock';

function series(rrule: string, timeZone: string, startsAt: string): SeriesTiming {
  const wall = parseWallTime(startsAt);
  if (wall === null) throw new Error(`bad start ${startsAt}`);
  return { rule: parseRecurrenceRule(rrule), timeZone, startsAt: wall };
}

const utc = (o: { at: Date }) => o.at.toISOString().replace(':00.000Z', 'Z');
const local = (o: { local: string }) => o.local;
const from = (iso: string) => new Date(iso);

describe('occurrencesBetween: floating expansion, then wall time → instant in the zone', () => {
  it('keeps a weekly 09:00 Europe/Berlin post at 09:00 across the spring change (2027-03-28): 08:00Z before, 07:00Z after', () => {
    const s = series('FREQ=WEEKLY;BYDAY=SU', 'Europe/Berlin', '2027-03-14T09:00');
    const got = occurrencesBetween(s, from('2027-03-01T00:00:00Z'), null, 4);
    expect(got.map(local)).toEqual(['2027-03-14T09:00', '2027-03-21T09:00', '2027-03-28T09:00', '2027-04-04T09:00']);
    expect(got.map(utc)).toEqual(['2027-03-14T08:00Z', '2027-03-21T08:00Z', '2027-03-28T07:00Z', '2027-04-04T07:00Z']);
  });

  it('keeps it at 09:00 across the autumn change (2027-10-31): 07:00Z before, 08:00Z after', () => {
    const s = series('FREQ=WEEKLY', 'Europe/Berlin', '2027-10-24T09:00');
    const got = occurrencesBetween(s, from('2027-10-01T00:00:00Z'), null, 3);
    expect(got.map(local)).toEqual(['2027-10-24T09:00', '2027-10-31T09:00', '2027-11-07T09:00']);
    expect(got.map(utc)).toEqual(['2027-10-24T07:00Z', '2027-10-31T08:00Z', '2027-11-07T08:00Z']);
  });

  it('moves a daily 02:30 forward by the gap on the day 02:30 does not exist, and back the next day', () => {
    const s = series('FREQ=DAILY', 'Europe/Berlin', '2027-03-27T02:30');
    const got = occurrencesBetween(s, from('2027-03-26T00:00:00Z'), null, 3);
    expect(got.map(local)).toEqual(['2027-03-27T02:30', '2027-03-28T03:30', '2027-03-29T02:30']);
    expect(got.map(utc)).toEqual(['2027-03-27T01:30Z', '2027-03-28T01:30Z', '2027-03-29T00:30Z']);
  });

  it('takes the earlier of the two 02:30s on the day clocks fall back, and posts once', () => {
    const s = series('FREQ=DAILY', 'Europe/Berlin', '2027-10-30T02:30');
    const got = occurrencesBetween(s, from('2027-10-29T00:00:00Z'), null, 3);
    expect(got.map(utc)).toEqual(['2027-10-30T00:30Z', '2027-10-31T00:30Z', '2027-11-01T01:30Z']);
    expect(got.map(local)).toEqual(['2027-10-30T02:30', '2027-10-31T02:30', '2027-11-01T02:30']);
  });

  it('counts a skipped hour and the hour it lands on once (02:30 → 03:30 and 03:30)', () => {
    const s = series('FREQ=DAILY;BYHOUR=2,3;BYMINUTE=30', 'Europe/Berlin', '2027-03-27T02:30');
    const got = occurrencesBetween(s, from('2027-03-27T00:00:00Z'), from('2027-03-29T23:00:00Z'), 10);
    expect(got.map(local)).toEqual(['2027-03-27T02:30', '2027-03-27T03:30', '2027-03-28T03:30', '2027-03-29T02:30', '2027-03-29T03:30']);
  });

  it('follows America/New_York, whose change is on its own dates (2027-03-14, 2027-11-07)', () => {
    const s = series('FREQ=WEEKLY;BYDAY=SU', 'America/New_York', '2027-03-07T09:00');
    expect(occurrencesBetween(s, from('2027-03-01T00:00:00Z'), null, 2).map(utc)).toEqual(['2027-03-07T14:00Z', '2027-03-14T13:00Z']);
    const autumn = series('FREQ=WEEKLY;BYDAY=SU', 'America/New_York', '2027-10-31T09:00');
    expect(occurrencesBetween(autumn, from('2027-10-01T00:00:00Z'), null, 2).map(utc)).toEqual(['2027-10-31T13:00Z', '2027-11-07T14:00Z']);
  });

  it('skips months without a 31st for BYMONTHDAY=31 (RFC 5545), at the same wall time', () => {
    const s = series('FREQ=MONTHLY;BYMONTHDAY=31', 'Europe/Berlin', '2027-01-31T18:00');
    const got = occurrencesBetween(s, from('2027-01-01T00:00:00Z'), null, 5);
    expect(got.map(local)).toEqual(['2027-01-31T18:00', '2027-03-31T18:00', '2027-05-31T18:00', '2027-07-31T18:00', '2027-08-31T18:00']);
    expect(got.map(utc)).toEqual(['2027-01-31T17:00Z', '2027-03-31T16:00Z', '2027-05-31T16:00Z', '2027-07-31T16:00Z', '2027-08-31T16:00Z']);
  });

  it('stops after COUNT occurrences, counted from the start even when asked from later', () => {
    const s = series('FREQ=WEEKLY;COUNT=3', 'Europe/Berlin', '2027-03-14T09:00');
    expect(occurrencesBetween(s, from('2027-01-01T00:00:00Z'), null, 10).map(local)).toEqual(['2027-03-14T09:00', '2027-03-21T09:00', '2027-03-28T09:00']);
    expect(occurrencesBetween(s, from('2027-03-20T00:00:00Z'), null, 10).map(local)).toEqual(['2027-03-21T09:00', '2027-03-28T09:00']);
    expect(firstOccurrenceFrom(s, from('2027-03-29T00:00:00Z'))).toBeNull();
  });

  it('stops at UNTIL: an instant in UTC, a floating date-time, or a whole local day', () => {
    // 2027-03-28T07:00Z is 09:00 in Berlin that day: included.
    const inUtc = series('FREQ=WEEKLY;UNTIL=20270328T070000Z', 'Europe/Berlin', '2027-03-14T09:00');
    expect(occurrencesBetween(inUtc, from('2027-01-01T00:00:00Z'), null, 10).map(local)).toEqual(['2027-03-14T09:00', '2027-03-21T09:00', '2027-03-28T09:00']);
    const floating = series('FREQ=WEEKLY;UNTIL=20270328T085959', 'Europe/Berlin', '2027-03-14T09:00');
    expect(occurrencesBetween(floating, from('2027-01-01T00:00:00Z'), null, 10)).toHaveLength(2);
    const day = series('FREQ=DAILY;UNTIL=20270316', 'Europe/Berlin', '2027-03-14T23:30');
    expect(occurrencesBetween(day, from('2027-01-01T00:00:00Z'), null, 10).map(local)).toEqual(['2027-03-14T23:30', '2027-03-15T23:30', '2027-03-16T23:30']);
  });

  it('returns only what falls in [from, to], earliest first, at most `limit`', () => {
    const s = series('FREQ=DAILY', 'Asia/Tokyo', '2027-01-01T08:00');
    const got = occurrencesBetween(s, from('2027-01-02T23:00:00Z'), from('2027-01-05T23:00:00Z'), 10);
    // 08:00 in Tokyo is 23:00Z the day before.
    expect(got.map(utc)).toEqual(['2027-01-02T23:00Z', '2027-01-03T23:00Z', '2027-01-04T23:00Z', '2027-01-05T23:00Z']);
    expect(occurrencesBetween(s, from('2027-01-02T23:00:00Z'), null, 2)).toHaveLength(2);
    expect(occurrencesBetween(s, from('2027-01-02T23:00:00Z'), null, 0)).toEqual([]);
  });

  it('does not begin before its start', () => {
    const s = series('FREQ=WEEKLY;BYDAY=MO', 'Europe/Berlin', '2027-03-03T10:00');
    expect(firstOccurrenceFrom(s, from('2020-01-01T00:00:00Z'))!.local).toBe('2027-03-08T10:00');
  });
});
