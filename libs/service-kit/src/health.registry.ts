import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from './tokens';

/**
 * Checks a module adds for itself when it starts, on top of the platform's readiness checks
 * (database, Kafka, outbox). A liveness check fails only when restarting the process is the
 * cure: a background loop that stopped making progress while HTTP still answers.
 */
@Injectable()
export class HealthRegistry {
  private readonly ready: ReadinessCheck[] = [];
  private readonly live: ReadinessCheck[] = [];

  addReadiness(check: ReadinessCheck): void {
    this.ready.push(check);
  }

  addLiveness(check: ReadinessCheck): void {
    this.live.push(check);
  }

  get readiness(): readonly ReadinessCheck[] {
    return this.ready;
  }

  get liveness(): readonly ReadinessCheck[] {
    return this.live;
  }
}
