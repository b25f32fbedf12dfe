import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import { TOPICS, createEnvelope } from '@lib/contracts';
import { createKafka, createProducer } from '@lib/messaging';
import { testStack, waitFor, testSigningKeys } from '@lib/testing';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import { FAST_KAFKA, startService } from '../support/services';

interface Frame {
  id: string;
  event: string;
  data: { id: string; type: string; subject: string; data: { workspaceId: string; changed: { n: number } } };
}

/** Reads an SSE response into parsed frames as they arrive. */
function collect(res: Response): { frames: Frame[]; close(): void } {
  const frames: Frame[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
        if (fields.data) frames.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) as Frame['data'] });
      }
    }
  })();
  return { frames, close: () => void reader.cancel().catch(() => undefined) };
}

describe('server-sent events at GET /api/v1/events', () => {
  const { brokers } = testStack();
  const keys = testSigningKeys();
  const ws1 = randomUUID();
  const ws2 = randomUUID();
  const token = (workspaceId: string) =>
    jwt.sign({ sub: randomUUID(), workspaceId, role: 'VIEWER' }, keys.privateKey, { algorithm: 'ES256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '5m' });
  const producer = createProducer(createKafka({ brokers, clientId: 'sse-test' }), { idempotent: false });
  let edge: Spawned;
  let base: string;
  let n = 0;

  const emit = async (workspaceId: string) => {
    const env = createEnvelope({
      type: TOPICS.workspaceUpdated.name,
      source: '/services/test',
      subject: workspaceId,
      dataversion: 1,
      workspaceId,
      correlationId: randomUUID(),
      actor: { type: 'system', id: 'test' },
      data: { workspaceId, changed: { n: ++n } },
    });
    await producer.send({ topic: TOPICS.workspaceUpdated.name, acks: -1, messages: [{ key: 'sse-test', value: JSON.stringify(env) }] });
    return env;
  };

  beforeAll(async () => {
    await producer.connect();
    ({ proc: edge, base } = await startService('edge', {
      ...FAST_KAFKA,
    }, { publicKey: keys.publicKey }));
  });

  afterAll(async () => {
    await producer.disconnect();
    if (edge) await stopProcess(edge);
  });

  it('refuses a caller without a token', async () => {
    const res = await fetch(`${base}/api/v1/events`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it("streams its own workspace's events only, and replays after Last-Event-ID", async () => {
    const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token(ws1)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const stream = collect(res);
    try {
      // The edge's consumer group forms in the background: emit until the first event arrives.
      await waitFor(async () => {
        await emit(ws1);
        await new Promise((r) => setTimeout(r, 300));
        return stream.frames.length > 0;
      }, 30_000, 'the first event on the stream');

      // Same key, so same partition and order: ws2's event is consumed before ws1's second one.
      const other = await emit(ws2);
      const mine = await emit(ws1);
      await waitFor(() => stream.frames.some((f) => f.id === mine.id), 15_000, 'the workspace event');
      expect(stream.frames.some((f) => f.id === other.id)).toBe(false);
      expect(stream.frames.every((f) => f.data.data.workspaceId === ws1)).toBe(true);
      const last = stream.frames.find((f) => f.id === mine.id)!;
      expect(last).toMatchObject({ event: 'workspace.updated', data: { type: 'workspace.updated', subject: ws1 } });

      // A reconnect with Last-Event-ID gets what it missed.
      const missed = [await emit(ws1), await emit(ws1)];
      await waitFor(() => missed.every((m) => stream.frames.some((f) => f.id === m.id)), 15_000, 'the missed events on the first stream');
      const again = collect(await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token(ws1)}`, 'last-event-id': mine.id } }));
      try {
        await waitFor(() => again.frames.length >= 2, 10_000, 'the replay');
        expect(again.frames.slice(0, 2).map((f) => f.id)).toEqual(missed.map((m) => m.id));
      } finally {
        again.close();
      }
    } finally {
      stream.close();
    }
  });

  it('ends open streams on shutdown instead of hanging', async () => {
    const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token(ws1)}` } });
    const stream = collect(res);
    edge.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([edge.exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 8000)))]);
    clearTimeout(timer);
    stream.close();
    expect(code).not.toBe('hung');
    // Nest re-raises the signal after its shutdown hooks ran: a clean exit "by SIGTERM".
    expect(edge.child.signalCode ?? edge.child.exitCode).toBe('SIGTERM');
    expect(edge.lines.join('\n')).not.toMatch(/"level":(50|60)/);
  });
});
