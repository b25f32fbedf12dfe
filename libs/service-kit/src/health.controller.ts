import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Metrics } from '@lib/observability';
import { Public } from '@lib/auth-verify';
import { HealthRegistry } from './health.registry';
import { READINESS_CHECKS, type ReadinessCheck } from './tokens';

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly metrics: Metrics,
    private readonly registry: HealthRegistry,
  ) {}

  /**
   * The process is up, its event loop turns, and every background loop that registered a
   * liveness check still makes progress: when this fails, a restart is the cure.
   */
  @Get(['health/live', 'healthz'])
  @HealthCheck()
  live() {
    return this.health.check(this.run(this.registry.liveness));
  }

  /** Every store and the broker answer: the service can take traffic. */
  @Get(['health/ready', 'readyz'])
  @HealthCheck()
  ready() {
    return this.health.check(this.run([...this.checks, ...this.registry.readiness]));
  }

  private run(checks: readonly ReadinessCheck[]) {
    return checks.map((c) => async () => {
      const session = this.indicator.check(c.name);
      try {
        return session.up((await withTimeout(c.check(), 3000, c.name)) ?? {});
      } catch (err) {
        return session.down({ message: (err as Error).message });
      }
    });
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
