import { canonicalTimeZone, isIanaTimeZone } from './time-zone';

describe('time zones', () => {
  it('accepts IANA names Intl knows, and gives their canonical spelling', () => {
    expect(['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'].map(isIanaTimeZone)).toEqual([true, true, true, true]);
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('refuses unknown names, fixed offsets, paths and non-strings', () => {
    expect(['Mars/Olympus', 'paris', '', '../etc/passwd', '+02:00', 'UTC+1 ', 'x'.repeat(65), 42, null].map(isIanaTimeZone)).toEqual(Array(9).fill(false));
  });
});
