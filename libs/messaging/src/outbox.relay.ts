import type { Admin, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { OutboxConfig } from '@lib/config';
import type { Metrics } from '@lib/observability';
import { sleep, backoffDelay } from './backoff';

export const OUTBOX_CHANNEL = 'outbox_new';

interface Row {
  seq: string;
  topic: string;
  key: string;
  envelope: Record<string, unknown> & { id: string; correlationid?: string };
}

export interface RelayDeps {
  pool: Pool;
  producer: Producer;
  admin: Admin;
  logger: Logger;
  metrics?: Metrics;
  config: OutboxConfig;
  /** Distinguishes relays that share a database (only one per database is active at a time). */
  name: string;
  /** How often to re-check the broker's identity. */
  clusterCheckIntervalMs?: number;
}

export type RelayState = 'stopped' | 'standby' | 'connecting' | 'running';

/**
 * Publishes committed outbox rows to Kafka in commit order (acks=all), marks them sent, and keeps
 * retrying while Kafka is down. One relay per database is active (a PostgreSQL advisory lock),
 * since two relays interleaving batches would break per-key order; other replicas stand by.
 *
 * When the broker turns out to be a new one (its cluster id changed: the embedded mock keeps
 * nothing across a restart), rows sent within the retention window are published again.
 * Consumers de-duplicate on the event id, so the replay is harmless.
 */
export class OutboxRelay {
  private stopping = false;
  private loop?: Promise<void>;
  private lockClient?: PoolClient;
  private listenClient?: PoolClient;
  private wake?: () => void;
  private lastClusterCheck = 0;
  private lastPurge = 0;
  private producerConnected = false;
  /** Set when the connection holding the advisory lock dies: another relay may now lead. */
  private leadershipLost = false;
  state: RelayState = 'stopped';
  /** Last publish error, for readiness reporting; cleared on success. */
  lastError: string | null = null;

  constructor(private readonly deps: RelayDeps) {
    // An idle pooled connection that dies (database restart) must not crash the process.
    deps.pool.on('error', (err) => deps.logger.warn({ err: err.message }, 'outbox relay: idle database connection lost'));
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run().catch((err: unknown) => {
      this.deps.logger.fatal({ err }, 'outbox relay crashed');
      this.state = 'stopped';
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    await this.release();
    if (this.producerConnected) await this.deps.producer.disconnect().catch(() => undefined);
    await this.deps.admin.disconnect().catch(() => undefined);
    this.producerConnected = false;
    this.state = 'stopped';
  }

  /** Publishes whatever is pending now; used by tests and by `stop()` callers that want a drain. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n === 0) return total;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      if (!this.lockClient || this.leadershipLost) {
        await this.release();
        this.state = 'standby';
        await this.acquireLeadership();
        if (this.stopping) return;
        await this.listen();
      }
      try {
        this.state = this.producerConnected ? 'running' : 'connecting';
        await this.ensureConnected();
        await this.checkBroker();
        await this.purge();
        const sent = await this.publishBatch();
        failures = 0;
        this.lastError = null;
        this.state = 'running';
        if (sent === 0) await this.idle(this.deps.config.pollIntervalMs);
      } catch (err) {
        failures++;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.deps.metrics?.outboxPublishErrors.inc();
        const delay = backoffDelay(failures, 200, 5000);
        this.deps.logger.warn({ err: this.lastError, failures, retryInMs: delay }, 'outbox relay: publish failed; will retry');
        await this.idle(delay);
      }
    }
  }

  private async acquireLeadership(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!this.lockClient) {
          const client = await this.deps.pool.connect();
          client.on('error', (err) => {
            this.deps.logger.warn({ err: err.message }, 'outbox relay: lost the leader connection');
            this.leadershipLost = true;
            this.wake?.();
          });
          this.lockClient = client;
        }
        const res = await this.lockClient.query<{ ok: boolean }>(
          'select pg_try_advisory_lock(hashtext($1)) as ok',
          [`outbox-relay:${this.deps.name}`],
        );
        if (res.rows[0]?.ok) {
          this.leadershipLost = false;
          return;
        }
      } catch (err) {
        this.deps.logger.warn({ err: (err as Error).message }, 'outbox relay: cannot reach the database; retrying');
        this.lockClient?.release(true);
        this.lockClient = undefined;
      }
      await this.idle(2000);
    }
  }

  private async listen(): Promise<void> {
    try {
      this.listenClient = await this.deps.pool.connect();
      this.listenClient.on('error', (err) => {
        this.deps.logger.warn({ err: err.message }, 'outbox relay: lost the LISTEN connection');
        this.leadershipLost = true;
        this.wake?.();
      });
      this.listenClient.on('notification', () => this.wake?.());
      await this.listenClient.query(`listen ${OUTBOX_CHANNEL}`);
    } catch (err) {
      // Polling still works without notifications; they only cut latency.
      this.deps.logger.warn({ err: (err as Error).message }, 'outbox relay: LISTEN failed, polling only');
    }
  }

  private async release(): Promise<void> {
    const broken = this.leadershipLost;
    if (this.listenClient) {
      if (!broken) await this.listenClient.query(`unlisten ${OUTBOX_CHANNEL}`).catch(() => undefined);
      this.listenClient.release(broken);
      this.listenClient = undefined;
    }
    if (this.lockClient) {
      if (!broken) await this.lockClient.query('select pg_advisory_unlock_all()').catch(() => undefined);
      this.lockClient.release(broken);
      this.lockClient = undefined;
    }
  }

  private async ensureConnected(): Promise<void> {
    if (this.producerConnected) return;
    await this.deps.producer.connect();
    await this.deps.admin.connect();
    this.producerConnected = true;
    this.lastClusterCheck = 0;
  }

  /** Replays the retention window when the broker is not the one we last published to. */
  private async checkBroker(): Promise<void> {
    const interval = this.deps.clusterCheckIntervalMs ?? 10_000;
    if (Date.now() - this.lastClusterCheck < interval) return;
    const { clusterId } = await this.deps.admin.describeCluster();
    this.lastClusterCheck = Date.now();
    const prev = await this.deps.pool.query<{ clusterId: string }>(
      'select "clusterId" from outbox_relay_state where id = $1',
      [this.deps.name],
    );
    const known = prev.rows[0]?.clusterId;
    if (known === clusterId) return;
    const client = await this.deps.pool.connect();
    try {
      await client.query('begin');
      let replayed = 0;
      if (known !== undefined) {
        const res = await client.query(
          `update outbox set "sentAt" = null
            where "sentAt" is not null and "sentAt" >= now() - make_interval(hours => $1)`,
          [this.deps.config.retentionHours],
        );
        replayed = res.rowCount ?? 0;
      }
      await client.query(
        `insert into outbox_relay_state (id, "clusterId", "updatedAt") values ($1, $2, now())
         on conflict (id) do update set "clusterId" = excluded."clusterId", "updatedAt" = now()`,
        [this.deps.name, clusterId],
      );
      await client.query('commit');
      if (known !== undefined) {
        this.deps.logger.warn({ previous: known, current: clusterId, replayed }, 'outbox relay: new broker; replaying the retention window');
      }
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async publishBatch(): Promise<number> {
    const { rows } = await this.deps.pool.query<Row>(
      'select seq, topic, key, envelope from outbox where "sentAt" is null order by seq limit $1',
      [this.deps.config.batchSize],
    );
    if (rows.length === 0) {
      this.deps.metrics?.outboxPending.set(0);
      return 0;
    }
    // One request per batch; messages of one topic keep their commit order within it.
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push({
        key: row.key,
        value: JSON.stringify(row.envelope),
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          'ce-id': row.envelope.id,
          ...(row.envelope.correlationid ? { 'x-correlation-id': row.envelope.correlationid } : {}),
        },
      });
      byTopic.set(row.topic, list);
    }
    try {
      await this.deps.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (err) {
      await this.deps.pool
        .query('update outbox set attempts = attempts + 1, "lastError" = $2 where seq = any($1::bigint[])', [
          rows.map((r) => r.seq),
          (err as Error).message.slice(0, 1000),
        ])
        .catch(() => undefined);
      throw err;
    }
    await this.deps.pool.query('update outbox set "sentAt" = now(), "lastError" = null where seq = any($1::bigint[])', [
      rows.map((r) => r.seq),
    ]);
    for (const [topic, messages] of byTopic) this.deps.metrics?.outboxPublished.inc({ topic }, messages.length);
    return rows.length;
  }

  private async purge(): Promise<void> {
    if (Date.now() - this.lastPurge < 60_000) return;
    this.lastPurge = Date.now();
    const res = await this.deps.pool.query(
      `delete from outbox where seq in (
         select seq from outbox where "sentAt" < now() - make_interval(hours => $1) order by seq limit 10000)`,
      [this.deps.config.retentionHours],
    );
    const pending = await this.deps.pool.query<{ n: string }>('select count(*) as n from outbox where "sentAt" is null');
    this.deps.metrics?.outboxPending.set(Number(pending.rows[0]?.n ?? 0));
    if (res.rowCount) this.deps.logger.info({ purged: res.rowCount }, 'outbox relay: purged sent rows past retention');
  }

  private idle(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

export { sleep };
