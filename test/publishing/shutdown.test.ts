import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { TOPICS, createEnvelope } from '@lib/contracts';
import { createKafka, createProducer } from '@lib/messaging';
import { testStack, waitFor } from '@lib/testing';
import { stopProcess } from '../../tools/dev/processes';
import { createPublishing, type Publishing } from './harness';

/**
 * A replica that crashed stays in its consumer group until its session runs out, and the group's
 * next join waits for it. A replica stopped meanwhile (a rollout right after a crash) must still
 * stop within its grace period, by its own SIGTERM handling, not be killed at the deadline.
 */
describe('a publishing replica stopped while its consumer group still waits for a crashed one', () => {
  // A long session, so the dead member outlives the whole stop by far.
  const SESSION_MS = 60_000;
  const GRACE_MS = 20_000;
  let svc: Publishing;
  let producer: Producer;

  beforeAll(async () => {
    producer = createProducer(createKafka({ brokers: testStack().brokers, clientId: 'shutdown-test' }), { idempotent: false });
    await producer.connect();
  });

  afterAll(async () => {
    await svc?.stop();
    await producer?.disconnect();
  });

  /** A workspace.created event, as auth sends it; the consumer projects it into workspace_profiles. */
  async function workspaceCreated(): Promise<string> {
    const ws = randomUUID();
    const owner = randomUUID();
    const event = createEnvelope({
      type: TOPICS.workspaceCreated.name,
      source: '/services/auth',
      subject: ws,
      dataversion: 1,
      workspaceId: ws,
      correlationId: randomUUID(),
      actor: { type: 'user', id: owner },
      data: { workspaceId: ws, name: 'Shutdown Co', slug: `shutdown-${ws.slice(0, 8)}`, plan: 'FREE', ownerId: owner },
    });
    await producer.send({ topic: TOPICS.workspaceCreated.name, acks: -1, messages: [{ key: ws, value: JSON.stringify(event) }] });
    return ws;
  }

  const projected = async (ws: string) => (await svc.db.query('select 1 from workspace_profiles where "workspaceId" = $1', [ws])).rowCount === 1;

  it('stops on SIGTERM within the grace period, though its join is still waiting for the dead member', async () => {
    svc = await createPublishing({ name: 'shutdown', env: { KAFKA_SESSION_TIMEOUT_MS: String(SESSION_MS) } });
    const crashed = await svc.start();
    // The first replica is a member of the group once it consumes.
    const ws = await workspaceCreated();
    await waitFor(() => projected(ws), 30_000, 'the first replica to consume');
    crashed.child.kill('SIGKILL');
    await crashed.exited;

    const next = await svc.start();
    await new Promise((r) => setTimeout(r, 1000)); // its join is under way
    await stopProcess(next, GRACE_MS);
    expect(next.child.signalCode).toBe('SIGTERM'); // its own shutdown re-raised it; SIGKILL means the deadline hit
    // The scenario held: leaving the group was stuck behind the join.
    expect(next.lines.some((l) => l.includes('did not leave its group in time'))).toBe(true);
  });
});
