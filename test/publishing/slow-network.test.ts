import { randomUUID } from 'node:crypto';
import { waitFor } from '@lib/testing';
import { emulatedNetworkEnv } from '../../tools/dev/env';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { createPublishing, insertEmulatedAccount, type Publishing } from './harness';

/**
 * A network that answers slowly must not make the others late: while X takes its time with one
 * post, a LinkedIn post that falls due meanwhile goes out without waiting for X's answer.
 */
describe('publishing while one network is slow', () => {
  const ws = randomUUID();
  let x: RunningEmulator;
  let li: RunningEmulator;
  let svc: Publishing;

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0 });
    li = await startEmulator('linkedin', { port: 0 });
    svc = await createPublishing({ name: 'slow_network', env: { ...emulatedNetworkEnv({ twitter: x.url, linkedin: li.url }), PUBLISH_POLL_INTERVAL_MS: '50' } });
    await svc.start();
  });

  afterAll(async () => {
    await svc?.stop();
    await x?.stop();
    await li?.stop();
  });


  /** One post on one account, queued for later, then made due (so nothing claims it half-written). */
  async function due(accountId: string, platform: string, text: string): Promise<string> {
    const id = randomUUID();
    await svc.db.query(
      `with p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
                  values ($1, $2, $2, jsonb_build_object('text', $5::text), 'SCHEDULED', now(), '{}', false, now(), now()) returning id)
       , pp as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus") select gen_random_uuid(), id, $3, $4::platform, 'PENDING' from p returning id, "postId")
       insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
       select id, "postId", $2, 'pending', now(), now() + interval '1 hour', 0, false from pp`,
      [id, ws, accountId, platform, text],
    );
    await svc.db.query(`update publish_jobs set "nextAttemptAt" = now() where "postId" = $1`, [id]);
    return id;
  }
  const status = async (postId: string) => (await svc.db.query<{ status: string }>('select status from posts where id = $1', [postId])).rows[0].status;

  it("publishes a LinkedIn post while X is still answering an earlier one, and X's once it answers", async () => {
    const xAccount = await insertEmulatedAccount(svc, x, ws, 'TWITTER');
    const liAccount = await insertEmulatedAccount(svc, li, ws, 'LINKEDIN');
    x.control.slow(8000);
    const slow = await due(xAccount, 'TWITTER', 'slow network post');
    await waitFor(async () => (await status(slow)) === 'PUBLISHING', 10_000, 'the X post to be on its way');

    const fast = await due(liAccount, 'LINKEDIN', 'fast network post');
    await waitFor(async () => (await status(fast)) === 'PUBLISHED', 20_000, 'the LinkedIn post');
    // X has not answered yet: the LinkedIn post did not wait for it.
    expect(await status(slow)).toBe('PUBLISHING');
    expect(li.control.posts().map((p) => p.text)).toContain('fast network post');

    await waitFor(async () => (await status(slow)) === 'PUBLISHED', 20_000, 'the X post, once X answers');
    expect(x.control.posts().filter((p) => p.text === 'slow network post')).toHaveLength(1);
  });
});
