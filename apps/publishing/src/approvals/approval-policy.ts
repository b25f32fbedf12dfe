import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, type Platform } from '@lib/contracts';
import { ROLES, atLeast, minimumRole, type Role } from '@lib/permissions';
import type { Post } from '../posts/post.entity';
import type { Actor } from '../posts/posts.service';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { parseApprovalConfig, type ApprovalConfig } from './approval-config';
import type { ResolvedLevel } from './approval-request.entity';
import { ApprovalErrors } from './approvals.errors';
import { Workflow } from './workflow.entity';

/** What a workflow's conditions look at. */
export interface PostFacts {
  platforms: readonly Platform[];
  campaignId: string | null;
  /** null when publishing does not know the author's role (yet). */
  authorRole: Role | null;
}

/**
 * True when every condition the config sets holds for the post: it targets at least one of the
 * listed networks, belongs to one of the listed campaigns, and its author holds one of the listed
 * roles. An author whose role is unknown counts as matching: approval is then required rather
 * than silently skipped (fail closed).
 */
export function workflowApplies(config: ApprovalConfig, facts: PostFacts): boolean {
  const c = config.conditions;
  if (!c) return true;
  if (c.platforms && !facts.platforms.some((p) => c.platforms!.includes(p))) return false;
  if (c.campaignIds && (!facts.campaignId || !c.campaignIds.includes(facts.campaignId.toLowerCase()))) return false;
  if (c.authorRoles && facts.authorRole !== null && !c.authorRoles.includes(facts.authorRole)) return false;
  return true;
}

/** Stands for the workspace setting in reviews and errors: no stored workflow has this id. */
export const REQUIRED_APPROVAL_WORKFLOW_ID = '00000000-0000-0000-0000-000000000000';

/**
 * What the workspace setting `defaults.requireApproval` means when no workflow of its own applies:
 * one level, approved by any other active member who may approve posts by default (MANAGER and
 * above). Never stored; a workflow the workspace defines always comes first.
 */
export function requiredApprovalWorkflow(workspaceId: string): Workflow {
  return Object.assign(new Workflow(), {
    id: REQUIRED_APPROVAL_WORKFLOW_ID,
    workspaceId,
    name: 'Workspace setting: every post needs approval',
    type: 'APPROVAL',
    config: { levels: [{ mode: 'ANY', approvers: { roles: ROLES.filter((r) => atLeast(r, minimumRole('posts', 'approve') ?? 'OWNER')) } }] },
    isActive: true,
  } satisfies Partial<Workflow>);
}

export interface ApplicableWorkflow {
  workflow: Workflow;
  /** null when the stored config no longer validates; the workflow still applies (fail closed). */
  config: ApprovalConfig | null;
  authorRole: Role | null;
}

/**
 * Which approval workflow governs a post, and who approves it. Shared by submission (which
 * starts the review) and by scheduling (which refuses to bypass it).
 */
@Injectable()
export class ApprovalPolicy {
  constructor(private readonly directory: WorkspaceDirectory) {}

  /**
   * The workflow that applies to the post: among the workspace's active APPROVAL workflows whose
   * conditions the post meets, the oldest (createdAt, then id), so the choice never depends on
   * row order. When none does and the workspace setting `defaults.requireApproval` is on, the
   * built-in {@link requiredApprovalWorkflow}. Null when nothing applies.
   */
  async applicable(em: EntityManager, actor: Actor, post: Post): Promise<ApplicableWorkflow | null> {
    const workflows = await em.find(Workflow, { workspaceId: post.workspaceId, type: 'APPROVAL', isActive: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    let authorRole: Role | null | undefined;
    if (workflows.length) {
      authorRole = await this.authorRole(actor, post);
      const facts: PostFacts = {
        platforms: post.platformPosts.getItems().map((pp) => pp.platform),
        campaignId: post.campaign?.id ?? null,
        authorRole,
      };
      for (const workflow of workflows) {
        const config = parseApprovalConfig(workflow.config);
        if (!config || workflowApplies(config, facts)) return { workflow, config, authorRole };
      }
    }
    if (!(await this.directory.profile(post.workspaceId, em))?.requireApproval) return null;
    const workflow = requiredApprovalWorkflow(post.workspaceId);
    return { workflow, config: parseApprovalConfig(workflow.config), authorRole: authorRole === undefined ? await this.authorRole(actor, post) : authorRole };
  }

  /** The author's role: the caller's own token role when they are the author, else the workspace projection's. */
  async authorRole(actor: Actor, post: Post): Promise<Role | null> {
    if (actor.userId === post.authorId && actor.role) return actor.role;
    return (await this.directory.member(post.workspaceId, post.authorId))?.role ?? null;
  }

  /**
   * Every level's approvers: the listed user ids plus the active members holding a listed role,
   * minus the author (nobody approves their own post). A level left with nobody is refused (422,
   * naming the level), so a review can never get stuck on an empty level.
   */
  async resolveLevels(workspaceId: string, match: ApplicableWorkflow, authorId: string): Promise<ResolvedLevel[]> {
    const { workflow, config } = match;
    if (!config) {
      throw new DomainError(ApprovalErrors.noApprover, `The approval workflow "${workflow.name}" has an invalid config`, {
        detail: 'An admin must fix the workflow (PATCH /api/v1/workflows/{id}) before posts it applies to can be submitted',
        workflowId: workflow.id,
      });
    }
    const levels: ResolvedLevel[] = [];
    for (const [i, level] of config.levels.entries()) {
      const byRole = level.approvers.roles?.length ? await this.directory.members(workspaceId, level.approvers.roles) : [];
      const ids = [...new Set([...(level.approvers.userIds ?? []), ...byRole.map((m) => m.userId)])].filter((id) => id !== authorId);
      if (!ids.length) {
        throw new DomainError(ApprovalErrors.noApprover, `Level ${i + 1} of the approval workflow "${workflow.name}" has nobody who may approve this post`, {
          detail:
            workflow.id === REQUIRED_APPROVAL_WORKFLOW_ID
              ? 'The author cannot approve their own post, and no other active member is a MANAGER or above; invite one, or turn off settings.defaults.requireApproval'
              : 'The author cannot approve their own post, and no other active member matches the level; an admin must change the workflow',
          workflowId: workflow.id,
          level: i + 1,
        });
      }
      levels.push({ mode: level.mode, approverIds: ids });
    }
    return levels;
  }

  /**
   * Scheduling (or publishing now) must not go around a review: a post in review waits for its
   * approvers, and a DRAFT that a workflow applies to must be submitted first. APPROVED posts,
   * and posts no workflow applies to, are scheduled as before.
   */
  async assertMayScheduleDirectly(em: EntityManager, actor: Actor, post: Post): Promise<void> {
    if (post.status === 'PENDING_APPROVAL') {
      throw new DomainError(ApprovalErrors.inReview, 'The post is waiting for approval', {
        detail: 'It is scheduled when its last approval level approves; take it back to DRAFT to change it',
        postStatus: post.status,
      });
    }
    if (post.status !== 'DRAFT') return;
    const match = await this.applicable(em, actor, post);
    if (match) {
      throw new DomainError(ApprovalErrors.approvalRequired, `The approval workflow "${match.workflow.name}" applies to this post`, {
        detail: `Submit it for approval first: POST /api/v1/posts/${post.id}/submit`,
        workflowId: match.workflow.id,
      });
    }
  }
}
