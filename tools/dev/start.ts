import path from 'node:path';
import { POSTGRES_SERVICES, SERVICES, type ServiceName } from '@lib/contracts';
import { LibrdkafkaMissingError, startStack, writeEndpoints, type Stack } from '../devstack/src';
import { startEmulator, type RunningEmulator } from '../emulators/src';
import { DATA_DIR, devJwtKeys, devTokenKeys, emulatedNetworkEnv, networksToEmulate, serviceEnv, servicePort, type EmulatedNetwork } from './env';
import { spawnNode, stopProcess, waitForHealthy, type Spawned } from './processes';

/**
 * `npm start`: the embedded stack, migrations, then every service; prints the edge URL once
 * everything is ready, and stops it all on Ctrl-C.
 */
async function main(): Promise<void> {
  const t0 = Date.now();
  const dataDir = process.env.STACK_DATA_DIR ? path.resolve(process.env.STACK_DATA_DIR) : DATA_DIR;
  const log = (l: string) => process.stdout.write(`start: ${l}\n`);
  let stack: Stack | undefined;
  const running: Spawned[] = [];
  const emulators: RunningEmulator[] = [];
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(running.map((p) => stopProcess(p)));
    await Promise.allSettled(emulators.map((e) => e.stop()));
    await stack?.stop();
    log('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    stack = await startStack({
      dataDir,
      pgPort: Number(process.env.STACK_PG_PORT ?? 54329),
      mongoPort: Number(process.env.STACK_MONGO_PORT ?? 27117),
      databaseUrl: process.env.DATABASE_URL,
      kafkaBrokerList: process.env.KAFKA_BROKERS,
      mongodbUrl: process.env.MONGODB_URL,
      controlPort: 0,
      log,
    });
    writeEndpoints(path.join(dataDir, 'stack.json'), stack.endpoints);
    const keys = { ...devJwtKeys(path.join(dataDir, 'keys')), tokenKeys: devTokenKeys(path.join(dataDir, 'keys')) };
    const endpoints = stack.endpoints;

    await Promise.all(
      POSTGRES_SERVICES.map(async (s) => {
        const p = spawnNode(`${s}:migrate`, `apps/${s}/src/migrate.js`, serviceEnv(s, endpoints, keys));
        const code = await p.exited;
        if (code !== 0) throw new Error(`migrations of ${s} failed:\n${p.lines.join('\n')}`);
        const applied = p.lines.map((l) => l.match(/"applied":\[(.*?)\]/)?.[1]).find((x) => x !== undefined);
        log(`${s}: migrations up to date${applied ? ` (applied ${applied.split(',').length})` : ''}`);
      }),
    );

    // Networks without real credentials run on their local emulators, in this process.
    const emulate = networksToEmulate();
    emulators.push(...(await Promise.all(emulate.map((n) => startEmulator(n, { port: 0 })))));
    const emulatedUrls: Partial<Record<EmulatedNetwork, string>> = Object.fromEntries(emulators.map((e) => [e.network, e.url]));
    log(emulate.length ? `networks emulated (no credentials set): ${emulators.map((e) => `${e.network} at ${e.url}`).join(', ')}` : 'networks: real credentials for X, Facebook and LinkedIn');
    const publishingEnv = { ...emulatedNetworkEnv(emulatedUrls), PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${servicePort('edge')}` };

    const services = (Object.keys(SERVICES) as ServiceName[]).filter(
      (s) => SERVICES[s].store !== 'mongodb' || endpoints.mongodb.url !== null,
    );
    const skipped = (Object.keys(SERVICES) as ServiceName[]).filter((s) => !services.includes(s));
    if (skipped.length) log(`not started (no MongoDB yet: ${endpoints.mongodb.status}): ${skipped.join(', ')}`);

    services.forEach((s, i) => {
      const p = spawnNode(s, `apps/${s}/src/main.js`, serviceEnv(s, endpoints, keys, s === 'publishing' ? publishingEnv : {}), { echo: true, index: i });
      running.push(p);
      void p.exited.then((code) => {
        if (!stopping) {
          log(`${s} exited unexpectedly (code ${code}); stopping everything`);
          void shutdown(1);
        }
      });
    });
    await Promise.all(running.map((p) => waitForHealthy(`http://127.0.0.1:${servicePort(p.name as ServiceName)}/health/ready`, p, 60_000)));
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      `\n  Platform ready in ${secs} s: ${services.length} services healthy.\n  Edge API: http://localhost:${servicePort('edge')}/api/v1\n  Stack endpoints: ${path.relative(process.cwd(), path.join(dataDir, 'stack.json'))}. Ctrl-C stops everything.\n\n`,
    );
  } catch (err) {
    process.stderr.write(`${err instanceof LibrdkafkaMissingError ? err.message : (err as Error).stack ?? String(err)}\n`);
    await shutdown(1);
  }
}

void main();
