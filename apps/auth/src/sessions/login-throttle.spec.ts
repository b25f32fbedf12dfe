import { ACCOUNT_FAILURE_THRESHOLD, IP_FAILURE_THRESHOLD, MAX_DELAY_MS, delayAfter, throttleKeys } from './login-throttle';

describe('login throttling policy', () => {
  it('waits from the 5th failure of an account, then doubles', () => {
    expect([1, 2, 3, 4].map((n) => delayAfter(n, ACCOUNT_FAILURE_THRESHOLD))).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map((n) => delayAfter(n, ACCOUNT_FAILURE_THRESHOLD) / 1000)).toEqual([30, 60, 120, 240]);
    expect(delayAfter(1000, ACCOUNT_FAILURE_THRESHOLD)).toBe(MAX_DELAY_MS);
    expect(delayAfter(IP_FAILURE_THRESHOLD - 1, IP_FAILURE_THRESHOLD)).toBe(0);
  });

  it('keys accounts by a hash of the email, never the email itself', () => {
    const keys = throttleKeys('ann@example.com', '10.0.0.1');
    expect(keys.account).toMatch(/^account:[0-9a-f]{64}$/);
    expect(keys.ip).toBe('ip:10.0.0.1');
    expect(throttleKeys('ann@example.com', null).ip).toBeNull();
  });
});
