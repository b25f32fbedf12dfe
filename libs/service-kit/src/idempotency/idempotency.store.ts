import type { MikroORM } from '@mikro-orm/core';

export type BeginResult =
  | { state: 'new' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'mismatch' }
  | { state: 'in_progress' };

export interface IdempotencyStore {
  /** What an earlier request with this key did, without claiming anything. */
  peek(scope: string, key: string, requestHash: string): Promise<BeginResult>;
  /** Claims (scope, key) for a request, or reports what an earlier request with that key did. */
  begin(scope: string, key: string, requestHash: string): Promise<BeginResult>;
  complete(scope: string, key: string, status: number, body: unknown): Promise<void>;
  /** Forgets a claim whose request failed, so the client can retry with the same key. */
  release(scope: string, key: string): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** How long an answer is kept for replay, and after how long an unfinished claim is presumed dead. */
export const IDEMPOTENCY_TTL_HOURS = 24;
export const IDEMPOTENCY_STALE_SECONDS = 60;

interface Row {
  requestHash: string;
  status: 'in_progress' | 'completed';
  responseStatus: number | null;
  responseBody: unknown;
  stale: boolean;
  expired: boolean;
}

/** PostgreSQL: one row per (scope, key) in the service's own database. */
export class PgIdempotencyStore implements IdempotencyStore {
  constructor(private readonly orm: MikroORM) {}

  private exec<T>(sql: string, params: unknown[]): Promise<T> {
    return this.orm.em.fork().getConnection().execute(sql, params) as Promise<T>;
  }

  async begin(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await this.exec<unknown[]>(
        `insert into idempotency_keys (scope, key, "requestHash", status, "createdAt", "expiresAt")
         values (?, ?, ?, 'in_progress', now(), now() + make_interval(hours => ?))
         on conflict do nothing returning key`,
        [scope, key, requestHash, IDEMPOTENCY_TTL_HOURS],
      );
      if (inserted.length) return { state: 'new' };
      const rows = await this.exec<Row[]>(
        `select "requestHash", status, "responseStatus", "responseBody",
                "createdAt" < now() - make_interval(secs => ?) as stale, "expiresAt" < now() as expired
           from idempotency_keys where scope = ? and key = ?`,
        [IDEMPOTENCY_STALE_SECONDS, scope, key],
      );
      const row = rows[0];
      if (!row) continue; // released in between: try the insert again
      if (row.expired) {
        await this.release(scope, key);
        continue;
      }
      if (row.requestHash !== requestHash) return { state: 'mismatch' };
      if (row.status === 'completed') return { state: 'replay', status: row.responseStatus ?? 200, body: row.responseBody };
      if (row.stale) {
        // The first attempt's process died before finishing: let this one take over.
        const taken = await this.exec<unknown[]>(
          `update idempotency_keys set "createdAt" = now() where scope = ? and key = ? and status = 'in_progress'
             and "createdAt" < now() - make_interval(secs => ?) returning key`,
          [scope, key, IDEMPOTENCY_STALE_SECONDS],
        );
        if (taken.length) return { state: 'new' };
      }
      return { state: 'in_progress' };
    }
    return { state: 'in_progress' };
  }

  async peek(scope: string, key: string, requestHash: string): Promise<BeginResult> {
    const rows = await this.exec<Row[]>(
      `select "requestHash", status, "responseStatus", "responseBody", false as stale, "expiresAt" < now() as expired
         from idempotency_keys where scope = ? and key = ?`,
      [scope, key],
    );
    const row = rows[0];
    if (!row || row.expired) return { state: 'new' };
    if (row.requestHash !== requestHash) return { state: 'mismatch' };
    return row.status === 'completed' ? { state: 'replay', status: row.responseStatus ?? 200, body: row.responseBody } : { state: 'in_progress' };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.exec(
      `update idempotency_keys set status = 'completed', "responseStatus" = ?, "responseBody" = ? where scope = ? and key = ?`,
      [status, JSON.stringify(body ?? null), scope, key],
    );
    if (Math.random() < 0.01) {
      await this.exec('delete from idempotency_keys where "expiresAt" < now()', []);
    }
  }

  async release(scope: string, key: string): Promise<void> {
    await this.exec('delete from idempotency_keys where scope = ? and key = ?', [scope, key]);
  }
}
