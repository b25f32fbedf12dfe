import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { RunImportService } from './run-import.service';

/**
 * Drives imports in the background, one at a time per replica: a new import wakes it at once;
 * otherwise it looks every `pollMs` for queued imports and for imports whose replica died
 * (expired lease), which it resumes. Nothing stays "running" without a live owner.
 */
@Injectable()
export class PostImportsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private wake: (() => void) | null = null;
  private readonly pollMs: number;

  constructor(
    private readonly runner: RunImportService,
    @Inject(APP_CONFIG) config: PublishingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.pollMs = config.bulk.pollMs;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Before the database goes: the running import stops after its batch and is handed back. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.runner.stop();
    this.wake?.();
    await this.loop;
  }

  /** A new import is queued: look now rather than at the next poll. */
  kick(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let ran = false;
      try {
        ran = await this.runner.runNext();
      } catch (err) {
        this.logger.error({ err }, 'import round failed; retrying');
      }
      if (!ran && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }
}
