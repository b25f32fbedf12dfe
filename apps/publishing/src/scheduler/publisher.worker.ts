import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import { settledWithin } from '@lib/messaging';
import { Metrics } from '@lib/observability';
import { HealthRegistry, LOGGER } from '@lib/service-kit';
import { PublisherService } from './publisher.service';

export const PUBLISHER_WORKER_OPTIONS = Symbol('PUBLISHER_WORKER_OPTIONS');

/** How long a shutdown waits for rounds under way: within Kubernetes' 30 s grace period. */
const SHUTDOWN_WAIT_MS = 20_000;

export interface PublisherWorkerOptions {
  pollMs?: number;
  reconcileMs?: number;
  /** Liveness fails after this long without progress (2 min). */
  stallMs?: number;
  /** Rounds in flight at once (4): a slow network's round does not hold up the next claim. */
  maxRounds?: number;
  disabled?: boolean;
}

/**
 * Drives the publisher: claims due work every `pollMs` (at once again while there is more, with
 * up to `maxRounds` rounds publishing at once), and every `reconcileMs` frees jobs whose lease
 * ran out (a dead replica, a hung round) and settles posts whose networks all have an outcome, so
 * nothing is ever silently stuck.
 *
 * Nor is the loop itself: its liveness check fails when it has made no progress (no round
 * ended, no send finished) for `stallMs`, so the orchestrator restarts a replica whose loop hung
 * while its HTTP side still answers; its jobs' leases run out and another replica reconciles
 * them. Readiness and /metrics show the sends still waiting a minute past their time.
 */
@Injectable()
export class PublisherWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private lastReconcile = 0;
  private lastRoundAt = Date.now();
  private overdue: { jobs: number; oldestSeconds: number; at: string } | null = null;
  private readonly pollMs: number;
  private readonly reconcileMs: number;
  private readonly stallMs: number;
  private readonly maxRounds: number;
  /** Rounds claimed and still publishing; each settles (never rejects) when its outcomes are recorded. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly overdueJobs?: Gauge;
  private readonly oldestOverdue?: Gauge;

  constructor(
    private readonly publisher: PublisherService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(PUBLISHER_WORKER_OPTIONS) opts?: PublisherWorkerOptions,
    @Optional() health?: HealthRegistry,
    @Optional() metrics?: Metrics,
  ) {
    this.pollMs = opts?.pollMs ?? 500;
    this.reconcileMs = opts?.reconcileMs ?? 10_000;
    this.stallMs = opts?.stallMs ?? 120_000;
    this.maxRounds = opts?.maxRounds ?? 4;
    this.running = !opts?.disabled;
    if (metrics) {
      this.overdueJobs = new Gauge({ name: 'publish_jobs_overdue', help: 'Sends still waiting more than a minute after they were due', registers: [metrics.registry] });
      this.oldestOverdue = new Gauge({ name: 'publish_oldest_overdue_seconds', help: 'How late the most overdue send is', registers: [metrics.registry] });
    }
    if (this.running && health) {
      health.addLiveness({ name: 'publisher', check: async () => this.liveness() });
      health.addReadiness({ name: 'publish-queue', check: async () => ({ lastRoundAt: new Date(this.lastRoundAt).toISOString(), overdue: this.overdue }) });
    }
  }

  onApplicationBootstrap(): void {
    if (!this.running) return;
    this.lastRoundAt = Date.now();
    this.loop = this.run();
  }

  /**
   * Rounds under way get to record their outcomes (a send takes at most the network timeout); a
   * hung loop or round does not hold the shutdown past the grace period: its leases expire, and
   * another replica reconciles its jobs.
   */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.loop && !(await settledWithin(this.loop, SHUTDOWN_WAIT_MS))) {
      this.logger.warn({ rounds: this.inFlight.size }, 'publisher: still busy at shutdown; its jobs will be reconciled');
    }
  }

  /** Throws when the loop has made no progress for `stallMs`. */
  liveness(now = Date.now()): { lastProgressAt: string } {
    const last = Math.max(this.lastRoundAt, this.publisher.lastSendAt);
    if (now - last > this.stallMs) {
      throw new Error(`the publisher has made no progress for ${Math.round((now - last) / 1000)} s (since ${new Date(last).toISOString()})`);
    }
    return { lastProgressAt: new Date(last).toISOString() };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        if (Date.now() - this.lastReconcile >= this.reconcileMs) {
          this.lastReconcile = Date.now();
          await this.publisher.releaseExpiredLeases();
          await this.publisher.settleStalledPosts();
          await this.measureOverdue();
        }
        if (this.inFlight.size >= this.maxRounds) {
          await Promise.race(this.inFlight);
          continue;
        }
        const round = await this.publisher.startRound();
        claimed = round.claimed;
        if (claimed) this.track(round.done);
      } catch (err) {
        this.logger.error({ err }, 'publisher round failed; retrying');
      }
      this.lastRoundAt = Date.now();
      if (!claimed) await new Promise((r) => setTimeout(r, this.pollMs));
    }
    await Promise.all(this.inFlight);
  }

  private track(done: Promise<void>): void {
    const settled: Promise<void> = done
      .catch((err: unknown) => this.logger.error({ err }, 'publisher round failed; its leases will expire and it will be reconciled'))
      .finally(() => {
        this.inFlight.delete(settled);
        this.lastRoundAt = Date.now();
      });
    this.inFlight.add(settled);
  }

  private async measureOverdue(): Promise<void> {
    const { jobs, oldestSeconds } = await this.publisher.overdue();
    // Said when it starts and when it ends; the gauges carry it in between.
    if (jobs && !this.overdue?.jobs) this.logger.warn({ jobs, oldestSeconds }, 'publisher: sends are overdue');
    if (!jobs && this.overdue?.jobs) this.logger.info('publisher: no send is overdue any more');
    this.overdue = { jobs, oldestSeconds, at: new Date().toISOString() };
    this.overdueJobs?.set(jobs);
    this.oldestOverdue?.set(oldestSeconds);
  }
}
