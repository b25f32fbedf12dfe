import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS, createEnvelope, type AuditRecordedV1 } from '@lib/contracts';
import { KAFKA_PRODUCER, LOGGER } from '@lib/service-kit';
import type { AccessClaims } from '@lib/auth-verify';

const MAX_QUEUED = 10_000;
const FLUSH_MS = 200;

export interface AuditedRequest {
  claims: AccessClaims;
  method: string;
  path: string;
  resource: string;
  status: number;
  ip: string;
  userAgent: string | null;
  correlationId: string;
}

/**
 * One audit.recorded event per authenticated mutating request. The edge has no database, so
 * events wait in a bounded queue and are sent in batches, retried while Kafka is down; the
 * services' own outboxes are what make their state changes' audit trail lossless.
 */
@Injectable()
export class RequestAudit implements OnApplicationShutdown {
  private queue: { key: string; value: string }[] = [];
  private timer?: NodeJS.Timeout;
  private flushing = false;
  private connected = false;

  constructor(
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  record(r: AuditedRequest): void {
    const segments = r.path.split('?')[0].split('/').filter(Boolean); // api, v1, resource, id?, …
    const data: AuditRecordedV1 = {
      action: `${r.resource}.${r.method.toLowerCase()}`,
      resourceType: r.resource,
      resourceId: segments[3] ?? '',
      userId: r.claims.sub,
      userName: null,
      userEmail: null,
      details: { method: r.method, path: r.path.split('?')[0], status: r.status },
      ipAddress: r.ip,
      userAgent: r.userAgent,
    };
    const event = createEnvelope({
      type: TOPICS.auditRecorded.name,
      source: '/services/edge',
      subject: r.claims.workspaceId,
      dataversion: TOPICS.auditRecorded.version,
      workspaceId: r.claims.workspaceId,
      correlationId: r.correlationId,
      actor: { type: 'user', id: r.claims.sub },
      data,
    });
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.logger.error('request audit queue full: dropped the oldest event');
    }
    this.queue.push({ key: r.claims.workspaceId, value: JSON.stringify(event) });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  async flush(): Promise<void> {
    this.timer = undefined;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    const batch = this.queue.slice(0, 500);
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      await this.producer.send({ topic: TOPICS.auditRecorded.name, acks: -1, messages: batch });
      this.queue.splice(0, batch.length);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, queued: this.queue.length }, 'request audit: Kafka unavailable; will retry');
    } finally {
      this.flushing = false;
      if (this.queue.length) this.timer ??= setTimeout(() => void this.flush(), this.queue.length > batch.length ? 0 : 1000);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.flush();
    if (this.connected) await this.producer.disconnect().catch(() => undefined);
  }
}
