import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per process, with the platform's shared instruments. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly outboxPending = new Gauge({
    name: 'outbox_pending_events',
    help: 'Outbox rows not yet published to Kafka',
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'outbox_published_total',
    help: 'Outbox rows published to Kafka',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  readonly outboxPublishErrors = new Counter({
    name: 'outbox_publish_errors_total',
    help: 'Failed relay publish attempts (they are retried)',
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'events_consumed_total',
    help: 'Consumed events by outcome (processed, duplicate, retried, dead_lettered)',
    labelNames: ['topic', 'outcome'],
    registers: [this.registry],
  });

  readonly breakerState = new Gauge({
    name: 'circuit_breaker_open',
    help: '1 while a circuit breaker is open, 0.5 half-open, 0 closed',
    labelNames: ['breaker'],
    registers: [this.registry],
  });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }
}
