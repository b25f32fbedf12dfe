import type { DomainError } from '@lib/contracts';
import { isLocalDate, localRange, placeByDay } from './calendar-days';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    return err as DomainError;
  }
  throw new Error('was accepted');
}

describe('localRange', () => {
  it('runs from local midnight to the local midnight after the last day', () => {
    const r = localRange('2027-01-10', '2027-01-11', 'Europe/Berlin');
    expect(r.start.toISOString()).toBe('2027-01-09T23:00:00.000Z');
    expect(r.end.toISOString()).toBe('2027-01-11T23:00:00.000Z');
    expect(r.dates).toEqual(['2027-01-10', '2027-01-11']);
  });

  it('gives the day the clocks go forward 23 hours, and the one they go back 25', () => {
    const spring = localRange('2027-03-28', '2027-03-28', 'Europe/Berlin');
    expect(spring.start.toISOString()).toBe('2027-03-27T23:00:00.000Z');
    expect(spring.end.toISOString()).toBe('2027-03-28T22:00:00.000Z');
    const autumn = localRange('2027-10-31', '2027-10-31', 'Europe/Berlin');
    expect((autumn.end.getTime() - autumn.start.getTime()) / 3_600_000).toBe(25);
  });

  it('accepts 62 days and refuses 63 or a reversed range, naming `to`', () => {
    expect(localRange('2027-01-01', '2027-03-03', 'UTC').dates).toHaveLength(62);
    const long = refusal(() => localRange('2027-01-01', '2027-03-04', 'UTC'));
    expect(long.code).toBe('PUBLISHING.CALENDAR_VALIDATION_FAILED');
    expect(long.details?.errors).toEqual([{ field: 'to', messages: ['the range may cover at most 62 days'] }]);
    expect(refusal(() => localRange('2027-01-02', '2027-01-01', 'UTC')).details?.errors).toEqual([{ field: 'to', messages: ['must not be before from'] }]);
  });
});

describe('placeByDay', () => {
  const dates = ['2027-03-27', '2027-03-28', '2027-03-29'];
  const post = (id: string, iso: string) => ({ id, when: new Date(iso) });

  it('places items on their local day in time order, with every day present', () => {
    const days = placeByDay([post('late', '2027-03-28T20:00:00Z'), post('dst', '2027-03-28T00:30:00Z'), post('eve', '2027-03-27T23:30:00Z'), post('sat', '2027-03-27T12:00:00Z')], dates, 'Europe/Berlin', (p) => p.when);
    expect(days.map((d) => [d.date, d.items.map((i) => i.item.id)])).toEqual([
      ['2027-03-27', ['sat']],
      ['2027-03-28', ['eve', 'dst', 'late']],
      ['2027-03-29', []],
    ]);
    // The instant in the zone: UTC+1 before the change, UTC+2 after.
    expect(days[1].items.map((i) => i.at)).toEqual(['2027-03-28T00:30:00.000+01:00', '2027-03-28T01:30:00.000+01:00', '2027-03-28T22:00:00.000+02:00']);
  });

  it('differs from UTC days', () => {
    const utc = placeByDay([post('eve', '2027-03-27T23:30:00Z')], dates, 'UTC', (p) => p.when);
    expect(utc[0].items.map((i) => i.item.id)).toEqual(['eve']);
  });

  it('drops items outside the dates', () => {
    expect(placeByDay([post('x', '2027-04-10T12:00:00Z')], dates, 'UTC', (p) => p.when).every((d) => d.items.length === 0)).toBe(true);
  });
});

describe('input checks', () => {
  it.each([
    ['2027-03-28', true],
    ['2027-02-29', false],
    ['2027-3-28', false],
    ['2027-03-28T00:00', false],
    ['', false],
  ])('isLocalDate(%j) is %s', (v, ok) => expect(isLocalDate(v)).toBe(ok));
});
