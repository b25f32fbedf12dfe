import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { MongoClient, type ObjectId } from 'mongodb';
import { JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import { TOPICS, createEnvelope, type AuditRecordedV1, type EventEnvelope } from '@lib/contracts';
import { createKafka, createProducer } from '@lib/messaging';
import { testStack, uniqueName, waitFor, testSigningKeys } from '@lib/testing';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import { FAST_KAFKA, startService } from '../support/services';

const DAY = 86_400_000;

describe('audit service: every change recorded, queryable and tamper-evident', () => {
  const { brokers, mongoUrl } = testStack();
  const keys = testSigningKeys();
  const dbName = uniqueName('audit');
  const ws1 = randomUUID();
  const ws2 = randomUUID();
  const ws3 = randomUUID();
  const admin1 = randomUUID();
  const producer = createProducer(createKafka({ brokers, clientId: 'audit-test' }), { idempotent: false });
  const mongo = new MongoClient(mongoUrl);
  let audit: Spawned;
  let base: string;

  const bearer = (workspaceId: string, role: string, sub = randomUUID()) =>
    `Bearer ${jwt.sign({ sub, workspaceId, role }, keys.privateKey, { algorithm: 'ES256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '5m' })}`;
  const get = async (path: string, auth: string) => fetch(`${base}${path}`, { headers: { authorization: auth } });

  function auditEvent(workspaceId: string, n: number, over: Partial<AuditRecordedV1> = {}, time?: Date): EventEnvelope<AuditRecordedV1> {
    return createEnvelope({
      type: TOPICS.auditRecorded.name,
      source: '/services/publishing',
      subject: workspaceId,
      dataversion: 1,
      workspaceId,
      correlationId: randomUUID(),
      actor: { type: 'user', id: admin1 },
      time,
      data: {
        action: 'post.updated',
        resourceType: 'post',
        resourceId: `post-${n}`,
        userId: admin1,
        userName: 'Ada Admin',
        userEmail: 'ada@example.com',
        details: { before: { text: `v${n}` }, after: { text: `v${n + 1}` } },
        ipAddress: '203.0.113.7',
        userAgent: 'test-agent',
        ...over,
      },
    });
  }

  async function send(topic: string, events: EventEnvelope[]): Promise<void> {
    await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
  }

  const stored = (workspaceId: string) => mongo.db(dbName).collection('audit_logs').countDocuments({ workspaceId });

  beforeAll(async () => {
    await producer.connect();
    await mongo.connect();
    ({ proc: audit, base } = await startService('audit', {
      ...FAST_KAFKA,
      KAFKA_CLIENT_ID: `audit-${dbName}`,
      MONGODB_URL: `${mongoUrl.replace(/\/$/, '')}/${dbName}`,
      AUDIT_RETENTION_DAYS_FREE: '30',
      AUDIT_RETENTION_INTERVAL_MS: '1000',
    }, { publicKey: keys.publicKey, health: 'ready' }));
  });

  afterAll(async () => {
    await producer.disconnect();
    await mongo.close();
    if (audit) await stopProcess(audit);
  });

  it('stores each event once, redacted, and serves it newest first to OWNER and ADMIN of that workspace only', async () => {
    const events = [1, 2, 3, 4, 5].map((n) => auditEvent(ws1, n, n === 2 ? { action: 'user.role_changed', details: { before: { role: 'EDITOR' }, after: { role: 'ADMIN' }, password: 'hunter2', nested: { refreshToken: 'rt-secret' } } } : {}));
    await send(TOPICS.auditRecorded.name, events);
    await send(TOPICS.auditRecorded.name, [events[0], events[3]]); // redelivery
    await send(TOPICS.auditRecorded.name, [auditEvent(ws2, 1), auditEvent(ws2, 2)]);
    await waitFor(async () => (await stored(ws1)) >= 5 && (await stored(ws2)) >= 2, 60_000, 'the events to be stored');
    await new Promise((r) => setTimeout(r, 500));
    expect(await stored(ws1)).toBe(5);

    const res = await get('/api/v1/audit-logs', bearer(ws1, 'ADMIN'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { resourceId: string; userName: string; action: string; details: Record<string, unknown>; seq: number }[]; nextCursor: string | null };
    expect(body.items.map((i) => i.resourceId)).toEqual(['post-5', 'post-4', 'post-3', 'post-2', 'post-1']);
    expect(body.items[0]).toMatchObject({ userName: 'Ada Admin', userEmail: 'ada@example.com', ipAddress: '203.0.113.7', userAgent: 'test-agent' });
    expect(body.items[3].details).toEqual({ before: { role: 'EDITOR' }, after: { role: 'ADMIN' }, password: '[redacted]', nested: { refreshToken: '[redacted]' } });
    expect(body.nextCursor).toBeNull();

    const raw = JSON.stringify(await mongo.db(dbName).collection('audit_logs').find().toArray());
    expect(raw).not.toContain('hunter2');
    expect(raw).not.toContain('rt-secret');

    for (const role of ['VIEWER', 'EDITOR', 'MANAGER']) {
      const denied = await get('/api/v1/audit-logs', bearer(ws1, role));
      expect([role, denied.status]).toEqual([role, 403]);
      expect((await get('/api/v1/audit-logs/verify', bearer(ws1, role))).status).toBe(403);
      expect((await get('/api/v1/audit-logs/export.csv', bearer(ws1, role))).status).toBe(403);
    }
    expect((await get('/api/v1/audit-logs', 'Bearer nope')).status).toBe(401);
    const other = (await (await get('/api/v1/audit-logs', bearer(ws2, 'OWNER'))).json()) as { items: { workspaceId: string }[] };
    expect(other.items).toHaveLength(2);
    expect(other.items.every((i) => i.workspaceId === ws2)).toBe(true);
  });

  it('filters by user, action, resource and time, with cursor pagination', async () => {
    const auth = bearer(ws1, 'OWNER');
    const byAction = (await (await get('/api/v1/audit-logs?action=user.role_changed', auth)).json()) as { items: { resourceId: string }[] };
    expect(byAction.items.map((i) => i.resourceId)).toEqual(['post-2']);
    const byResource = (await (await get('/api/v1/audit-logs?resourceType=post&resourceId=post-4', auth)).json()) as { items: unknown[] };
    expect(byResource.items).toHaveLength(1);
    const byUser = (await (await get(`/api/v1/audit-logs?userId=${randomUUID()}`, auth)).json()) as { items: unknown[] };
    expect(byUser.items).toHaveLength(0);
    const future = (await (await get(`/api/v1/audit-logs?from=${new Date(Date.now() + DAY).toISOString()}`, auth)).json()) as { items: unknown[] };
    expect(future.items).toHaveLength(0);

    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = (await (await get(`/api/v1/audit-logs?limit=2${cursor ? `&cursor=${cursor}` : ''}`, auth)).json()) as { items: { resourceId: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.resourceId));
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['post-5', 'post-4', 'post-3', 'post-2', 'post-1']);

    for (const bad of ['limit=0', 'limit=101', 'cursor=garbage', 'from=yesterday', 'unknown=1']) {
      const res = await get(`/api/v1/audit-logs?${bad}`, auth);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('exports the filtered range as CSV', async () => {
    const res = await get('/api/v1/audit-logs/export.csv?resourceType=post', bearer(ws1, 'ADMIN'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('timestamp,id,seq,userId,userName,userEmail,action,resourceType,resourceId,ipAddress,userAgent,details,hash');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain('post-5');
  });

  it('verifies the chain, and names exactly the entry edited in the database', async () => {
    const auth = bearer(ws1, 'OWNER');
    expect(await (await get('/api/v1/audit-logs/verify', auth)).json()).toEqual({ valid: true, checked: 5 });
    const entries = mongo.db(dbName).collection('audit_logs');
    const third = await entries.findOne({ workspaceId: ws1, seq: 3 });
    await entries.updateOne({ _id: third!._id as ObjectId }, { $set: { 'details.after.text': 'forged' } });
    expect(await (await get('/api/v1/audit-logs/verify', auth)).json()).toEqual({ valid: false, brokenAt: (third!._id as ObjectId).toHexString(), checked: 2 });
    // Another workspace's chain is untouched.
    expect(await (await get('/api/v1/audit-logs/verify', bearer(ws2, 'ADMIN'))).json()).toEqual({ valid: true, checked: 2 });
  });

  it('purges past retention in whole segments and still verifies', async () => {
    await send(TOPICS.workspaceCreated.name, [
      createEnvelope({
        type: TOPICS.workspaceCreated.name,
        source: '/services/auth',
        subject: ws3,
        dataversion: 1,
        workspaceId: ws3,
        correlationId: randomUUID(),
        actor: { type: 'user', id: admin1 },
        data: { workspaceId: ws3, name: 'Old Co', slug: 'old-co', plan: 'FREE', ownerId: admin1 },
      }),
    ]);
    const old = [1, 2, 3].map((n) => auditEvent(ws3, n, {}, new Date(Date.now() - 40 * DAY + n)));
    const recent = [4, 5].map((n) => auditEvent(ws3, n));
    await send(TOPICS.auditRecorded.name, [...old, ...recent]);
    const entries = mongo.db(dbName).collection('audit_logs');
    await waitFor(async () => (await entries.countDocuments({ workspaceId: ws3, action: 'audit.checkpoint' })) === 1 && (await stored(ws3)) === 3, 30_000, 'the purge');
    const auth = bearer(ws3, 'OWNER');
    const list = (await (await get('/api/v1/audit-logs', auth)).json()) as { items: { resourceId: string }[] };
    expect(list.items.map((i) => i.resourceId)).toEqual(['post-5', 'post-4']);
    expect(await (await get('/api/v1/audit-logs/verify', auth)).json()).toEqual({ valid: true, checked: 3 });
    const checkpoint = await entries.findOne({ workspaceId: ws3, action: 'audit.checkpoint' });
    expect(checkpoint).toMatchObject({ seq: 3, eventId: null, details: { purgedThrough: 3, plan: 'FREE', retentionDays: 30 } });
  });
});
