import { randomUUID } from 'node:crypto';
import { Body, Controller, Module, Post, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM as MongoORM } from '@mikro-orm/mongodb';
import { IsString, MinLength } from 'class-validator';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import { Metrics } from '@lib/observability';
import { mongoOrmOptions, runMigrations } from '@lib/persistence';
import { IdempotencyKeyDoc, KafkaModule, MongoIdempotencyStore, OutboxModule, PlatformModule, createHttpApp } from '@lib/service-kit';
import { createTestDatabase, testStack, uniqueName, testSigningKeys } from '@lib/testing';
import { publishingOrmOptions } from '../../apps/publishing/src/orm.config';

class CreateNoteRequest {
  @IsString()
  @MinLength(1)
  text!: string;
}

let created = 0;
let failNext = false;

@Controller('api/v1/notes')
class NotesController {
  @Post()
  create(@Body() body: CreateNoteRequest): { id: string; text: string; n: number } {
    if (failNext) {
      failNext = false;
      throw new Error('storage hiccup');
    }
    return { id: randomUUID(), text: body.text, n: ++created };
  }
}

describe('Idempotency-Key on POST (PostgreSQL store)', () => {
  const { pgUrl, brokers } = testStack();
  const keys = testSigningKeys();
  const bearer = (sub: string) =>
    `Bearer ${jwt.sign({ sub, workspaceId: 'w1', role: 'EDITOR' }, keys.privateKey, { algorithm: 'ES256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '5m' })}`;
  let app: NestFastifyApplication;
  let url: string;

  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${url}/api/v1/notes`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const dbUrl = await createTestDatabase(pgUrl, 'idem');
    await runMigrations(publishingOrmOptions(dbUrl));
    const kafka = { brokers, clientId: 'idem', idempotent: false, maxWaitMs: 10, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };
    const config = { service: 'idem', port: 0, host: '127.0.0.1', logLevel: 'silent' as const, trustProxy: false, kafka, jwtPublicKey: keys.publicKey };
    const rt = { config, logger: pino({ level: 'silent' }), metrics: new Metrics('idem') };
    @Module({ controllers: [NotesController] })
    class NotesModule {
      static register(): DynamicModule {
        return {
          module: NotesModule,
          imports: [
            PlatformModule.forRoot(rt),
            KafkaModule.forRoot(kafka),
            MikroOrmModule.forRoot(publishingOrmOptions(dbUrl)),
            OutboxModule.forRoot({ service: 'idem', databaseUrl: dbUrl, outbox: { retentionHours: 24, pollIntervalMs: 1000, batchSize: 10 } }),
          ],
        };
      }
    }
    app = await createHttpApp(NotesModule.register(), rt);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers a repeat with the same key and body with the first answer, running it once', async () => {
    const user = bearer('u-1');
    const first = await post({ text: 'hello' }, { authorization: user, 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    const before = created;
    const again = await post({ text: 'hello' }, { authorization: user, 'idempotency-key': 'k-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(created).toBe(before);
  });

  it('refuses the same key with a different body (422), and keys are per user', async () => {
    const user = bearer('u-2');
    expect((await post({ text: 'one' }, { authorization: user, 'idempotency-key': 'k-2' })).status).toBe(201);
    const reused = await post({ text: 'two' }, { authorization: user, 'idempotency-key': 'k-2' });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ code: 'COMMON.IDEMPOTENCY_KEY_REUSED', status: 422 });
    const otherUser = await post({ text: 'two' }, { authorization: bearer('u-3'), 'idempotency-key': 'k-2' });
    expect(otherUser.status).toBe(201);
    expect(otherUser.headers.get('idempotency-replayed')).toBeNull();
  });

  it('runs every request without a key, and rejects a malformed key naming the header', async () => {
    const before = created;
    await post({ text: 'x' }, { authorization: bearer('u-4') });
    await post({ text: 'x' }, { authorization: bearer('u-4') });
    expect(created).toBe(before + 2);
    const bad = await post({ text: 'x' }, { authorization: bearer('u-4'), 'idempotency-key': 'has spaces' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0].field).toBe('Idempotency-Key');
  });

  it('lets a client retry with the same key after the first attempt failed', async () => {
    const user = bearer('u-5');
    failNext = true;
    expect((await post({ text: 'retry' }, { authorization: user, 'idempotency-key': 'k-5' })).status).toBe(500);
    const retried = await post({ text: 'retry' }, { authorization: user, 'idempotency-key': 'k-5' });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotency-replayed')).toBeNull();
  });

  it('runs concurrent repeats once', async () => {
    const user = bearer('u-6');
    const before = created;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post({ text: 'race' }, { authorization: user, 'idempotency-key': 'k-6' })));
    const statuses = answers.map((a) => a.status);
    expect(created).toBe(before + 1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
  });
});

describe('Idempotency store on MongoDB (embedded server)', () => {
  const { mongoUrl } = testStack();
  let orm: MongoORM;

  beforeAll(async () => {
    orm = await MongoORM.init(mongoOrmOptions({ clientUrl: mongoUrl, dbName: uniqueName('idem'), entities: [IdempotencyKeyDoc] }));
  });

  afterAll(async () => {
    await orm?.close(true);
  });

  it('claims, replays, refuses a different request and releases', async () => {
    const store = new MongoIdempotencyStore(orm);
    expect(await store.begin('user:a', 'k', 'h1')).toEqual({ state: 'new' });
    expect(await store.begin('user:a', 'k', 'h1')).toEqual({ state: 'in_progress' });
    await store.complete('user:a', 'k', 201, { id: 1 });
    expect(await store.begin('user:a', 'k', 'h1')).toEqual({ state: 'replay', status: 201, body: { id: 1 } });
    expect(await store.begin('user:a', 'k', 'h2')).toEqual({ state: 'mismatch' });
    expect(await store.begin('user:b', 'k', 'h2')).toEqual({ state: 'new' });
    await store.release('user:b', 'k');
    expect(await store.begin('user:b', 'k', 'h3')).toEqual({ state: 'new' });
    const indexes = await orm.em.getConnection().getCollection('idempotency_keys').listIndexes().toArray();
    expect(indexes.find((i) => i.key.expiresAt === 1)?.expireAfterSeconds).toBe(0);
  });
});
