import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sha256 } from '../common/secrets';

/** Failures are counted over this window. */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
/** Failures (per account / per address) before sign-in is refused for a while. */
export const ACCOUNT_FAILURE_THRESHOLD = 5;
// An office or a carrier NAT shares one address: it gets more room than a single account.
export const IP_FAILURE_THRESHOLD = 20;
/** First delay; each further failure doubles it, up to the cap. */
export const BASE_DELAY_MS = 30 * 1000;
export const MAX_DELAY_MS = 60 * 60 * 1000;

export interface ThrottleKeys {
  account: string;
  ip: string | null;
}

export function throttleKeys(email: string, ip: string | null): ThrottleKeys {
  return { account: `account:${sha256(email)}`, ip: ip ? `ip:${ip}` : null };
}

/** Delay after the `failures`-th failure: none below the threshold, then 30 s, 60 s, 120 s, … */
export function delayAfter(failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** Math.min(failures - threshold, 20), MAX_DELAY_MS);
}

/**
 * Sign-in throttling kept in PostgreSQL, so every replica sees the same counts. Each failure is
 * one atomic upsert; nothing is read and written back.
 */
@Injectable()
export class LoginThrottleStore {
  /** Seconds until a sign-in may be tried again, or 0. */
  async retryAfter(em: EntityManager, keys: ThrottleKeys, now: Date): Promise<number> {
    const list = [keys.account, ...(keys.ip ? [keys.ip] : [])];
    const rows = await em.execute<{ lockedUntil: Date }[]>(`select "lockedUntil" from "login_throttles" where "key" in (${list.map(() => '?').join(', ')}) and "lockedUntil" > ?`, [...list, now]);
    const until = Math.max(0, ...rows.map((r) => new Date(r.lockedUntil).getTime()));
    return until > now.getTime() ? Math.ceil((until - now.getTime()) / 1000) : 0;
  }

  /** Counts a failure against the account and the address; locks them once over their threshold. */
  async recordFailure(em: EntityManager, keys: ThrottleKeys, now: Date): Promise<void> {
    await this.bump(em, keys.account, ACCOUNT_FAILURE_THRESHOLD, now);
    if (keys.ip) await this.bump(em, keys.ip, IP_FAILURE_THRESHOLD, now);
  }

  /** A successful sign-in clears the account's count (not the address's). */
  async clearAccount(em: EntityManager, keys: ThrottleKeys): Promise<void> {
    await em.execute(`delete from "login_throttles" where "key" = ?`, [keys.account], 'run');
  }

  private async bump(em: EntityManager, key: string, threshold: number, now: Date): Promise<void> {
    const windowStart = new Date(now.getTime() - THROTTLE_WINDOW_MS);
    const [row] = await em.execute<{ failures: number }[]>(
      `insert into "login_throttles" ("key", "failures", "windowStartedAt", "lockedUntil") values (?, 1, ?, null)
       on conflict ("key") do update set
         "failures" = case when "login_throttles"."windowStartedAt" < ? then 1 else "login_throttles"."failures" + 1 end,
         "windowStartedAt" = case when "login_throttles"."windowStartedAt" < ? then excluded."windowStartedAt" else "login_throttles"."windowStartedAt" end
       returning "failures"`,
      [key, now, windowStart, windowStart],
    );
    const delay = delayAfter(Number(row.failures), threshold);
    if (delay > 0) {
      await em.execute(
        `update "login_throttles" set "lockedUntil" = greatest(coalesce("lockedUntil", ?), ?) where "key" = ?`,
        [now, new Date(now.getTime() + delay), key],
        'run',
      );
    }
  }
}
