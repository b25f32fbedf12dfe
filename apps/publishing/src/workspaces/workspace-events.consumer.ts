import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/core';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '@lib/config';
import {
  PLAN_LIMITS,
  PLANS,
  TOPICS,
  type EventEnvelope,
  type Plan,
  type UserDeactivatedV1,
  type UserJoinedV1,
  type UserRoleChangedV1,
  type WorkspaceCreatedV1,
  type WorkspaceLimits,
  type WorkspaceUpdatedV1,
} from '@lib/contracts';
import { EventConsumer, PgDedupeStore, createConsumer } from '@lib/messaging';
import { Metrics } from '@lib/observability';
import { KAFKA, KAFKA_CONFIG, KAFKA_PRODUCER, LOGGER, type ReadinessCheck } from '@lib/service-kit';

export const PUBLISHING_GROUP = 'publishing';

type Sql = (sql: string, params: unknown[]) => Promise<unknown>;

/**
 * auth's workspace.* and user.* events → the workspace_profiles and workspace_members
 * projections (plan limits, time zone, whether posts need approval, approvers by role). Each event is applied once (the
 * processed_events record shares its transaction), and only a newer event moves a row.
 */
@Injectable()
export class WorkspaceEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'workspace-events';
  private readonly consumer: EventConsumer<EntityManager>;
  private started = false;

  constructor(
    orm: MikroORM,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_CONFIG) config: KafkaConfig,
    @Inject(KAFKA_PRODUCER) producer: Producer,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    const sql = (em: EntityManager): Sql => (q, params) => em.getConnection().execute(q, params, 'run', em.getTransactionContext());
    this.consumer = new EventConsumer<EntityManager>({
      consumer: createConsumer(kafka, PUBLISHING_GROUP, config),
      producer,
      groupId: PUBLISHING_GROUP,
      store: new PgDedupeStore(orm),
      logger,
      metrics,
      handlers: {
        [TOPICS.workspaceCreated.name]: (e, em) => onWorkspaceCreated(sql(em), e as EventEnvelope<WorkspaceCreatedV1>),
        [TOPICS.workspaceUpdated.name]: (e, em) => onWorkspaceUpdated(sql(em), e as EventEnvelope<WorkspaceUpdatedV1>),
        [TOPICS.userJoined.name]: (e, em) => {
          const d = (e as EventEnvelope<UserJoinedV1>).data;
          return upsertMember(sql(em), e.workspaceid, d.userId, { role: d.role, isActive: true }, e.time);
        },
        [TOPICS.userRoleChanged.name]: (e, em) => {
          const d = (e as EventEnvelope<UserRoleChangedV1>).data;
          return upsertMember(sql(em), e.workspaceid, d.userId, { role: d.to }, e.time);
        },
        [TOPICS.userDeactivated.name]: (e, em) => {
          const d = (e as EventEnvelope<UserDeactivatedV1>).data;
          return upsertMember(sql(em), e.workspaceid, d.userId, { isActive: false }, e.time);
        },
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.consumer
      .start()
      .then(() => (this.started = true))
      .catch((err: unknown) => this.logger.error({ err }, 'workspace events consumer failed to start'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  async check(): Promise<Record<string, unknown>> {
    return { started: this.started };
  }
}

function planOf(value: unknown): Plan | null {
  return typeof value === 'string' && (PLANS as readonly string[]).includes(value) ? (value as Plan) : null;
}

function limitsOf(value: unknown): Partial<WorkspaceLimits> {
  if (!value || typeof value !== 'object') return {};
  const out: Partial<WorkspaceLimits> = {};
  for (const k of ['users', 'socialAccounts', 'scheduledPostsPerMonth', 'aiCreditsPerMonth'] as const) {
    const v = (value as Record<string, unknown>)[k];
    if (v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0)) out[k] = v;
  }
  return out;
}

async function onWorkspaceCreated(sql: Sql, e: EventEnvelope<WorkspaceCreatedV1>): Promise<void> {
  const d = e.data;
  const plan = planOf(d.plan) ?? 'FREE';
  const limits = { ...PLAN_LIMITS[plan], ...limitsOf(d.limits) };
  await sql(
    `insert into workspace_profiles ("workspaceId", plan, "timeZone", limits, "updatedAt") values (?, ?, ?, ?::jsonb, ?)
     on conflict ("workspaceId") do update set plan = excluded.plan, "timeZone" = excluded."timeZone", limits = excluded.limits, "updatedAt" = excluded."updatedAt"
     where workspace_profiles."updatedAt" < excluded."updatedAt"`,
    [d.workspaceId, plan, d.timeZone ?? 'UTC', JSON.stringify(limits), e.time],
  );
}

async function onWorkspaceUpdated(sql: Sql, e: EventEnvelope<WorkspaceUpdatedV1>): Promise<void> {
  const { workspaceId, changed } = e.data;
  const plan = planOf(changed.plan);
  const limits = limitsOf(changed.limits);
  const settings = changed.settings as { timezone?: unknown; defaults?: { requireApproval?: unknown } } | undefined;
  const timeZone = typeof settings?.timezone === 'string' ? settings.timezone : null;
  const requireApproval = typeof settings?.defaults?.requireApproval === 'boolean' ? settings.defaults.requireApproval : null;
  if (!plan && !Object.keys(limits).length && !timeZone && requireApproval === null) return; // nothing publishing keeps
  // A plan change without its limits takes the plan's row; explicit limits win.
  const newLimits = plan ? { ...PLAN_LIMITS[plan], ...limits } : limits;
  await sql(
    `insert into workspace_profiles ("workspaceId", plan, "timeZone", limits, "requireApproval", "updatedAt") values (?, ?, ?, ?::jsonb, ?, ?)
     on conflict ("workspaceId") do update set
       plan = coalesce(?, workspace_profiles.plan),
       "timeZone" = coalesce(?, workspace_profiles."timeZone"),
       limits = workspace_profiles.limits || ?::jsonb,
       "requireApproval" = coalesce(?::boolean, workspace_profiles."requireApproval"),
       "updatedAt" = excluded."updatedAt"
     where workspace_profiles."updatedAt" < excluded."updatedAt"`,
    [
      workspaceId, plan ?? 'FREE', timeZone ?? 'UTC', JSON.stringify({ ...PLAN_LIMITS[plan ?? 'FREE'], ...newLimits }), requireApproval ?? false, e.time,
      plan, timeZone, JSON.stringify(newLimits), requireApproval,
    ],
  );
}

async function upsertMember(sql: Sql, workspaceId: string | null, userId: string, change: { role?: string; isActive?: boolean }, time: string): Promise<void> {
  if (!workspaceId) return;
  await sql(
    `insert into workspace_members ("workspaceId", "userId", role, "isActive", "updatedAt") values (?, ?, ?, ?, ?)
     on conflict ("workspaceId", "userId") do update set
       role = coalesce(?, workspace_members.role),
       "isActive" = coalesce(?, workspace_members."isActive"),
       "updatedAt" = excluded."updatedAt"
     where workspace_members."updatedAt" <= excluded."updatedAt"`,
    [workspaceId, userId, change.role ?? 'VIEWER', change.isActive ?? true, time, change.role ?? null, change.isActive ?? null],
  );
}
