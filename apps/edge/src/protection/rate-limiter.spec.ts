import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst up to capacity, then refuses with the time until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 60_000, () => now);
    expect([1, 2, 3].map(() => limiter.take('ip-1').allowed)).toEqual([true, true, true]);
    expect(limiter.take('ip-1')).toEqual({ allowed: false, retryAfterMs: 20_000 });
    expect(limiter.take('ip-2').allowed).toBe(true); // keys are independent
    now = 20_000;
    expect(limiter.take('ip-1')).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.take('ip-1').allowed).toBe(false);
  });

  it('forgets the least recently used key beyond its size bound', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 60_000, () => now, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a'); // refused, but touches a
    limiter.take('c'); // evicts b
    now = 1;
    expect(limiter.take('a').allowed).toBe(false); // still tracked: used recently
    expect(limiter.take('b').allowed).toBe(true); // forgotten, so a fresh bucket
  });
});
