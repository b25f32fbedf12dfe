import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mongodb';
import type { EntityManager } from '@mikro-orm/core';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '@lib/config';
import { TOPICS, type AuditRecordedV1, type EventEnvelope, type WorkspaceCreatedV1, type WorkspaceUpdatedV1 } from '@lib/contracts';
import { EventConsumer, IdempotentHandlersStore, createConsumer } from '@lib/messaging';
import { Metrics } from '@lib/observability';
import { KAFKA, KAFKA_CONFIG, KAFKA_PRODUCER, LOGGER, type ReadinessCheck } from '@lib/service-kit';
import { AppendAuditEntryService } from './append-audit-entry.service';

export const AUDIT_GROUP = 'audit';

/** audit.recorded → the chain; workspace.* → the plan projection retention needs. */
@Injectable()
export class AuditEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'consumer';
  private readonly consumer: EventConsumer<EntityManager>;
  private started = false;

  constructor(
    orm: MikroORM,
    private readonly append: AppendAuditEntryService,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_CONFIG) config: KafkaConfig,
    @Inject(KAFKA_PRODUCER) producer: Producer,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    const plans = () => orm.em.getConnection().getCollection<{ _id: string; plan: string; updatedAt: Date }>('workspace_plans');
    // Only a newer event moves a plan; a redelivered or late older one changes nothing.
    const setPlan = async (workspaceId: string, plan: string, at: Date) => {
      try {
        await plans().updateOne({ _id: workspaceId, updatedAt: { $lt: at } }, { $set: { plan, updatedAt: at } }, { upsert: true });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err; // a newer plan is already there
      }
    };
    this.consumer = new EventConsumer<EntityManager>({
      consumer: createConsumer(kafka, AUDIT_GROUP, config),
      producer,
      groupId: AUDIT_GROUP,
      // Appends dedupe on the unique eventId and plan updates only move forward: no extra record needed.
      store: new IdempotentHandlersStore(() => orm.em.fork()),
      logger,
      metrics,
      batchHandlers: {
        [TOPICS.auditRecorded.name]: (events) => this.append.executeBatch(events as EventEnvelope<AuditRecordedV1>[]),
      },
      handlers: {
        [TOPICS.auditRecorded.name]: async (e) => void (await this.append.execute(e as EventEnvelope<AuditRecordedV1>)),
        [TOPICS.workspaceCreated.name]: async (e) => {
          const d = e.data as WorkspaceCreatedV1;
          await setPlan(d.workspaceId, d.plan, new Date(e.time));
        },
        [TOPICS.workspaceUpdated.name]: async (e) => {
          const d = e.data as WorkspaceUpdatedV1;
          if (typeof d.changed.plan === 'string') await setPlan(d.workspaceId, d.changed.plan, new Date(e.time));
        },
      },
    });
  }

  onApplicationBootstrap(): void {
    void this.consumer
      .start()
      .then(() => (this.started = true))
      .catch((err: unknown) => this.logger.error({ err }, 'audit consumer failed to start'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }

  async check(): Promise<Record<string, unknown>> {
    return { started: this.started };
  }
}
