import type { Logger } from 'pino';
import { HealthRegistry } from '@lib/service-kit';
import { strictMock } from '@lib/testing';
import type { PublisherService } from './publisher.service';
import { PublisherWorker } from './publisher.worker';

describe('PublisherWorker liveness', () => {
  const build = (publisher: Partial<PublisherService>, opts: { disabled?: boolean } = {}) => {
    const health = new HealthRegistry();
    const worker = new PublisherWorker(strictMock<PublisherService>(publisher, 'publisher'), strictMock<Logger>({}, 'logger'), { stallMs: 1000, ...opts }, health);
    return { worker, health };
  };

  it('registers a liveness check and a readiness report for the publisher', () => {
    const { health } = build({ lastSendAt: 0 });
    expect(health.liveness.map((c) => c.name)).toEqual(['publisher']);
    expect(health.readiness.map((c) => c.name)).toEqual(['publish-queue']);
  });

  it('fails after stallMs without a round or a finished send, naming how long', () => {
    const { worker } = build({ lastSendAt: 0 });
    const start = Date.now();
    expect(worker.liveness(start + 900)).toEqual({ lastProgressAt: expect.any(String) });
    expect(() => worker.liveness(start + 5000)).toThrow(/^the publisher has made no progress for [45] s \(since /);
  });

  it('counts a send that finished as progress: a long round whose calls keep completing is alive', () => {
    const publisher = { lastSendAt: 0 };
    const { worker } = build(publisher);
    const later = Date.now() + 5000;
    publisher.lastSendAt = later - 200;
    expect(worker.liveness(later)).toEqual({ lastProgressAt: new Date(later - 200).toISOString() });
  });

  it('adds no checks when the loop is disabled (a process that does not publish)', () => {
    const { health } = build({}, { disabled: true });
    expect([health.liveness.length, health.readiness.length]).toEqual([0, 0]);
  });
});
