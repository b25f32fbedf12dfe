import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

// In-memory state and fault modes shared by the three network emulators. Each network module
// renders errors in its own shape; this file holds what is common (tokens, posts, calls, modes).

export type Network = 'twitter' | 'facebook' | 'linkedin';
export const NETWORKS: readonly Network[] = ['twitter', 'facebook', 'linkedin'];

/** What `failNext` injects. `timeout`: no answer until the hold ends (nothing is created). `reset`: the connection is dropped. */
export type FailKind = 'server_error' | 'unauthorized' | 'rate_limited' | 'timeout' | 'reset';
export const FAIL_KINDS: readonly FailKind[] = ['server_error', 'unauthorized', 'rate_limited', 'timeout', 'reset'];

export interface FailOptions {
  /** Facebook throttle code to answer with (4, 17, 32, 613; default 32). */
  code?: number;
  /** When the injected rate limit ends, relative to now (default 60 s). */
  resetInMs?: number;
}

export interface EmulatedPost {
  id: string;
  accountId: string;
  text: string;
  media: string[];
  createdAt: Date;
  inReplyTo?: string;
  /** Photo uploaded with `published=false` (Facebook), not a post yet. */
  unpublished?: boolean;
}

export interface CallRecord {
  method: string;
  /** Path without the query string (it can hold secrets). */
  path: string;
  status?: number;
  at: Date;
}

export interface SeededAccount {
  /** The id the connector publishes as: X user id, Facebook page id, LinkedIn member URN. */
  accountId: string;
  /** Token for that account (Facebook: the page token). */
  accessToken: string;
  /** Null where the network issues none (Facebook). */
  refreshToken: string | null;
  username: string;
  /** Facebook only: the long-lived user token the page token derives from. */
  userAccessToken?: string;
}

export interface EmulatorControl {
  failNext(n: number, kind: FailKind, opts?: FailOptions): void;
  /** Every API call answers 429 (the network's throttle answer) until this epoch time in ms. */
  rateLimit(untilMs: number): void;
  /** Adds this delay to every API answer (0 turns it off). */
  slow(ms: number): void;
  /** The next n create calls (posts, replies) are applied, then answered only after `holdMs` (default 5 s; also the `timeout` fault's hold). */
  acceptThenTimeout(n: number, holdMs?: number): void;
  /** Every token issued so far is expired from now on. */
  expireTokens(): void;
  /**
   * The next authorization approves as this existing account (a reconnect) instead of creating
   * a new one; `withoutRefreshToken` makes its code exchange answer no refresh token (X without
   * `offline.access`, LinkedIn outside the partner program).
   */
  approveNextAs(accountId: string, opts?: { withoutRefreshToken?: boolean }): void;
  seedAccount(opts?: { username?: string }): SeededAccount;
  posts(): EmulatedPost[];
  calls(): CallRecord[];
  /** Clears fault modes (not accounts, tokens or posts). */
  reset(): void;
}

export interface TokenRecord {
  kind: 'access' | 'refresh' | 'user' | 'page';
  /** Whose token: X user id, LinkedIn member id, Facebook user or page id. */
  subject: string;
  clientId?: string;
  scopes: string[];
  expiresAt: number;
  revoked?: boolean;
  /** Facebook page tokens derive from a user token. */
  parent?: string;
}

export interface AuthCode {
  clientId: string;
  redirectUri: string;
  subject: string;
  scopes: string[];
  codeChallenge?: string;
  expiresAt: number;
  /** Answer the exchange without a refresh token. */
  withoutRefreshToken?: boolean;
}

/** Set by `approveNextAs`, taken by the next authorization page. */
export interface PendingApproval {
  accountId: string;
  withoutRefreshToken: boolean;
}

export type TokenCheck = { ok: true; token: TokenRecord } | { ok: false; why: 'missing' | 'unknown' | 'expired' | 'revoked' };

interface PendingFault {
  kind: FailKind;
  opts: FailOptions;
}

/** Faults rendered in the network's own shapes. */
export interface NetworkErrors {
  unauthorized(reply: FastifyReply, why: 'missing' | 'unknown' | 'expired' | 'revoked'): FastifyReply;
  rateLimited(reply: FastifyReply, untilMs: number, opts: FailOptions): FastifyReply;
  serverError(reply: FastifyReply): FastifyReply;
}

export function token(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const q = (req.query as Record<string, unknown> | undefined)?.access_token;
  return typeof q === 'string' ? q : undefined;
}

export function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export class EmulatorCore {
  readonly tokens = new Map<string, TokenRecord>();
  readonly codes = new Map<string, AuthCode>();
  readonly postList: EmulatedPost[] = [];
  readonly callList: CallRecord[] = [];
  private faults: PendingFault[] = [];
  private rateLimitedUntil = 0;
  private slowMs = 0;
  private holds = 0;
  private holdMs = 5_000;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  private seq = 0;
  private approval: PendingApproval | null = null;
  baseUrl = '';

  constructor(readonly latencyMs: number) {}

  /** The pending `approveNextAs`, once. */
  takeApproval(): PendingApproval | null {
    const a = this.approval;
    this.approval = null;
    return a;
  }

  nextId(): number {
    return ++this.seq;
  }

  issue(value: string, rec: TokenRecord): string {
    this.tokens.set(value, rec);
    return value;
  }

  check(value: string | undefined, kinds: TokenRecord['kind'][]): TokenCheck {
    if (!value) return { ok: false, why: 'missing' };
    const t = this.tokens.get(value);
    if (!t || !kinds.includes(t.kind)) return { ok: false, why: 'unknown' };
    if (t.revoked || (t.parent && this.tokens.get(t.parent)?.revoked)) return { ok: false, why: 'revoked' };
    if (t.expiresAt <= Date.now()) return { ok: false, why: 'expired' };
    return { ok: true, token: t };
  }

  /** Latency, slow mode, then a queued fault or the rate-limit window; true when a fault answered. */
  async gate(reply: FastifyReply, errors: NetworkErrors): Promise<boolean> {
    const delay = this.latencyMs + this.slowMs;
    if (delay > 0) await this.wait(delay);
    const fault = this.faults.shift();
    if (fault) {
      switch (fault.kind) {
        case 'server_error':
          errors.serverError(reply);
          return true;
        case 'unauthorized':
          errors.unauthorized(reply, 'expired');
          return true;
        case 'rate_limited':
          errors.rateLimited(reply, Date.now() + (fault.opts.resetInMs ?? 60_000), fault.opts);
          return true;
        case 'timeout':
          await this.wait(this.holdMs);
          reply.raw.destroy();
          return true;
        case 'reset':
          reply.raw.destroy();
          return true;
      }
    }
    if (this.rateLimitedUntil > Date.now()) {
      errors.rateLimited(reply, this.rateLimitedUntil, {});
      return true;
    }
    return false;
  }

  /** Called by create routes after the post exists: holds the answer when accept-then-timeout is armed. */
  async afterCreate(): Promise<void> {
    if (this.holds <= 0) return;
    this.holds--;
    await this.wait(this.holdMs);
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.timers.add(entry);
    });
  }

  /** Ends every pending wait (on stop). */
  release(): void {
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.done();
    }
    this.timers.clear();
  }

  control(seed: (opts: { username?: string }) => SeededAccount): EmulatorControl {
    return {
      failNext: (n, kind, opts = {}) => {
        for (let i = 0; i < n; i++) this.faults.push({ kind, opts });
      },
      rateLimit: (untilMs) => {
        this.rateLimitedUntil = untilMs;
      },
      slow: (ms) => {
        this.slowMs = ms;
      },
      acceptThenTimeout: (n, holdMs) => {
        this.holds = n;
        if (holdMs !== undefined) this.holdMs = holdMs;
      },
      expireTokens: () => {
        const now = Date.now();
        for (const t of this.tokens.values()) if (t.kind !== 'refresh') t.expiresAt = Math.min(t.expiresAt, now);
      },
      approveNextAs: (accountId, opts = {}) => {
        this.approval = { accountId, withoutRefreshToken: opts.withoutRefreshToken ?? false };
      },
      seedAccount: (opts = {}) => seed(opts),
      posts: () => this.postList.filter((p) => !p.unpublished).map((p) => ({ ...p, media: [...p.media] })),
      calls: () => this.callList.map((c) => ({ ...c })),
      reset: () => {
        this.faults = [];
        this.rateLimitedUntil = 0;
        this.slowMs = 0;
        this.holds = 0;
        this.holdMs = 5_000;
      },
    };
  }
}
