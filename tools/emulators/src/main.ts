// CLI: node dist/tools/emulators/src/main.js --network twitter [--port 0] [--latency-ms 20] [--host 127.0.0.1]
// Prints "ready <url>" once it accepts connections; stops cleanly on SIGTERM/SIGINT.
import { NETWORKS, type Network } from './core';
import { startEmulator } from './index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const network = arg('network');
  if (!network || !NETWORKS.includes(network as Network)) {
    process.stderr.write(`usage: main.js --network ${NETWORKS.join('|')} [--port 0] [--latency-ms 0]\n`);
    process.exit(64);
  }
  const emulator = await startEmulator(network as Network, {
    port: Number(arg('port') ?? 0),
    host: arg('host'),
    latencyMs: Number(arg('latency-ms') ?? 0),
  });
  process.stdout.write(`ready ${emulator.url}\n`);
  const shutdown = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`emulator: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
