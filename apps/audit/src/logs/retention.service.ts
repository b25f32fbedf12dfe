import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mongodb';
import type { Logger } from 'pino';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { AuditConfig, Plan } from '../config/audit.config';
import { CHECKPOINT_ACTION } from './audit-chain';
import type { StoredAuditEntry } from './audit-logs.query';

/**
 * Removes entries past their plan's retention in whole chain segments: everything up to the
 * newest expired entry goes, and that entry becomes a checkpoint that keeps its hash, which
 * the first remaining entry links to. Verification still passes after a purge.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly orm: MikroORM,
    @Inject(APP_CONFIG) private readonly config: AuditConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runAll().catch((err: unknown) => this.logger.error({ err }, 'audit retention failed')), this.config.retentionIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private get db() {
    return this.orm.em.getConnection();
  }

  async runAll(now = new Date()): Promise<number> {
    const workspaces = (await this.db.getCollection<StoredAuditEntry>('audit_logs').distinct('workspaceId')) as string[];
    let purged = 0;
    for (const w of workspaces) purged += await this.purge(w, now);
    return purged;
  }

  /** Purges one workspace; returns how many entries were removed. */
  async purge(workspaceId: string, now = new Date()): Promise<number> {
    const planDoc = await this.db.getCollection<{ _id: string; plan: string }>('workspace_plans').findOne({ _id: workspaceId });
    const plan = (planDoc?.plan ?? 'FREE') as Plan;
    const days = this.config.retentionDays[plan] ?? this.config.retentionDays.FREE;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const entries = this.db.getCollection<StoredAuditEntry>('audit_logs');
    const last = await entries.find({ workspaceId, timestamp: { $lt: cutoff } }).sort({ seq: -1 }).limit(1).next();
    if (!last || last.action === CHECKPOINT_ACTION) return 0;
    const removed = await entries.deleteMany({ workspaceId, seq: { $lt: last.seq } });
    await entries.updateOne(
      { _id: last._id },
      {
        $set: {
          action: CHECKPOINT_ACTION,
          eventId: null,
          resourceType: 'audit_log',
          resourceId: workspaceId,
          userId: null,
          userName: null,
          userEmail: null,
          ipAddress: null,
          userAgent: null,
          details: { purgedThrough: last.seq, purgedAt: now.toISOString(), retentionDays: days, plan },
        },
      },
    );
    const count = removed.deletedCount + 1;
    this.logger.info({ workspaceId, purgedThrough: last.seq, count, plan }, 'audit retention: purged a chain segment');
    return count;
  }
}
