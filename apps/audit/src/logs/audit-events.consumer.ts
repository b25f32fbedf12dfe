import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mongodb';
import type { EntityManager } from '@mikro-orm/core';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '@lib/config';
import { TOPICS, type AuditRecordedV1, type EventEnvelope, type WorkspaceCreatedV1, type WorkspaceUpdatedV1 } from '@lib/contracts';
import { EventConsumer, MongoDedupeStore, createConsumer } from '@lib/messaging';
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
    this.consumer = new EventConsumer<EntityManager>({
      consumer: createConsumer(kafka, AUDIT_GROUP, config),
      producer,
      groupId: AUDIT_GROUP,
      store: new MongoDedupeStore(orm),
      logger,
      metrics,
      handlers: {
        [TOPICS.auditRecorded.name]: async (e) => void (await this.append.execute(e as EventEnvelope<AuditRecordedV1>)),
        [TOPICS.workspaceCreated.name]: async (e) => {
          const d = e.data as WorkspaceCreatedV1;
          await plans().updateOne({ _id: d.workspaceId }, { $set: { plan: d.plan, updatedAt: new Date(e.time) } }, { upsert: true });
        },
        [TOPICS.workspaceUpdated.name]: async (e) => {
          const d = e.data as WorkspaceUpdatedV1;
          if (typeof d.changed.plan === 'string') {
            await plans().updateOne({ _id: d.workspaceId }, { $set: { plan: d.changed.plan, updatedAt: new Date(e.time) } }, { upsert: true });
          }
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
