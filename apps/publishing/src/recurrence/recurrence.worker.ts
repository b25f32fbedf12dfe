import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '@lib/service-kit';
import { RecurrenceMaterializer, SERIES_PER_ROUND } from './recurrence-materializer.service';

export const RECURRENCE_WORKER_OPTIONS = Symbol('RECURRENCE_WORKER_OPTIONS');

/**
 * Drives the materializer: a round every `pollMs` (RECURRENCE_POLL_INTERVAL_MS), at once again
 * while rounds come back full. A failed round is logged and the loop goes on; shutdown wakes the
 * wait and lets the round in progress finish.
 */
@Injectable()
export class RecurrenceWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private running: boolean;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly materializer: RecurrenceMaterializer,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(RECURRENCE_WORKER_OPTIONS) opts?: { disabled?: boolean },
  ) {
    this.running = !opts?.disabled;
  }

  onApplicationBootstrap(): void {
    if (!this.running) return;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.materializer.runOnce();
      } catch (err) {
        this.logger.error({ err }, 'recurrence round failed; retrying');
      }
      if (claimed < SERIES_PER_ROUND && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.materializer.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
