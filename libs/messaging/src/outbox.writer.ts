import type { EntityManager } from '@mikro-orm/core';
import { createEnvelope, type EventActor, type EventEnvelope, type TopicSpec } from '@lib/contracts';
import type { Static, TSchema } from '@sinclair/typebox';
import { currentContext, correlationId } from '@lib/observability';
import { OutboxMessage } from './outbox.entities';

export interface StageOptions {
  subject: string;
  workspaceId: string | null;
  actor: EventActor;
  /** Override the ambient correlation (e.g. a scheduler job that has its own). */
  correlationId?: string;
  causationId?: string | null;
}

/**
 * Stages an event in the caller's unit of work: it is written by the same flush (and so the same
 * transaction) as the state change. Nothing is sent here; the relay publishes after commit.
 */
export class OutboxWriter {
  constructor(private readonly source: string) {}

  stage<S extends TSchema>(em: EntityManager, topic: TopicSpec & { schema: S }, data: Static<S>, opts: StageOptions): EventEnvelope<Static<S>> {
    const ctx = currentContext();
    const envelope = createEnvelope({
      type: topic.name,
      source: `/services/${this.source}`,
      subject: opts.subject,
      dataversion: topic.version,
      workspaceId: opts.workspaceId,
      correlationId: opts.correlationId ?? ctx?.correlationId ?? correlationId(),
      causationId: opts.causationId ?? ctx?.causationId ?? null,
      actor: opts.actor,
      data,
    });
    const row = new OutboxMessage();
    row.eventId = envelope.id;
    row.topic = topic.name;
    row.key = opts.subject;
    row.envelope = envelope as unknown as Record<string, unknown>;
    row.createdAt = new Date(envelope.time);
    em.persist(row);
    return envelope;
  }
}
