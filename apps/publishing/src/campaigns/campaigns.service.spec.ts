import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, TOPICS } from '@lib/contracts';
import type { OutboxWriter } from '@lib/messaging';
import { strictMock } from '@lib/testing';
import { Campaign } from './campaign.entity';
import { CampaignsService } from './campaigns.service';

const actor = { userId: '0193f0a0-0000-7000-8000-00000000000a', workspaceId: '0193f0a0-0000-7000-8000-000000000001', conditions: null };

function stored(): Campaign {
  const c = new Campaign();
  c.workspaceId = actor.workspaceId;
  c.name = 'Spring';
  c.startDate = new Date('2027-03-01T00:00:00Z');
  c.endDate = new Date('2027-03-31T00:00:00Z');
  c.utmParams = { utm_campaign: 'spring' };
  return c;
}

function setup(campaign: Campaign | null, posts = 0) {
  const flush = jest.fn(async () => undefined);
  const remove = jest.fn();
  const findOne = jest.fn(async () => campaign);
  const tx = strictMock<EntityManager>({ findOne, flush, remove, count: jest.fn(async () => posts) }, 'tx');
  const forked = strictMock<EntityManager>({ transactional: jest.fn(async (fn: (t: EntityManager) => unknown) => fn(tx)) }, 'forked');
  const stage = jest.fn();
  const sut = new CampaignsService(strictMock<EntityManager>({ fork: () => forked }, 'em'), strictMock<OutboxWriter>({ stage }, 'outbox'));
  return { sut, tx, findOne, flush, remove, stage };
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe('CampaignsService', () => {
  it('looks campaigns up only in the caller workspace, locked for a change', async () => {
    const { sut, findOne } = setup(null);
    const err = await refusal(sut.transition(actor, 'c1', 'ACTIVE'));
    expect(err.code).toBe('PUBLISHING.CAMPAIGN_NOT_FOUND');
    expect(findOne).toHaveBeenCalledWith(Campaign, { id: 'c1', workspaceId: actor.workspaceId }, { lockMode: expect.anything() });
  });

  it('checks a new endDate against the stored startDate, naming endDate, and writes nothing', async () => {
    const { sut, flush, stage } = setup(stored());
    const err = await refusal(sut.update(actor, 'c1', { endDate: new Date('2027-02-01T00:00:00Z') }));
    expect(err.code).toBe('PUBLISHING.CAMPAIGN_VALIDATION_FAILED');
    expect(err.details?.errors).toEqual([{ field: 'endDate', messages: ['must not be before startDate (2027-03-01T00:00:00.000Z)'] }]);
    expect(flush).not.toHaveBeenCalled();
    expect(stage).not.toHaveBeenCalled();
  });

  it('refuses to delete a campaign with posts (409), and deletes one without, with an audit entry', async () => {
    const busy = setup(stored(), 2);
    const err = await refusal(busy.sut.remove(actor, 'c1'));
    expect(err.code).toBe('PUBLISHING.CAMPAIGN_HAS_POSTS_CONFLICT');
    expect(err.details).toMatchObject({ posts: 2 });
    expect(busy.remove).not.toHaveBeenCalled();

    const c = stored();
    const free = setup(c, 0);
    await free.sut.remove(actor, 'c1');
    expect(free.remove).toHaveBeenCalledWith(c);
    expect(free.stage).toHaveBeenCalledWith(free.tx, TOPICS.auditRecorded, expect.objectContaining({ action: 'campaign.deleted', resourceType: 'campaign', resourceId: c.id }), expect.objectContaining({ workspaceId: actor.workspaceId }));
    expect(free.flush).toHaveBeenCalledTimes(1);
  });

  it('moves the status and records before and after', async () => {
    const c = stored();
    const { sut, stage } = setup(c);
    expect((await sut.transition(actor, 'c1', 'ACTIVE')).status).toBe('ACTIVE');
    expect(stage).toHaveBeenCalledWith(expect.anything(), TOPICS.auditRecorded, expect.objectContaining({ action: 'campaign.status_changed', details: { before: { status: 'DRAFT' }, after: { status: 'ACTIVE' } } }), expect.anything());
  });
});
