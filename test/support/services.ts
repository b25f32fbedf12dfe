import { testStack } from '@lib/testing';
import { freePort } from '../../tools/devstack/src/stack';
import { spawnNode, stopProcess, waitForHealthy, type Spawned } from '../../tools/dev/processes';

/** Quick consumer-group turnover, for tests whose services join and leave groups often. */
export const FAST_KAFKA = { KAFKA_MAX_WAIT_MS: '10', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' } as const;

export interface RunningService {
  proc: Spawned;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/**
 * Starts a built service (`dist/apps/<name>`) on a free local port and the test stack's Kafka,
 * checking tokens against `publicKey`, and waits for its health check. `env` goes on top of
 * those settings (a test's setting wins). A service that does not come up is stopped.
 */
export async function startService(name: string, env: Record<string, string>, opts: { publicKey: string; health?: 'ready' | 'live' }): Promise<RunningService> {
  const port = await freePort();
  const proc = spawnNode(name, `apps/${name}/src/main.js`, {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: testStack().brokers.join(','),
    KAFKA_IDEMPOTENT: 'false',
    JWT_PUBLIC_KEY: opts.publicKey,
    ...env,
    PORT: String(port),
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(`${base}/health/${opts.health ?? 'live'}`, proc, 30_000);
  } catch (err) {
    await stopProcess(proc); // never left running behind a failed start
    throw err;
  }
  return { proc, base };
}
