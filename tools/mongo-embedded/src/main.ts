// CLI: node dist/tools/mongo-embedded/src/main.js --port 27017 --dbpath .data/mongo [--ttl-sweep-ms 10000]
// Prints "mongo-embedded ready on HOST:PORT" once it accepts connections; exits cleanly on SIGTERM/SIGINT.
import { startServer } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const inline = process.argv.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const dbPath = arg('dbpath') ?? '.data/mongo-embedded';
  const port = Number(arg('port') ?? 27017);
  const host = arg('host') ?? arg('bind_ip') ?? '127.0.0.1';
  const ttl = arg('ttl-sweep-ms');
  const compact = arg('compact-bytes');
  const quiet = process.argv.includes('--quiet');
  const server = await startServer({
    dbPath,
    port,
    host,
    ttlSweepMs: ttl !== undefined ? Number(ttl) : undefined,
    compactBytes: compact !== undefined ? Number(compact) : undefined,
    trace: process.argv.includes('--trace') || process.env.MONGO_EMBEDDED_TRACE === '1',
    log: quiet ? undefined : (msg) => process.stderr.write(`mongo-embedded: ${msg}\n`),
  });
  process.stdout.write(`mongo-embedded ready on ${server.host}:${server.port} (dbpath ${dbPath})\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => {
        if (!quiet) process.stderr.write(`mongo-embedded: stopped (${signal})\n`);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`mongo-embedded: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`mongo-embedded: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
