import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { SocialAccount } from '../accounts/social-account.entity';
import { parseApprovalConfig } from '../approvals/approval-config';
import { Workflow } from '../approvals/workflow.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { MediaAsset } from '../media/media-asset.entity';
import { contentMediaOf } from '../scheduler/publish-queue';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { splitList } from './csv-cells';
import { safeZone } from './csv-time';
import type { CsvRow } from './import-csv.parser';
import type { ApprovalRule, ImportReferences, ScheduleQuota } from './import-row.validator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads, once per import, what the rows may refer to: a handful of queries whatever the row count. */
@Injectable()
export class ImportReferencesLoader {
  constructor(
    private readonly em: EntityManager,
    private readonly workspaces: WorkspaceDirectory,
  ) {}

  async references(workspaceId: string, rows: readonly CsvRow[]): Promise<ImportReferences> {
    const em = this.em.fork();
    const campaignCells = new Set<string>();
    const mediaIds = new Set<string>();
    for (const r of rows) {
      const c = r.cells.campaign?.trim();
      if (c) campaignCells.add(c);
      for (const m of splitList(r.cells.media)) if (UUID.test(m)) mediaIds.add(m.toLowerCase());
    }
    const campaignIds = [...campaignCells].filter((c) => UUID.test(c)).map((c) => c.toLowerCase());
    const [accounts, campaigns, media] = await Promise.all([
      em.find(SocialAccount, { workspaceId, isActive: true }, { orderBy: { createdAt: 'asc' } }),
      campaignCells.size ? em.find(Campaign, { workspaceId, $or: [{ id: { $in: campaignIds } }, { name: { $in: [...campaignCells] } }] }) : Promise.resolve([]),
      mediaIds.size ? em.find(MediaAsset, { workspaceId, id: { $in: [...mediaIds] } }) : Promise.resolve([]),
    ]);
    return {
      accounts: accounts.map((a) => ({ id: a.id, platform: a.platform, username: a.username })),
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, utmParams: c.utmParams })),
      media: media.map((m) => ({ id: m.id, media: contentMediaOf(m) })),
    };
  }

  /** The workspace's active approval workflows, oldest first (as ApprovalPolicy picks them). */
  async approvalRules(workspaceId: string): Promise<ApprovalRule[]> {
    const workflows = await this.em.fork().find(Workflow, { workspaceId, type: 'APPROVAL', isActive: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return workflows.map((w) => ({ name: w.name, config: parseApprovalConfig(w.config) }));
  }

  /** The workspace's zone: local times in the file are read in it. */
  async timeZone(workspaceId: string): Promise<string> {
    return safeZone(await this.workspaces.timeZone(workspaceId));
  }

  /**
   * The plan's scheduled posts per month and what each month from this one on already holds,
   * counted as PlanLimits counts them; null when the plan sets no such limit.
   */
  async scheduleQuota(workspaceId: string, zone: string, now: Date): Promise<ScheduleQuota | null> {
    const profile = await this.workspaces.profile(workspaceId);
    const max = profile?.limits.scheduledPostsPerMonth;
    if (!profile || max === null || max === undefined) return null;
    const from = DateTime.fromJSDate(now, { zone }).startOf('month').toJSDate();
    const rows = await this.em.getConnection().execute<{ month: string; n: number }[]>(
      `select to_char(coalesce("scheduledAt", "publishedAt") at time zone ?, 'YYYY-MM') as month, count(*)::int as n
         from posts
        where "workspaceId" = ? and status in ('SCHEDULED', 'PUBLISHING', 'PUBLISHED') and coalesce("scheduledAt", "publishedAt") >= ?
        group by 1`,
      [zone, workspaceId, from],
    );
    return { plan: profile.plan, max, used: new Map(rows.map((r) => [r.month, r.n])) };
  }
}
