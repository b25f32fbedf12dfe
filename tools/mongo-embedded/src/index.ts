// Programmatic entry point: used by the dev stack launcher and by tests.
import { startServer } from './server';

export interface MongoEmbeddedOptions {
  port?: number;
  host?: string;
  dbPath: string;
  /** How often expired TTL documents are removed (default 10 s; 0 disables the monitor). */
  ttlSweepMs?: number;
  /** Journal size that triggers snapshot + truncate (default 64 MiB). */
  compactBytes?: number;
  log?: (msg: string) => void;
  /** Log every command and its outcome through `log`. */
  trace?: boolean;
}

export interface MongoEmbedded {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startMongoEmbedded(opts: MongoEmbeddedOptions): Promise<MongoEmbedded> {
  const trace = opts.trace ?? process.env.MONGO_EMBEDDED_TRACE === '1';
  const log = opts.log ?? (trace ? (msg: string) => process.stderr.write(`mongo-embedded: ${msg}\n`) : undefined);
  const s = await startServer({ ...opts, port: opts.port ?? 0, trace, log });
  return { port: s.port, url: s.url, stop: s.stop };
}

export { startServer } from './server';
export type { RunningServer, ServerOptions } from './server';
