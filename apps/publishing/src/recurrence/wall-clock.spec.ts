import { formatWallTime, instantToWallTime, localText, parseWallTime, wallTimeToInstant } from './wall-clock';

const wall = (s: string) => {
  const w = parseWallTime(s);
  if (w === null) throw new Error(s);
  return w;
};
const at = (s: string, zone: string) => wallTimeToInstant(wall(s), zone).toISOString();

describe('wall clock', () => {
  it('parses local date-times without an offset, and refuses anything else', () => {
    expect(formatWallTime(wall('2027-03-28T09:00'))).toBe('2027-03-28T09:00');
    expect(formatWallTime(wall('2027-03-28T09:00:30'))).toBe('2027-03-28T09:00:30');
    for (const bad of ['2027-02-30T09:00', '2027-03-28T24:00', '2027-03-28T09:00Z', '2027-03-28T09:00+01:00', '2027-03-28', '28/03/2027 09:00', '']) {
      expect(parseWallTime(bad)).toBeNull();
    }
  });

  it('turns a wall time into the instant clocks in the zone show it', () => {
    expect(at('2027-03-27T09:00', 'Europe/Berlin')).toBe('2027-03-27T08:00:00.000Z');
    expect(at('2027-03-28T09:00', 'Europe/Berlin')).toBe('2027-03-28T07:00:00.000Z');
    expect(at('2027-07-01T09:00', 'America/New_York')).toBe('2027-07-01T13:00:00.000Z');
    expect(at('2027-07-01T09:00', 'UTC')).toBe('2027-07-01T09:00:00.000Z');
    // Lord Howe moves by 30 minutes.
    expect(at('2027-10-03T02:15', 'Australia/Lord_Howe')).toBe('2027-10-02T15:45:00.000Z');
  });

  it('moves a time skipped by spring-forward forward by the gap', () => {
    expect(at('2027-03-28T02:30', 'Europe/Berlin')).toBe('2027-03-28T01:30:00.000Z');
    expect(localText(new Date('2027-03-28T01:30:00.000Z'), 'Europe/Berlin')).toBe('2027-03-28T03:30');
    expect(at('2027-03-14T02:00', 'America/New_York')).toBe('2027-03-14T07:00:00.000Z');
    expect(localText(new Date('2027-03-14T07:00:00.000Z'), 'America/New_York')).toBe('2027-03-14T03:00');
  });

  it('takes the earlier instant of a time shown twice at fall-back', () => {
    expect(at('2027-10-31T02:30', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z');
    expect(at('2027-11-07T01:30', 'America/New_York')).toBe('2027-11-07T05:30:00.000Z');
  });

  it('reads an instant back as wall time', () => {
    expect(formatWallTime(instantToWallTime(new Date('2027-10-31T01:30:00Z'), 'Europe/Berlin'))).toBe('2027-10-31T02:30');
  });
});
