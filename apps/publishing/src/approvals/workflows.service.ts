import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery } from '@mikro-orm/core';
import { DomainError, ErrorCodes, TOPICS, type WorkflowType } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { decodeTimeIdCursor, encodeTimeIdCursor, keysetAfter } from '@lib/pagination';
import { Campaign } from '../campaigns/campaign.entity';
import type { Actor } from '../posts/posts.service';
import { validateWorkflowConfig, type ApprovalConfig, type FieldError } from './approval-config';
import { ApprovalErrors } from './approvals.errors';
import type { CreateWorkflowRequest, ListWorkflowsRequest, UpdateWorkflowRequest } from './dto/workflow.requests';
import { Workflow } from './workflow.entity';

/** What clients see of a workflow. */
export function toWorkflowResponse(w: Workflow) {
  return {
    id: w.id,
    workspaceId: w.workspaceId,
    name: w.name,
    description: w.description,
    type: w.type,
    config: w.config,
    isActive: w.isActive,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

export type WorkflowResponse = ReturnType<typeof toWorkflowResponse>;

function notFound(): DomainError {
  return new DomainError(ApprovalErrors.workflowNotFound, 'No such workflow');
}

function invalid(errors: FieldError[]): DomainError {
  return new DomainError(ErrorCodes.validation, 'Invalid workflow config', { detail: errors.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '), errors });
}

/** Workflows of a workspace (APPROVAL now; AUTOMATION and CHATBOT configs are stored for later issues). */
@Injectable()
export class WorkflowsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(actor: Actor, input: CreateWorkflowRequest): Promise<WorkflowResponse> {
    const em = this.em.fork();
    const w = new Workflow();
    w.workspaceId = actor.workspaceId;
    w.name = input.name;
    w.description = input.description ?? null;
    w.type = input.type;
    w.config = await this.checkedConfig(em, actor, input.type, input.config);
    w.isActive = input.isActive ?? true;
    em.persist(w);
    this.audit(em, actor, w, 'workflow.created', { after: toWorkflowResponse(w) });
    await em.flush();
    return toWorkflowResponse(w);
  }

  async get(actor: Actor, id: string): Promise<WorkflowResponse> {
    return toWorkflowResponse(await this.load(this.em.fork(), actor, id));
  }

  async list(actor: Actor, q: ListWorkflowsRequest): Promise<{ items: WorkflowResponse[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const where: FilterQuery<Workflow> = { workspaceId: actor.workspaceId };
    if (q.type) where.type = q.type;
    if (q.isActive !== undefined) where.isActive = q.isActive;
    if (q.cursor) Object.assign(where, keysetAfter('createdAt', decodeTimeIdCursor(q.cursor)));
    const rows = await this.em.fork().find(Workflow, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toWorkflowResponse), nextCursor: rows.length > limit ? encodeTimeIdCursor(last.createdAt, last.id) : null };
  }

  /**
   * Changes name, description, config or isActive. Posts already in review keep the config they
   * were submitted under (approval_requests holds a copy); the change applies to the next submissions.
   */
  async update(actor: Actor, id: string, input: UpdateWorkflowRequest): Promise<WorkflowResponse> {
    const em = this.em.fork();
    const w = await this.load(em, actor, id);
    const before = toWorkflowResponse(w);
    if (input.config !== undefined) w.config = await this.checkedConfig(em, actor, w.type, input.config);
    if (input.name !== undefined) w.name = input.name;
    if (input.description !== undefined) w.description = input.description;
    if (input.isActive !== undefined) w.isActive = input.isActive;
    w.updatedAt = new Date();
    this.audit(em, actor, w, 'workflow.updated', { before, after: toWorkflowResponse(w) });
    await em.flush();
    return toWorkflowResponse(w);
  }

  /** Removes the workflow; reviews under way finish with the copy they were submitted under. */
  async remove(actor: Actor, id: string): Promise<void> {
    const em = this.em.fork();
    const w = await this.load(em, actor, id);
    this.audit(em, actor, w, 'workflow.deleted', { before: toWorkflowResponse(w) });
    em.remove(w);
    await em.flush();
  }

  private async load(em: EntityManager, actor: Actor, id: string): Promise<Workflow> {
    const w = await em.findOne(Workflow, { id, workspaceId: actor.workspaceId });
    if (!w) throw notFound();
    return w;
  }

  /** The config validated for the type (400 naming each field); an APPROVAL config's campaigns must be the workspace's. */
  private async checkedConfig(em: EntityManager, actor: Actor, type: WorkflowType, raw: unknown): Promise<Record<string, unknown>> {
    const { config, errors } = validateWorkflowConfig(type, raw);
    if (errors.length) throw invalid(errors);
    const campaignIds = type === 'APPROVAL' ? ((config as unknown as ApprovalConfig).conditions?.campaignIds ?? []) : [];
    if (campaignIds.length) {
      const found = new Set((await em.find(Campaign, { id: { $in: campaignIds }, workspaceId: actor.workspaceId }, { fields: ['id'] })).map((c) => c.id));
      const given = ((raw as ApprovalConfig).conditions?.campaignIds ?? []).map((id) => id.toLowerCase());
      const missing = given.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
      if (missing.length) throw invalid(missing.map(({ id, i }) => ({ field: `config.conditions.campaignIds.${i}`, messages: [`${id} is not a campaign of this workspace`] })));
    }
    return config;
  }

  private audit(em: EntityManager, actor: Actor, w: Workflow, action: string, details: Record<string, unknown>): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      { action, resourceType: 'workflow', resourceId: w.id, userId: actor.userId, userName: null, userEmail: null, details, ipAddress: null, userAgent: null },
      { subject: actor.workspaceId, workspaceId: actor.workspaceId, actor: { type: 'user', id: actor.userId } },
    );
  }
}
