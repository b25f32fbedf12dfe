import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import { SocialAccount } from '../accounts/social-account.entity';
import { Campaign } from '../campaigns/campaign.entity';
import type { PublishingConfig } from '../config/publishing.config';
import { MediaAsset } from '../media/media-asset.entity';
import { PlatformPost } from '../posts/platform-post.entity';
import { PostMedia } from '../posts/post-media.entity';
import { Post } from '../posts/post.entity';
import { contentMediaOf, queuePublishJobs, type PostToQueue } from '../scheduler/publish-queue';
import { PLAN_LIMIT_REACHED, PlanLimits } from '../workspaces/plan-limits';
import type { BulkConfig } from './bulk.config';
import { monthOf } from './csv-time';
import { parseImportCsv } from './import-csv.parser';
import { ImportReferencesLoader } from './import-references.loader';
import { checkFetchedMedia, isMediaUrl, planContent, validateRows, type ImportReferences, type MediaRef, type RowOutcome } from './import-row.validator';
import { MediaIngestError, MediaUrlImporter } from './media-url.importer';
import type { ImportFailure, ImportGrants, ImportMode, ImportStatus } from './post-import.entity';
import type { RowError, RowPlan, RowStatus } from './post-import-row.entity';

/** The part of an import the runner works from (a row claimed under this replica's lease). */
export interface ClaimedImport {
  id: string;
  workspaceId: string;
  createdBy: string;
  mode: ImportMode;
  dryRun: boolean;
  status: ImportStatus;
  total: number;
  grants: ImportGrants;
  attempts: number;
}

/** Another replica owns the import now (our lease expired): stop without touching it. */
class LostLease extends Error {}

/** The service is stopping: hand the import back where it is. */
class Stopping extends Error {}

/** Rows of one month could not be scheduled: the plan's quota was used up since validation. */
class QuotaTaken extends Error {
  constructor(
    readonly rows: number[],
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** An import claimed this many times was interrupted again and again: it is failed, not retried forever. */
export const MAX_IMPORT_ATTEMPTS = 5;
const PAST_TOLERANCE_MS = 60_000;
/** Media URLs downloaded at once per import. */
const MEDIA_FETCH_CONCURRENCY = 3;
const REPORT_CHUNK = 1_000;

interface RowResult {
  row: number;
  status: RowStatus;
  errors: RowError[] | null;
  postId: string | null;
}

/**
 * Runs one import, resumable at every step: VALIDATING checks every row in memory and writes the
 * row report (redone from the stored file if interrupted); IMPORTING creates the valid rows'
 * posts in batches, each batch one transaction that also marks its rows CREATED and moves the
 * counters, so a resumed import picks up exactly the rows not yet created. Every write checks
 * the lease: a replica that lost it stops.
 */
@Injectable()
export class RunImportService {
  readonly replicaId = `imports-${randomUUID()}`;
  private readonly config: BulkConfig;
  private stopping = false;

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly references: ImportReferencesLoader,
    private readonly limits: PlanLimits,
    private readonly mediaUrls: MediaUrlImporter,
    @Inject(APP_CONFIG) config: PublishingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.config = config.bulk;
  }

  /** Claims the oldest queued (or abandoned) import and runs it to its end; false when there was none. */
  async runNext(): Promise<boolean> {
    const job = await this.claim();
    if (!job) return false;
    try {
      if (job.attempts > MAX_IMPORT_ATTEMPTS) {
        await this.fail(job, { code: 'PUBLISHING.IMPORT_INTERRUPTED', message: `The import was interrupted ${job.attempts - 1} times (a restart or an error while it ran) and was given up; rows already created stay, see the row report` });
        return true;
      }
      if (job.status === 'QUEUED' || job.status === 'VALIDATING') job.status = await this.validate(job);
      if (job.status === 'IMPORTING') await this.importRows(job);
    } catch (err) {
      if (err instanceof LostLease) {
        this.logger.warn({ importId: job.id }, 'import lease lost; another replica carries on');
        return true;
      }
      if (err instanceof Stopping) {
        await this.release(job);
        return true;
      }
      // A database blip should not end a long import: it is handed back and retried from its last
      // committed batch; one that keeps failing is given up after MAX_IMPORT_ATTEMPTS claims.
      this.logger.error({ err, importId: job.id, attempt: job.attempts }, 'import round failed; it will be retried');
      await this.release(job, true).catch((e: unknown) => this.logger.error({ err: e, importId: job.id }, 'could not hand the import back; its lease will expire'));
    }
    return true;
  }

  /** Shutting down: the running import stops after its current batch and is handed back. */
  stop(): void {
    this.stopping = true;
  }

  private async claim(): Promise<ClaimedImport | null> {
    if (this.stopping) return null;
    const rows = await this.em.getConnection().execute<ClaimedImport[]>(
      `update post_imports p set "leasedBy" = ?, "leaseUntil" = now() + ? * interval '1 millisecond', attempts = p.attempts + 1,
              "startedAt" = coalesce(p."startedAt", now()), "updatedAt" = now()
        where p.id = (select id from post_imports
                       where status in ('QUEUED', 'VALIDATING', 'IMPORTING') and ("leaseUntil" is null or "leaseUntil" < now())
                       order by "createdAt" limit 1 for update skip locked)
        returning p.id, p."workspaceId", p."createdBy", p.mode, p."dryRun", p.status, p.total, p.grants, p.attempts`,
      [this.replicaId, this.config.leaseMs],
    );
    return rows[0] ?? null;
  }

  /** Checks every row, writes the report, and decides: IMPORTING, or done (dry run, all-or-nothing with invalid rows). */
  private async validate(job: ClaimedImport): Promise<ImportStatus> {
    await this.owned(async (tx) => {
      await this.lease(tx, job);
      await this.exec(tx, `delete from post_import_rows where "importId" = ?`, [job.id]);
      await this.exec(tx, `update post_imports set status = 'VALIDATING', validated = 0, processed = 0, created = 0, failed = 0, skipped = 0, "updatedAt" = now() where id = ?`, [job.id]);
    });
    const source = (await this.exec<{ source: string | null }[]>(this.em, `select source from post_imports where id = ?`, [job.id]))[0]?.source;
    if (source === null || source === undefined) {
      await this.fail(job, { code: 'PUBLISHING.IMPORT_FAILED', message: 'The file of this import is gone; start it again' });
      return 'FAILED';
    }
    let parsed: ReturnType<typeof parseImportCsv>;
    try {
      parsed = parseImportCsv(source, this.config.maxRows);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const line = typeof err.details?.line === 'number' ? err.details.line : undefined;
      await this.fail(job, { code: err.code, message: err.message, ...(line ? { line } : {}) });
      return 'FAILED';
    }
    const now = new Date();
    const timeZone = await this.references.timeZone(job.workspaceId);
    const refs = await this.references.references(job.workspaceId, parsed.rows);
    const quota = await this.references.scheduleQuota(job.workspaceId, timeZone, now);
    const approvals = await this.references.approvalRules(job.workspaceId);
    const outcomes = validateRows(parsed.rows, { refs, approvals, timeZone, now, grants: job.grants, quota });
    // Media URLs are fetched into the library only when the rows will be created.
    const refusedAlready = job.mode === 'all-or-nothing' && outcomes.some((o) => o.status === 'INVALID');
    if (!job.dryRun && !refusedAlready) await this.fetchMedia(job, outcomes, refs);

    const invalid = outcomes.filter((o) => o.status === 'INVALID').length;
    const valid = outcomes.length - invalid;
    // all-or-nothing with a problem anywhere: the valid rows are reported as skipped, nothing is created.
    const refused = !job.dryRun && job.mode === 'all-or-nothing' && invalid > 0;
    for (let i = 0; i < outcomes.length; i += REPORT_CHUNK) {
      const chunk = outcomes.slice(i, i + REPORT_CHUNK).map((o) => ({
        row: o.row,
        line: o.line,
        status: o.status === 'VALID' && refused ? 'SKIPPED' : o.status,
        errors: o.errors.length ? o.errors : null,
        data: o.status === 'VALID' && !refused && !job.dryRun ? o.plan : null,
      }));
      await this.owned(async (tx) => {
        await this.lease(tx, job);
        await this.exec(
          tx,
          `insert into post_import_rows ("importId", row, line, status, errors, data)
           select ?, v.row, v.line, v.status, v.errors, v.data from jsonb_to_recordset(?::jsonb) as v(row int, line int, status text, errors jsonb, data jsonb)`,
          [job.id, JSON.stringify(chunk)],
        );
        await this.exec(tx, `update post_imports set validated = ?, "updatedAt" = now() where id = ?`, [Math.min(i + REPORT_CHUNK, outcomes.length), job.id]);
      });
    }

    if (job.dryRun || refused || valid === 0) {
      const error: ImportFailure | null = refused
        ? { code: 'PUBLISHING.IMPORT_ROWS_INVALID', message: `${invalid} of ${outcomes.length} rows are invalid; nothing was imported (all-or-nothing). Fix them, or import with mode=valid-only` }
        : !job.dryRun && valid === 0
          ? { code: 'PUBLISHING.IMPORT_ROWS_INVALID', message: `All ${outcomes.length} rows are invalid; nothing was imported` }
          : null;
      const status: ImportStatus = error ? 'FAILED' : 'COMPLETED';
      await this.finish(job, status, error, { processed: outcomes.length, failed: invalid, skipped: refused ? valid : 0 });
      return status;
    }
    await this.owned(async (tx) => {
      await this.lease(tx, job);
      await this.exec(tx, `update post_imports set status = 'IMPORTING', processed = ?, failed = ?, "updatedAt" = now() where id = ?`, [invalid, invalid, job.id]);
    });
    return 'IMPORTING';
  }

  /**
   * Every media URL of the valid rows into the media library, a few at a time, each once (a URL
   * fetched by an interrupted attempt is reused); then each such row is checked again with its
   * media. A URL that cannot be fetched or stored makes its rows invalid, naming the reason.
   */
  private async fetchMedia(job: ClaimedImport, outcomes: RowOutcome[], refs: ImportReferences): Promise<void> {
    const withUrls = outcomes.filter((o) => o.status === 'VALID' && o.plan!.mediaIds.some(isMediaUrl));
    const urls = [...new Set(withUrls.flatMap((o) => o.plan!.mediaIds.filter(isMediaUrl)))];
    if (!urls.length) return;
    const results = new Map<string, MediaRef | string>();
    const before = (await this.exec<{ fetchedMedia: Record<string, string> | null }[]>(this.em, `select "fetchedMedia" from post_imports where id = ?`, [job.id]))[0]?.fetchedMedia ?? {};
    const kept = Object.values(before).length ? await this.em.fork().find(MediaAsset, { id: { $in: Object.values(before) }, workspaceId: job.workspaceId }) : [];
    for (const [url, id] of Object.entries(before)) {
      const asset = kept.find((a) => a.id === id);
      if (asset) results.set(url, { id: asset.id, media: contentMediaOf(asset) });
    }
    const actor = { userId: job.createdBy, workspaceId: job.workspaceId, conditions: null, ...(job.grants.role ? { role: job.grants.role } : {}) };
    const todo = urls.filter((u) => !results.has(u));
    let next = 0;
    const worker = async () => {
      while (next < todo.length && !this.stopping) {
        const url = todo[next++];
        // Keeps the lease while downloads take their time.
        await this.owned((tx) => this.lease(tx, job));
        try {
          const ref = await this.mediaUrls.ingest(actor, url);
          results.set(url, ref);
          await this.exec(this.em, `update post_imports set "fetchedMedia" = coalesce("fetchedMedia", '{}'::jsonb) || ?::jsonb where id = ?`, [JSON.stringify({ [url]: ref.id }), job.id]);
        } catch (err) {
          if (!(err instanceof MediaIngestError)) throw err;
          results.set(url, err.message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MEDIA_FETCH_CONCURRENCY, todo.length) }, worker));
    // What was fetched is recorded; a resumed validation takes it from there.
    if (this.stopping) throw new Stopping();

    const fetched = [...results.values()].filter((r): r is MediaRef => typeof r !== 'string');
    for (const o of withUrls) {
      const plan = o.plan!;
      const errors: RowError[] = plan.mediaIds.flatMap((m) => {
        const r = isMediaUrl(m) ? results.get(m) : undefined;
        return typeof r === 'string' ? [{ column: 'media', message: `${m}: ${r}` }] : [];
      });
      if (!errors.length) {
        plan.mediaIds = [...new Set(plan.mediaIds.map((m) => (isMediaUrl(m) ? (results.get(m) as MediaRef).id : m)))];
        errors.push(...checkFetchedMedia(plan, refs, [...refs.media, ...fetched]));
      }
      if (errors.length) Object.assign(o, { status: 'INVALID', errors, plan: null });
    }
  }

  private async importRows(job: ClaimedImport): Promise<void> {
    for (;;) {
      if (this.stopping) throw new Stopping();
      try {
        if (!(await this.batch(job))) break;
      } catch (err) {
        if (!(err instanceof QuotaTaken)) throw err;
        await this.markInvalid(job, err.rows, { column: 'scheduledAt', message: err.reason });
      }
    }
    await this.finish(job, 'COMPLETED', null, {});
  }

  /** Creates the next batch of valid rows' posts in one transaction; the number of rows handled (0: none left). */
  private async batch(job: ClaimedImport): Promise<number> {
    return this.owned(async (tx) => {
      await this.lease(tx, job);
      const rows = await this.exec<{ row: number; data: RowPlan }[]>(
        tx,
        `select row, data from post_import_rows where "importId" = ? and status = 'VALID' order by row limit ?`,
        [job.id, this.config.batchSize],
      );
      if (!rows.length) return 0;
      const ids = (pick: (p: RowPlan) => (string | null)[]) => [...new Set(rows.flatMap((r) => pick(r.data)).filter((x): x is string => !!x))];
      const accountIds = ids((p) => p.accountIds);
      const campaignIds = ids((p) => [p.campaignId]);
      const mediaIds = ids((p) => p.mediaIds);
      // What validation found may have changed since (an account disconnected, a campaign deleted).
      const accounts = accountIds.length ? await tx.find(SocialAccount, { id: { $in: accountIds }, workspaceId: job.workspaceId, isActive: true }) : [];
      const campaigns = campaignIds.length ? await tx.find(Campaign, { id: { $in: campaignIds }, workspaceId: job.workspaceId }) : [];
      const media = mediaIds.length ? await tx.find(MediaAsset, { id: { $in: mediaIds }, workspaceId: job.workspaceId }) : [];
      const accountById = new Map(accounts.map((a) => [a.id, a]));
      const campaignById = new Map(campaigns.map((c) => [c.id, c]));
      const mediaById = new Map(media.map((m) => [m.id, m]));
      const now = Date.now();
      const results: RowResult[] = [];
      const queued: (PostToQueue & { row: number })[] = [];

      for (const { row, data: plan } of rows) {
        const errors: RowError[] = [];
        for (const id of plan.accountIds) if (!accountById.has(id)) errors.push({ column: 'networks', message: `account ${id} was disconnected before its post was created` });
        if (plan.campaignId && !campaignById.has(plan.campaignId)) errors.push({ column: 'campaign', message: 'the campaign was deleted before the post was created' });
        for (const id of plan.mediaIds) if (!mediaById.has(id)) errors.push({ column: 'media', message: `media asset ${id} was deleted before the post was created` });
        const when = plan.scheduledAt ? new Date(plan.scheduledAt) : null;
        if (plan.schedule && when && when.getTime() < now - PAST_TOLERANCE_MS) errors.push({ column: 'scheduledAt', message: 'the time passed while the import waited; import the row again with a later time' });
        if (errors.length) {
          results.push({ row, status: 'INVALID', errors, postId: null });
          continue;
        }
        const post = new Post();
        post.workspaceId = job.workspaceId;
        post.authorId = job.createdBy;
        post.content = planContent(plan);
        post.tags = plan.tags;
        post.scheduledAt = when;
        post.campaign = plan.campaignId ? campaignById.get(plan.campaignId)! : null;
        post.status = plan.schedule ? 'SCHEDULED' : 'DRAFT';
        tx.persist(post);
        const targets = plan.accountIds.map((id) => {
          const pp = new PlatformPost();
          pp.post = post;
          pp.account = accountById.get(id)!;
          pp.platform = pp.account.platform;
          pp.customContent = plan.overrides?.[id] ?? null;
          tx.persist(pp);
          return pp;
        });
        plan.mediaIds.forEach((id, order) => {
          const pm = new PostMedia();
          pm.post = post;
          pm.media = mediaById.get(id)!;
          pm.order = order;
          tx.persist(pm);
        });
        this.outbox.stage(
          tx,
          TOPICS.auditRecorded,
          { action: 'post.created', resourceType: 'post', resourceId: post.id, userId: job.createdBy, userName: null, userEmail: null, details: { importId: job.id, row, after: { status: post.status, content: post.content } }, ipAddress: null, userAgent: null },
          { subject: job.workspaceId, workspaceId: job.workspaceId, actor: { type: 'user', id: job.createdBy } },
        );
        if (plan.schedule && when) queued.push({ row, postId: post.id, workspaceId: job.workspaceId, when, targets: targets.map((t) => ({ id: t.id, platform: t.platform })) });
        results.push({ row, status: 'CREATED', errors: null, postId: post.id });
      }
      await tx.flush();
      // Scheduled exactly as POST /posts/:id/schedule schedules: publish jobs and post.scheduled, same transaction.
      await queuePublishJobs(tx, this.outbox, queued, job.createdBy);
      await this.assertQuota(tx, job, queued);
      await tx.flush();
      await this.exec(
        tx,
        `update post_import_rows r set status = v.status, errors = v.errors, "postId" = v."postId", data = null
           from jsonb_to_recordset(?::jsonb) as v(row int, status text, errors jsonb, "postId" uuid)
          where r."importId" = ? and r.row = v.row`,
        [JSON.stringify(results), job.id],
      );
      const created = results.filter((r) => r.status === 'CREATED').length;
      await this.exec(
        tx,
        `update post_imports set processed = processed + ?, created = created + ?, failed = failed + ?, "updatedAt" = now() where id = ?`,
        [results.length, created, results.length - created, job.id],
      );
      return rows.length;
    });
  }

  /**
   * The plan's monthly quota, again, under PlanLimits' workspace lock: validation counted it, but
   * posts may have been scheduled since. The batch's posts are written already, so the check
   * excludes one of them: "room for one more besides the others" means the month holds at most
   * its maximum with the whole batch in it.
   */
  private async assertQuota(tx: EntityManager, job: ClaimedImport, queued: (PostToQueue & { row: number })[]): Promise<void> {
    if (!queued.length) return;
    const zone = await this.references.timeZone(job.workspaceId);
    const byMonth = new Map<string, (PostToQueue & { row: number })[]>();
    for (const q of queued) {
      const m = monthOf(q.when, zone);
      const list = byMonth.get(m);
      if (list) list.push(q);
      else byMonth.set(m, [q]);
    }
    for (const [, posts] of byMonth) {
      const last = posts[posts.length - 1];
      try {
        await this.limits.assertScheduleSlot(tx, job.workspaceId, last.postId, last.when);
      } catch (err) {
        if (err instanceof DomainError && err.code === PLAN_LIMIT_REACHED) {
          throw new QuotaTaken(
            posts.map((p) => p.row),
            `${err.message}; the month filled up while the import ran`,
          );
        }
        throw err;
      }
    }
  }

  private async markInvalid(job: ClaimedImport, rows: number[], error: RowError): Promise<void> {
    await this.owned(async (tx) => {
      await this.lease(tx, job);
      const n = await this.exec<{ row: number }[]>(
        tx,
        `update post_import_rows set status = 'INVALID', errors = ?::jsonb, data = null where "importId" = ? and status = 'VALID' and row = any(?::int[]) returning row`,
        [JSON.stringify([error]), job.id, `{${rows.join(',')}}`],
      );
      await this.exec(tx, `update post_imports set processed = processed + ?, failed = failed + ?, "updatedAt" = now() where id = ?`, [n.length, n.length, job.id]);
    });
  }

  private async finish(job: ClaimedImport, status: ImportStatus, error: ImportFailure | null, counts: { processed?: number; failed?: number; skipped?: number }): Promise<void> {
    await this.owned(async (tx) => {
      await this.lease(tx, job);
      await this.exec(
        tx,
        `update post_imports set status = ?, error = ?::jsonb, processed = coalesce(?, processed), failed = coalesce(?, failed), skipped = coalesce(?, skipped),
                source = null, "leasedBy" = null, "leaseUntil" = null, "finishedAt" = now(), "updatedAt" = now()
          where id = ?`,
        [status, error ? JSON.stringify(error) : null, counts.processed ?? null, counts.failed ?? null, counts.skipped ?? null, job.id],
      );
    });
  }

  /** Ends an import that cannot go on: rows not created yet are reported as skipped, and every row counts as processed. */
  private async fail(job: ClaimedImport, error: ImportFailure): Promise<void> {
    await this.owned(async (tx) => {
      await this.lease(tx, job);
      const skipped = await this.exec<{ row: number }[]>(tx, `update post_import_rows set status = 'SKIPPED', data = null where "importId" = ? and status = 'VALID' returning row`, [job.id]);
      await this.exec(
        tx,
        `update post_imports set status = 'FAILED', error = ?::jsonb, skipped = skipped + ?, processed = total,
                source = null, "leasedBy" = null, "leaseUntil" = null, "finishedAt" = now(), "updatedAt" = now()
          where id = ?`,
        [JSON.stringify(error), skipped.length, job.id],
      );
    });
  }

  /**
   * Hands the import back: at once after a graceful stop (which does not count as an
   * interruption), after a growing pause (attempts × 5 s) after an error.
   */
  private async release(job: ClaimedImport, afterError = false): Promise<void> {
    await this.exec(
      this.em,
      `update post_imports set "leasedBy" = null, "leaseUntil" = case when ? then now() + attempts * interval '5 seconds' end,
              attempts = greatest(attempts - ?, 0), "updatedAt" = now()
        where id = ? and "leasedBy" = ?`,
      [afterError, afterError ? 0 : 1, job.id, this.replicaId],
    );
  }

  /** Locks the import row and renews our lease; another owner means we stop. */
  private async lease(tx: EntityManager, job: ClaimedImport): Promise<void> {
    const rows = await this.exec<{ leasedBy: string | null }[]>(
      tx,
      `update post_imports set "leaseUntil" = now() + ? * interval '1 millisecond' where id = ? and "leasedBy" = ? returning "leasedBy"`,
      [this.config.leaseMs, job.id, this.replicaId],
    );
    if (!rows.length) throw new LostLease();
  }

  private owned<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(fn);
  }

  private exec<T = unknown>(em: EntityManager, sql: string, params: unknown[]): Promise<T> {
    return em.getConnection().execute(sql, params, 'all', em.getTransactionContext()) as Promise<T>;
  }
}


