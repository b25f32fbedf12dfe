import { Inject, Injectable, Optional } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ConnectorError, type Connector } from '@lib/connectors';
import { TOPICS, type Platform } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import { TokenCipher } from '../accounts/token-cipher';
import type { PublishingConfig } from '../config/publishing.config';
import { ConnectorRegistry } from '../networks/connector-registry';
import { PlatformPost } from '../posts/platform-post.entity';
import { Post } from '../posts/post.entity';
import { publishText } from './compose-text';
import { PublishJob } from './publish-job.entity';
import { RateBudgets } from './rate-budgets';

export interface PublisherOptions {
  /** How long a claimed job belongs to this replica before another may take it over. */
  leaseMs: number;
  maxAttempts: number;
  /** Jobs claimed per round. */
  batchSize: number;
  /** Calls in flight per network, across accounts. */
  perNetworkConcurrency: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const PUBLISHER_OPTIONS = Symbol('PUBLISHER_OPTIONS');
export const DEFAULT_PUBLISHER_OPTIONS: PublisherOptions = {
  leaseMs: 60_000,
  maxAttempts: 5,
  batchSize: 100,
  perNetworkConcurrency: 16,
  retryBaseMs: 2_000,
  retryMaxMs: 300_000,
};

type Result = { job: PublishJob; pp: PlatformPost | null; outcome: Outcome; attempted: boolean };

type Outcome = { kind: 'published'; externalId: string; publishedAt: Date } | { kind: 'retry'; at: Date; reason: string; reconcile: boolean; uncounted?: boolean } | { kind: 'failed'; reason: string; code: string };

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Publishes due platform posts exactly once. A job is claimed under a lease; a create whose
 * outcome is unknown (a timeout, a 5xx, a crash) is reconciled with the network, by looking
 * for our post among the account's recent ones, before anything is sent again.
 */
@Injectable()
export class PublisherService {
  readonly replicaId = `publisher-${randomUUID()}`;
  private readonly gates = new Map<Platform, Semaphore>();
  /** Networks (app-wide budget) and accounts held back until their rate limit resets. */
  private readonly holds = new Map<string, number>();
  private readonly cipher: TokenCipher;
  private readonly options: PublisherOptions;
  /** When the last send finished (whatever its outcome): a long round still makes progress. */
  lastSendAt = 0;
  private rounds = 0;
  private readonly planning = new Semaphore(1);

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    // Absent until networks are configured: every job then fails, naming the network.
    @Optional() @Inject(ConnectorRegistry) private readonly networks: ConnectorRegistry | null,
    @Inject(APP_CONFIG) config: PublishingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(PUBLISHER_OPTIONS) options?: Partial<PublisherOptions>,
  ) {
    this.cipher = new TokenCipher(config.tokenKeys.current, config.tokenKeys.others);
    this.options = { ...DEFAULT_PUBLISHER_OPTIONS, ...(options ?? {}) };
  }

  /**
   * Sends still waiting more than a minute after they were due (pending or in flight, any
   * replica): a backlog an operator should see before the customers do.
   */
  async overdue(): Promise<{ jobs: number; oldestSeconds: number }> {
    const [row] = await this.em.getConnection().execute<{ jobs: number; oldest: number | null }[]>(
      `select count(*)::int as jobs, floor(extract(epoch from now() - min("dueAt")))::int as oldest
         from publish_jobs where state <> 'done' and "dueAt" < now() - interval '1 minute'`,
    );
    return { jobs: row.jobs, oldestSeconds: row.oldest ?? 0 };
  }

  /** Frees jobs whose lease ran out (their replica died): they will be reconciled, never blindly resent. */
  async releaseExpiredLeases(): Promise<number> {
    const rows = await this.em.getConnection().execute<unknown[]>(
      `update publish_jobs set state = 'pending', "mustReconcile" = ("firstAttemptAt" is not null), "leaseUntil" = null, "leasedBy" = null,
              "lastError" = coalesce("lastError", 'publisher lease expired')
        where state = 'in_flight' and "leaseUntil" < now() returning "platformPostId"`,
    );
    if (rows.length) this.logger.warn({ count: rows.length }, 'publisher: took over jobs whose lease expired');
    return rows.length;
  }

  /**
   * Settles posts left PUBLISHING although every network has an outcome (no send pending or in
   * flight): what two replicas recording a post's networks at once used to leave behind. Their
   * status is derived as the publisher would have; returns how many were settled.
   */
  async settleStalledPosts(): Promise<number> {
    return this.em.fork().transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ id: string }[]>(
        `select p.id from posts p
          where p.status = 'PUBLISHING' and p."updatedAt" < now() - interval '1 minute'
            and exists (select 1 from platform_posts pp where pp."postId" = p.id)
            and not exists (select 1 from platform_posts pp where pp."postId" = p.id and pp."publishStatus" in ('PENDING', 'PUBLISHING'))
          order by p.id limit 100 for update skip locked`,
        [],
        'all',
        tx.getTransactionContext(),
      );
      if (!rows.length) return 0;
      const posts = await tx.find(Post, { id: { $in: rows.map((r) => r.id) } }, { populate: ['platformPosts'] });
      for (const post of posts) derivePostStatus(post);
      await tx.flush();
      this.logger.warn({ count: posts.length }, 'publisher: settled posts left PUBLISHING after all their networks had an outcome');
      return posts.length;
    });
  }

  /**
   * Claims due jobs and starts publishing them: resolves once they are claimed, with `done`
   * settling when their outcomes are recorded. A round reads its posts in one query, records what
   * it is about to send in one statement (reconciliation needs it before any create goes out),
   * sends under the per-network gates, and writes every outcome in one transaction. A crash
   * anywhere in between leaves leases that expire into reconciliation.
   *
   * Rounds overlap (a slow network's round does not hold up the next claim): each holds its jobs
   * under a lease of its own, `<replica>/<round>`, so no round ever records over another's jobs.
   */
  async startRound(): Promise<{ claimed: number; done: Promise<void> }> {
    // A send still waiting at its network's gate past half the lease is left for a later round:
    // once the lease runs out another round or replica takes the job over, and a late send would
    // be a second create. Half the lease leaves room for the send's own calls (lookup and create).
    const sendBy = Date.now() + this.options.leaseMs / 2;
    const lease = `${this.replicaId}/${++this.rounds}`;
    const claimed = await this.claim(lease);
    return { claimed: claimed.length, done: claimed.length ? this.publish(claimed, lease, sendBy) : Promise.resolve() };
  }

  private async publish(claimed: PublishJob[], lease: string, sendBy: number): Promise<void> {
    const em = this.em.fork();
    const ids = claimed.map((j) => j.platformPostId);
    const pps = new Map((await em.find(PlatformPost, { id: { $in: ids } }, { populate: ['post', 'post.campaign', 'account'] })).map((pp) => [pp.id, pp]));
    const results: Result[] = [];
    const sends: { job: PublishJob; pp: PlatformPost; text: string }[] = [];
    // The networks' publish limits, app-wide and per account, against the sends already recorded.
    // This replica's rounds take from them one at a time, each seeing what the one before recorded.
    await this.planning.run(async () => {
      const budgets = await RateBudgets.load(em, ids);
      for (const job of claimed) {
        const pp = pps.get(job.platformPostId);
        if (!pp) {
          results.push({ job, pp: null, outcome: { kind: 'failed', reason: 'the post was deleted', code: 'PUBLISHING.POST_NOT_FOUND' }, attempted: false });
          continue;
        }
        const held = Math.max(this.holds.get(pp.platform) ?? 0, this.holds.get(pp.account.id) ?? 0);
        if (held > Date.now()) {
          results.push({ job, pp, outcome: { kind: 'retry', at: new Date(held), reason: `${pp.platform}: waiting for the rate limit to reset`, reconcile: job.mustReconcile }, attempted: false });
          continue;
        }
        const budget = budgets.take(pp.platform, pp.account.id);
        if (!budget.ok) {
          results.push({ job, pp, outcome: { kind: 'retry', at: budget.until, reason: budget.reason, reconcile: job.mustReconcile }, attempted: false });
          continue;
        }
        // The same text the network validation saw at schedule time, every link UTM-tagged; once sent it is frozen.
        sends.push({ job, pp, text: job.sentText ?? publishText(pp.post.content, pp.customContent, pp.platform, pp.post.campaign?.utmParams) });
      }
      await this.markSending(sends);
    });
    await Promise.all(
      sends.map(async ({ job, pp, text }) => {
        try {
          const outcome = await this.gate(pp.platform).run(async () => (Date.now() < sendBy ? this.attempt(job, pp, text) : null));
          if (outcome) {
            results.push({ job, pp, outcome, attempted: true });
            this.lastSendAt = Date.now();
          } else {
            results.push({ job, pp, outcome: { kind: 'retry', at: new Date(), reason: `${pp.platform}: its turn came too late in the round; sent in the next`, reconcile: job.mustReconcile }, attempted: false });
          }
        } catch (err) {
          this.logger.error({ err, job: job.platformPostId }, 'publisher: job crashed; its lease will expire and it will be reconciled');
        }
      }),
    );
    await this.finish(results, lease);
  }

  private async claim(lease: string): Promise<PublishJob[]> {
    const em = this.em.fork();
    return em.transactional(async (tx) => {
      const rows = await tx.getConnection().execute<{ platformPostId: string }[]>(
        `with due as (
           select "platformPostId" from publish_jobs
            where state = 'pending' and "nextAttemptAt" <= now()
              -- a post taken back to DRAFT or archived is not sent, whatever job is left behind
              and exists (select 1 from posts p where p.id = publish_jobs."postId" and p.status in ('SCHEDULED', 'APPROVED', 'PUBLISHING', 'FAILED'))
            order by "nextAttemptAt" limit ? for update skip locked)
         update publish_jobs j
            set state = 'in_flight', "leaseUntil" = now() + make_interval(secs => ?), "leasedBy" = ?, attempts = j.attempts + 1
           from due where j."platformPostId" = due."platformPostId"
         returning j."platformPostId"`,
        [this.options.batchSize, this.options.leaseMs / 1000, lease],
        'all',
        tx.getTransactionContext(),
      );
      if (!rows.length) return [];
      const ids = rows.map((r) => r.platformPostId);
      await tx.nativeUpdate(PlatformPost, { id: { $in: ids }, publishStatus: 'PENDING' }, { publishStatus: 'PUBLISHING' });
      await tx.getConnection().execute(
        `update posts set status = 'PUBLISHING', "updatedAt" = now() where status in ('SCHEDULED', 'APPROVED', 'FAILED') and id in (select "postId" from platform_posts where id = any(?::uuid[]))`,
        [`{${ids.join(',')}}`],
        'run',
        tx.getTransactionContext(),
      );
      return tx.find(PublishJob, { platformPostId: { $in: ids } });
    });
  }

  private gate(platform: Platform): Semaphore {
    let g = this.gates.get(platform);
    if (!g) this.gates.set(platform, (g = new Semaphore(this.options.perNetworkConcurrency)));
    return g;
  }

  private async attempt(job: PublishJob, pp: PlatformPost, text: string): Promise<Outcome> {
    let connector: Connector;
    try {
      if (!this.networks) throw new Error(`${pp.platform}: no network connectors are configured`);
      connector = this.networks.get(pp.platform);
    } catch (err) {
      return { kind: 'failed', reason: (err as Error).message, code: 'PUBLISHING.NETWORK_NOT_CONFIGURED' };
    }
    if (!pp.account.isActive) return { kind: 'failed', reason: `${pp.platform}: the account @${pp.account.username} is disconnected; reconnect it`, code: 'PUBLISHING.ACCOUNT_DISCONNECTED' };
    const credentials = { accountId: pp.account.platformAccountId, accessToken: this.cipher.decrypt(pp.account.accessToken) };
    try {
      if (job.mustReconcile && job.firstAttemptAt) {
        const found = await connector.findRecentByMarker(credentials, { text }, job.firstAttemptAt);
        if (found) {
          this.logger.info({ job: job.platformPostId, externalId: found.externalId }, 'publisher: reconciled; the earlier attempt had gone through');
          return { kind: 'published', externalId: found.externalId, publishedAt: found.publishedAt };
        }
      }
      const published = await connector.publish(credentials, { text });
      return { kind: 'published', externalId: published.externalId, publishedAt: published.publishedAt };
    } catch (err) {
      return this.classify(job, pp, err);
    }
  }

  /** Records, before any create is sent, what is being sent and since when: reconciliation needs both. */
  private async markSending(sends: { job: PublishJob; text: string }[]): Promise<void> {
    const fresh = sends.filter(({ job }) => !job.firstAttemptAt || !job.sentText);
    if (!fresh.length) return;
    const at = new Date(Date.now() - 1000);
    for (const { job, text } of fresh) {
      job.firstAttemptAt ??= at;
      job.sentText = text;
    }
    await this.em.getConnection().execute(
      `update publish_jobs j set "firstAttemptAt" = v.at, "sentText" = v.text
         from jsonb_to_recordset(?::jsonb) as v(id uuid, at timestamptz, text text) where j."platformPostId" = v.id`,
      [JSON.stringify(fresh.map(({ job }) => ({ id: job.platformPostId, at: job.firstAttemptAt, text: job.sentText })))],
    );
  }

  private classify(job: PublishJob, pp: PlatformPost, err: unknown): Outcome {
    const backoff = () => new Date(Date.now() + Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.max(0, job.attempts - 1)));
    if (!(err instanceof ConnectorError)) {
      const reason = `${pp.platform}: ${err instanceof Error ? err.message : String(err)}`;
      return job.attempts < this.options.maxAttempts ? { kind: 'retry', at: backoff(), reason, reconcile: true } : { kind: 'failed', reason, code: 'PUBLISHING.UNEXPECTED' };
    }
    switch (err.kind) {
      case 'rate_limited': {
        const at = err.info.resetAt && err.info.resetAt.getTime() > Date.now() ? err.info.resetAt : backoff();
        this.holds.set(err.info.scope === 'app' ? pp.platform : pp.account.id, at.getTime());
        // A rate limit is the network saying "not now", not a failed attempt.
        return { kind: 'retry', at, reason: err.message, reconcile: job.mustReconcile, uncounted: true };
      }
      case 'unknown_outcome':
      case 'transient':
        // A 5xx or a timeout may hide a post that was created: look before sending again.
        return job.attempts < this.options.maxAttempts ? { kind: 'retry', at: backoff(), reason: err.message, reconcile: true } : { kind: 'failed', reason: `${err.message} (after ${job.attempts} attempts)`, code: err.code };
      case 'auth':
      case 'invalid_content':
      case 'misconfigured':
        return { kind: 'failed', reason: err.message, code: err.code };
      default: {
        const never: never = err.kind;
        return { kind: 'failed', reason: String(never), code: 'PUBLISHING.UNEXPECTED' };
      }
    }
  }

  /** Every outcome of a round in one transaction: the jobs, the platform posts, the posts' status and the events. */
  private async finish(results: Result[], lease: string): Promise<void> {
    if (!results.length) return;
    await this.em.fork().transactional(async (tx) => {
      const ids = results.flatMap((r) => (r.pp ? [r.pp.id] : []));
      // A post's networks may be recorded by two rounds (or replicas) at once: each must see what
      // the other wrote, or neither derives the post's final status. Its row is the lock (in id
      // order, so two rounds never deadlock on each other).
      const postIds = [...new Set(results.flatMap((r) => (r.pp ? [r.pp.post.id] : [])))].sort();
      if (postIds.length) {
        await tx.getConnection().execute(`select id from posts where id = any(?::uuid[]) order by id for update`, [`{${postIds.join(',')}}`], 'all', tx.getTransactionContext());
      }
      // Only what this round still holds is written: a job whose lease ran out meanwhile belongs to
      // whoever took it over (and reconciles it with the network), never to an outcome arriving late.
      const held = await tx.getConnection().execute<{ platformPostId: string }[]>(
        `select "platformPostId" from publish_jobs where "platformPostId" = any(?::uuid[]) and state = 'in_flight' and "leasedBy" = ? for update`,
        [`{${results.map((r) => r.job.platformPostId).join(',')}}`, lease],
        'all',
        tx.getTransactionContext(),
      );
      const owned = new Set(held.map((r) => r.platformPostId));
      const lost = results.filter((r) => !owned.has(r.job.platformPostId));
      if (lost.length) this.logger.warn({ jobs: lost.map((r) => r.job.platformPostId) }, 'publisher: lease lost before the outcome was recorded; the new owner reconciles');
      const current = new Map((ids.length ? await tx.find(PlatformPost, { id: { $in: ids } }, { populate: ['post', 'post.platformPosts'] }) : []).map((pp) => [pp.id, pp]));
      const jobs: { id: string; state: 'done' | 'pending'; at: Date | null; err: string | null; reconcile: boolean | null; uncount: number }[] = [];
      const posts = new Set<Post>();
      for (const { job, pp, outcome, attempted } of results) {
        if (!owned.has(job.platformPostId)) continue;
        const row = pp ? current.get(pp.id) : undefined;
        if (!row) {
          jobs.push({ id: job.platformPostId, state: 'done', at: null, err: 'the post was deleted', reconcile: null, uncount: 0 });
          continue;
        }
        const post = row.post as Post;
        const opts = { subject: post.id, workspaceId: post.workspaceId, actor: { type: 'system', id: 'publisher' } as const };
        if (outcome.kind === 'published') {
          row.publishStatus = 'PUBLISHED';
          row.platformPostId = outcome.externalId;
          row.publishedAt = outcome.publishedAt;
          row.error = null;
          jobs.push({ id: job.platformPostId, state: 'done', at: null, err: null, reconcile: null, uncount: 0 });
          this.outbox.stage(tx, TOPICS.postPublished, { postId: post.id, platformPostId: row.id, platform: row.platform, externalId: outcome.externalId, publishedAt: outcome.publishedAt.toISOString() }, opts);
        } else if (outcome.kind === 'failed') {
          row.publishStatus = 'FAILED';
          row.error = outcome.reason;
          jobs.push({ id: job.platformPostId, state: 'done', at: null, err: outcome.reason, reconcile: null, uncount: 0 });
          this.outbox.stage(tx, TOPICS.postFailed, { postId: post.id, platformPostId: row.id, platform: row.platform, code: outcome.code, reason: outcome.reason }, opts);
        } else {
          row.publishStatus = 'PENDING';
          row.error = outcome.reason;
          jobs.push({
            id: job.platformPostId,
            state: 'pending',
            at: outcome.at,
            err: outcome.reason,
            reconcile: outcome.reconcile && job.firstAttemptAt !== null,
            uncount: attempted && !outcome.uncounted ? 0 : 1,
          });
        }
        posts.add(post);
      }
      await tx.getConnection().execute(
        `update publish_jobs j set state = v.state, "leaseUntil" = null,
                "leasedBy" = case when v.state = 'pending' then null else j."leasedBy" end,
                "nextAttemptAt" = coalesce(v.at, j."nextAttemptAt"), "lastError" = v.err,
                "mustReconcile" = coalesce(v.reconcile, j."mustReconcile"), attempts = j.attempts - v.uncount
           from jsonb_to_recordset(?::jsonb) as v(id uuid, state text, at timestamptz, err text, reconcile boolean, uncount int)
          where j."platformPostId" = v.id`,
        [JSON.stringify(jobs)],
        'run',
        tx.getTransactionContext(),
      );
      for (const post of posts) derivePostStatus(post);
      await tx.flush();
    });
  }
}

/** A post's status follows its networks': all published → PUBLISHED; any failed and none left → FAILED. */
export function derivePostStatus(post: Post): void {
  const items = post.platformPosts.getItems();
  if (!items.length) return;
  const pending = items.some((i) => i.publishStatus === 'PENDING' || i.publishStatus === 'PUBLISHING');
  if (pending) return;
  if (items.every((i) => i.publishStatus === 'PUBLISHED')) {
    post.status = 'PUBLISHED';
    post.publishedAt = new Date(Math.max(...items.map((i) => i.publishedAt?.getTime() ?? 0)));
  } else {
    post.status = 'FAILED';
  }
  post.updatedAt = new Date();
}
