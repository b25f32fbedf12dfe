import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@lib/service-kit';
import { PublisherService } from './publisher.service';

export const PUBLISHER_WORKER_OPTIONS = Symbol('PUBLISHER_WORKER_OPTIONS');

/**
 * Drives the publisher: claims due work every `pollMs` (at once again while there is more), and
 * every `reconcileMs` frees jobs whose replica died and settles posts whose networks all have an
 * outcome, so nothing is ever silently stuck.
 */
@Injectable()
export class PublisherWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private lastReconcile = 0;
  private readonly pollMs: number;
  private readonly reconcileMs: number;

  constructor(
    private readonly publisher: PublisherService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(PUBLISHER_WORKER_OPTIONS) opts?: { pollMs?: number; reconcileMs?: number; disabled?: boolean },
  ) {
    this.pollMs = opts?.pollMs ?? 500;
    this.reconcileMs = opts?.reconcileMs ?? 10_000;
    this.running = !opts?.disabled;
  }

  onApplicationBootstrap(): void {
    if (!this.running) return;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        if (Date.now() - this.lastReconcile >= this.reconcileMs) {
          this.lastReconcile = Date.now();
          await this.publisher.releaseExpiredLeases();
          await this.publisher.settleStalledPosts();
        }
        claimed = await this.publisher.runOnce();
      } catch (err) {
        this.logger.error({ err }, 'publisher round failed; retrying');
      }
      if (!claimed) await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
