import type { EntityManager } from '@mikro-orm/core';
import { TOPICS } from '@lib/contracts';
import { runWithContext } from '@lib/observability';
import { strictMock } from '@lib/testing';
import { OutboxMessage } from './outbox.entities';
import { OutboxWriter } from './outbox.writer';

describe('OutboxWriter', () => {
  it('stages one envelope in the unit of work, carrying the ambient correlation and causation', () => {
    const persist = jest.fn();
    const em = strictMock<EntityManager>({ persist }, 'em');
    const writer = new OutboxWriter('auth');
    const env = runWithContext({ correlationId: 'req-42', causationId: 'evt-1' }, () =>
      writer.stage(em, TOPICS.userDeactivated, { userId: '0195a1d2-0000-7000-8000-000000000001' }, {
        subject: 'user-1',
        workspaceId: 'ws-1',
        actor: { type: 'user', id: 'admin-1' },
      }),
    );
    expect(env).toMatchObject({
      specversion: '1.0',
      type: 'user.deactivated',
      source: '/services/auth',
      subject: 'user-1',
      workspaceid: 'ws-1',
      correlationid: 'req-42',
      causationid: 'evt-1',
      actor: 'user:admin-1',
      dataversion: 1,
    });
    expect(env.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/); // UUIDv7
    expect(persist).toHaveBeenCalledTimes(1);
    const row = persist.mock.calls[0][0] as OutboxMessage;
    expect(row).toBeInstanceOf(OutboxMessage);
    expect(row).toMatchObject({ eventId: env.id, topic: 'user.deactivated', key: 'user-1', sentAt: null });
    expect(row.envelope).toBe(env);
  });
});
