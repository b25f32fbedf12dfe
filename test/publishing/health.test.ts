import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { waitFor } from '@lib/testing';
import { stopProcess } from '../../tools/dev/processes';
import { createPublishing, insertAccount, type Publishing } from './harness';

interface Health {
  status: string | number;
  code?: string;
  detail?: string;
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, { status: string; message?: string }>;
}

/**
 * "Stuck while the process looks healthy" is what other schedulers are known for: publishing's
 * liveness fails when its publisher loop stops making progress, and its readiness and metrics
 * show the sends that are late.
 */
describe('publishing health: a hung publisher fails liveness, late sends show in readiness and metrics', () => {
  const ws = randomUUID();
  let svc: Publishing;

  beforeAll(async () => {
    svc = await createPublishing({ name: 'health', env: { PUBLISH_RECONCILE_INTERVAL_MS: '200', PUBLISH_POLL_INTERVAL_MS: '50', PUBLISH_STALL_TIMEOUT_MS: '2000' } });
    await svc.start();
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const health = async (path: string): Promise<{ status: number; body: Health }> => {
    const res = await fetch(`${svc.base}${path}`);
    return { status: res.status, body: (await res.json()) as Health };
  };

  /** Jobs due `minutesAgo`, held back until an hour from now (as a network's rate limit leaves them). */
  async function lateJobs(db: pg.Pool, accountId: string, n: number, minutesAgo: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID());
    await db.query(
      `with input as (select unnest($1::uuid[]) as id, gen_random_uuid() as pp)
       , p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
               select id, $2, $2, '{"text": "late"}', 'SCHEDULED', now() - make_interval(mins => $4), '{}', false, now(), now() from input returning id)
       , pp as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus") select pp, id, $3, 'TWITTER', 'PENDING' from input returning id, "postId")
       insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
       select pp.id, pp."postId", $2, 'pending', now() - make_interval(mins => $4), now() + interval '1 hour', 1, false from pp`,
      [ids, ws, accountId, minutesAgo],
    );
    return ids;
  }

  it('shows the sends waiting past their time in readiness and /metrics, and clears them once they go out', async () => {
    const account = await insertAccount(svc.db, svc.cipher, { workspaceId: ws, platform: 'TWITTER' });
    const late = await lateJobs(svc.db, account, 3, 10);
    await lateJobs(svc.db, account, 2, 0); // due now, held: not late yet
    const queue = async () => (await health('/readyz')).body.info?.['publish-queue']?.overdue as { jobs: number; oldestSeconds: number } | null;
    await waitFor(async () => (await queue())?.jobs === 3, 10_000, 'three overdue sends in readiness');
    const ready = await health('/readyz');
    expect(ready.status).toBe(200); // a backlog is news, not a reason to stop taking traffic
    expect((await queue())!.oldestSeconds).toBeGreaterThanOrEqual(600);
    const metrics = await (await fetch(`${svc.base}/metrics`)).text();
    expect(metrics).toMatch(/^publish_jobs_overdue\{[^}]*\} 3$/m);
    expect(Number(/^publish_oldest_overdue_seconds\{[^}]*\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(600);

    await svc.db.query(`update publish_jobs set state = 'done' where "postId" = any($1)`, [late]);
    await waitFor(async () => (await queue())?.jobs === 0, 10_000, 'no overdue send');
  });

  it('fails liveness, naming the publisher, while its loop is stuck, and passes again once it moves', async () => {
    const live = await health('/healthz');
    expect(live.status).toBe(200);
    expect(live.body.info?.publisher).toMatchObject({ status: 'up', lastProgressAt: expect.any(String) });

    // Hold the table the publisher claims from: its round waits on the lock, as on a hung database connection.
    const client = await svc.db.connect();
    try {
      await client.query('begin');
      await client.query('lock table publish_jobs in access exclusive mode');
      await waitFor(async () => (await health('/healthz')).status === 503, 15_000, 'liveness to fail');
      const stuck = await health('/healthz');
      expect(stuck.body).toMatchObject({ code: 'COMMON.UNHEALTHY', detail: 'failing: publisher' });
      expect(stuck.body.error?.publisher).toMatchObject({ status: 'down', message: expect.stringMatching(/^the publisher has made no progress for \d+ s/) });
      // The HTTP side still answers: that is exactly why liveness must look at the loop.
      expect((await fetch(`${svc.base}/health/live`)).status).toBe(503);
    } finally {
      await client.query('rollback');
      client.release();
    }
    await waitFor(async () => (await health('/healthz')).status === 200, 15_000, 'liveness to pass again');
  });

  it('still stops within the grace period, by itself, while its loop is stuck', async () => {
    const client = await svc.db.connect();
    try {
      await client.query('begin');
      await client.query('lock table publish_jobs in access exclusive mode');
      await waitFor(async () => (await health('/healthz')).status === 503, 15_000, 'the loop to be stuck');
      const proc = svc.proc;
      await stopProcess(proc, 30_000); // Kubernetes' default grace period
      // Not SIGKILLed at the deadline: the publisher gave its loop up, and the process exited as
      // SIGTERM would have (143) when its database pool could not close around the stuck query.
      expect([proc.child.signalCode, proc.child.exitCode]).toEqual([null, 143]);
      expect(proc.lines.some((l) => l.includes('still busy at shutdown'))).toBe(true);
      expect(proc.lines.some((l) => l.includes('shutdown did not finish in time'))).toBe(true);
    } finally {
      await client.query('rollback');
      client.release();
    }
  });
});
