// Where the compatibility suite runs: a real MongoDB when MONGODB_URL is set, otherwise a fresh
// embedded server in a temp directory. Every case must pass against both.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startMongoEmbedded } from '../src/index';

export interface Target {
  url: string;
  embedded: boolean;
  dbPath?: string;
  stop(): Promise<void>;
}

export async function startTarget(opts: { ttlSweepMs?: number; compactBytes?: number } = {}): Promise<Target> {
  const external = process.env.MONGODB_URL;
  if (external) return { url: external, embedded: false, stop: async () => undefined };
  const dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-test-'));
  const server = await startMongoEmbedded({ dbPath, port: 0, ttlSweepMs: opts.ttlSweepMs ?? 200, compactBytes: opts.compactBytes });
  return {
    url: server.url,
    embedded: true,
    dbPath,
    stop: async () => {
      await server.stop();
      fs.rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

export const uniqueDbName = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}`;

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}
