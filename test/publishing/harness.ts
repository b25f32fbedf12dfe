import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import { runMigrations } from '@lib/persistence';
import { createTestDatabase, testStack, testSigningKeys, uniqueName } from '@lib/testing';
import { TokenCipher, type TokenKey } from '../../apps/publishing/src/accounts/token-cipher';
import { publishingOrmOptions } from '../../apps/publishing/src/orm.config';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import type { RunningEmulator } from '../../tools/emulators/src';
import { startService } from '../support/services';

export interface SigningKeys {
  publicKey: string;
  privateKey: string;
}

/** TOKEN_ENCRYPTION_KEYS for these keys, the current one first. */
export const keySpec = (...keys: TokenKey[]): string => keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');

export interface PublishingOptions {
  /** Prefix of the test database's name. */
  name: string;
  /** The test's own settings, on top of the common ones (a test's setting wins). */
  env?: Record<string, string>;
  /** Signs the test's tokens; fresh ones unless given (to share them with another service). */
  keys?: SigningKeys;
  /** The service's TOKEN_ENCRYPTION_KEYS and `cipher`; a fresh `k1` unless given. */
  tokenKey?: TokenKey;
  /** The health check each start waits for. */
  health?: 'ready' | 'live';
}

export interface Publishing {
  /** The current process's address: it changes with each start. */
  base: string;
  /** The current process: the last one started. */
  proc: Spawned;
  /** Every process started, stopped or not. */
  procs: Spawned[];
  db: pg.Pool;
  url: string;
  keys: SigningKeys;
  tokenKey: TokenKey;
  cipher: TokenCipher;
  /** Starts one more process on the same database (the ones running keep running): it becomes `proc` and `base`. */
  start(env?: Record<string, string>): Promise<Spawned>;
  /** Stops the current process (SIGTERM), then starts another one. */
  restart(env?: Record<string, string>): Promise<Spawned>;
  /** Stops every process started, then closes the pool. */
  stop(): Promise<void>;
}

/** A fresh migrated database and a pool on it; nothing runs until `start()` (for tests that seed first). */
export async function createPublishing(opts: PublishingOptions): Promise<Publishing> {
  const { pgUrl } = testStack();
  const url = await createTestDatabase(pgUrl, opts.name);
  await runMigrations(publishingOrmOptions(url));
  const keys = opts.keys ?? testSigningKeys();
  const tokenKey = opts.tokenKey ?? { id: 'k1', key: randomBytes(32) };
  const common = {
    DATABASE_URL: url,
    TOKEN_ENCRYPTION_KEYS: keySpec(tokenKey),
    // Its own consumer groups: a replica another test killed never holds up this one's join.
    KAFKA_GROUP_PREFIX: `${uniqueName(opts.name)}.`,
    ...(opts.env ?? {}),
  };
  const svc: Publishing = {
    base: '',
    proc: undefined as unknown as Spawned,
    procs: [],
    db: new pg.Pool({ connectionString: url, max: 2 }),
    url,
    keys,
    tokenKey,
    cipher: new TokenCipher(tokenKey),
    async start(env = {}) {
      const { proc, base } = await startService('publishing', { ...common, ...env }, { publicKey: keys.publicKey, health: opts.health ?? 'ready' });
      svc.procs.push(proc);
      svc.proc = proc;
      svc.base = base;
      return proc;
    },
    async restart(env) {
      await stopProcess(svc.proc);
      return svc.start(env);
    },
    async stop() {
      for (const p of svc.procs) await stopProcess(p);
      await svc.db.end();
    },
  };
  return svc;
}

/** `createPublishing`, then the built service started and healthy. */
export async function startPublishing(opts: PublishingOptions): Promise<Publishing> {
  const svc = await createPublishing(opts);
  try {
    await svc.start();
  } catch (err) {
    await svc.stop();
    throw err;
  }
  return svc;
}

/** An ES256 access token as auth issues it (a new session id each time). */
export function signToken(keys: SigningKeys, claims: { sub: string; workspaceId: string; role: string; perms?: unknown }, opts: { expiresIn?: jwt.SignOptions['expiresIn'] } = {}): string {
  const { perms, ...rest } = claims;
  return jwt.sign({ ...rest, sid: randomUUID(), ...(perms === undefined ? {} : { perms }) }, keys.privateKey, {
    algorithm: 'ES256',
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    expiresIn: opts.expiresIn ?? '5m',
  });
}

export interface Answer<T> {
  status: number;
  /** The parsed JSON answer; `{}` when empty. */
  body: T;
  text: string;
  headers: Headers;
}

/** JSON calls to `base` with this bearer token (none without one). */
export function callAs(base: string, token?: string) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, text, headers: res.headers };
  };
}

/** A connected account, its tokens encrypted as the service stores them; returns its id. */
export async function insertAccount(
  db: pg.Pool,
  cipher: TokenCipher,
  a: { workspaceId: string; platform: string; id?: string; platformAccountId?: string; username?: string; accessToken?: string; refreshToken?: string | null },
): Promise<string> {
  const id = a.id ?? randomUUID();
  await db.query(
    `insert into social_accounts (id, "workspaceId", platform, "platformAccountId", username, "displayName", "accessToken", "refreshToken", "isActive", metadata, "createdAt", "updatedAt")
     values ($1, $2, $3, $4, $5, $5, $6, $7, true, '{}', now(), now())`,
    [
      id,
      a.workspaceId,
      a.platform,
      a.platformAccountId ?? randomUUID(),
      a.username ?? `acme_${a.platform.toLowerCase()}`,
      cipher.encrypt(a.accessToken ?? 'access-secret'),
      a.refreshToken ? cipher.encrypt(a.refreshToken) : null,
    ],
  );
  return id;
}

/** A new account on a network emulator, connected in `workspaceId` (its tokens encrypted as publishing stores them). */
export async function insertEmulatedAccount(svc: Publishing, emu: RunningEmulator, workspaceId: string, platform: string): Promise<string> {
  const seeded = emu.control.seedAccount();
  return insertAccount(svc.db, svc.cipher, { workspaceId, platform, platformAccountId: seeded.accountId, accessToken: seeded.accessToken, refreshToken: seeded.refreshToken });
}
