import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { Controller, Module, Post, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { TOPICS } from '@lib/contracts';
import { Public } from '@lib/auth-verify';
import { EventConsumer, OutboxWriter, PgDedupeStore, createConsumer, createKafka, createProducer } from '@lib/messaging';
import { Metrics, createLogger } from '@lib/observability';
import { KafkaModule, OutboxModule, PlatformModule, createHttpApp } from '@lib/service-kit';
import { testStack, waitFor, testSigningKeys } from '@lib/testing';
import { authOrmOptions } from '../../apps/auth/src/orm.config';
import { kafkaTuning, serviceDatabase } from './harness';

/** Collects pino's JSON lines. */
function capture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { stream, lines };
}

@Controller('api/v1/things')
class ThingsController {
  constructor(
    private readonly orm: MikroORM,
    private readonly writer: OutboxWriter,
  ) {}

  @Public()
  @Post()
  async create(): Promise<{ eventId: string }> {
    const em = this.orm.em.fork();
    const run = randomUUID();
    const env = this.writer.stage(em, TOPICS.workspaceUpdated, { workspaceId: run, changed: { run, seq: 0 } }, {
      subject: run,
      workspaceId: run,
      actor: { type: 'user', id: 'u1' },
    });
    await em.flush();
    return { eventId: env.id };
  }
}

describe('correlation id: HTTP request → outbox → Kafka → consumer → logs', () => {
  const { pgUrl, brokers } = testStack();
  let app: NestFastifyApplication;
  let orm: MikroORM;
  let consumer: EventConsumer<EntityManager>;
  const producerLog = capture();
  const consumerLog = capture();

  beforeAll(async () => {
    const db = await serviceDatabase(pgUrl, 'correlation');
    orm = db.orm;
    const kafkaConfig = { brokers, clientId: 'corr-test', idempotent: false, ...kafkaTuning };
    const config = { service: 'corr-test', port: 0, host: '127.0.0.1', logLevel: 'info' as const, trustProxy: false, kafka: kafkaConfig, jwtPublicKey: testSigningKeys().publicKey };
    const rt = { config, logger: createLogger('corr-test', 'info', producerLog.stream), metrics: new Metrics('corr-test') };
    @Module({ controllers: [ThingsController] })
    class TestModule {
      static register(): DynamicModule {
        return {
          module: TestModule,
          imports: [
            PlatformModule.forRoot(rt),
            KafkaModule.forRoot(kafkaConfig),
            MikroOrmModule.forRoot(authOrmOptions(db.url)),
            OutboxModule.forRoot({ service: 'corr-test', databaseUrl: db.url, outbox: { retentionHours: 24, pollIntervalMs: 100, batchSize: 100 } }),
          ],
        };
      }
    }
    app = await createHttpApp(TestModule.register(), rt);
    await app.listen({ port: 0, host: '127.0.0.1' });

    const kafka = createKafka(kafkaConfig);
    const logger = createLogger('consumer', 'info', consumerLog.stream);
    const dlq = createProducer(kafka, { idempotent: false });
    await dlq.connect();
    const groupId = `corr-${randomUUID()}`;
    consumer = new EventConsumer<EntityManager>({
      consumer: createConsumer(kafka, groupId, kafkaTuning),
      producer: dlq,
      groupId,
      store: new PgDedupeStore(orm),
      logger,
      handlers: { [TOPICS.workspaceUpdated.name]: async (e) => void logger.info({ eventId: e.id }, 'handled') },
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await app?.close();
    await orm?.close(true);
  });

  it('carries the caller’s correlation id into the event and the consumer’s log lines, with the event as causation', async () => {
    const correlationId = `req-${randomUUID()}`;
    const res = await fetch(`${await app.getUrl()}/api/v1/things`, { method: 'POST', headers: { 'x-correlation-id': correlationId } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-correlation-id')).toBe(correlationId);
    const { eventId } = (await res.json()) as { eventId: string };

    await waitFor(() => consumerLog.lines.some((l) => l.eventId === eventId), 30_000, 'the consumer to handle the event');
    const handled = consumerLog.lines.find((l) => l.eventId === eventId)!;
    expect(handled).toMatchObject({ msg: 'handled', correlationId, causationId: eventId });

    const stored = await orm.em.fork().getConnection().execute('select envelope from outbox where "eventId" = ?', [eventId]);
    expect(stored[0].envelope).toMatchObject({ correlationid: correlationId, actor: 'user:u1' });
    expect(producerLog.lines.some((l) => l.msg === 'request' && l.correlationId === correlationId)).toBe(true);
  });

  it('starts a new correlation id when the caller sends none or a malformed one', async () => {
    const malformed = await fetch(`${await app.getUrl()}/api/v1/things`, { method: 'POST', headers: { 'x-correlation-id': 'bad id with spaces' } });
    expect(malformed.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
    const none = await fetch(`${await app.getUrl()}/api/v1/things`, { method: 'POST' });
    const id = none.headers.get('x-correlation-id');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
    expect(id).not.toBe(malformed.headers.get('x-correlation-id'));
  });
});
