/**
 * Token buckets per key (an IP or a user): `capacity` requests at once, refilled at
 * `capacity` per `windowMs`. In memory, per edge replica: each replica enforces the limit on
 * the traffic it sees, so the effective cluster-wide limit is `capacity × replicas`.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly ratePerMs: number;

  constructor(
    private readonly capacity: number,
    windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    this.ratePerMs = capacity / windowMs;
  }

  /** Takes one token; when none is left, says how long until one is. */
  take(key: string): { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number } {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.at) * this.ratePerMs);
      bucket.at = now;
      // Re-insert so the Map's order is least-recently-used first.
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.capacity, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.ratePerMs) };
  }
}
