import { CAMPAIGN_STATUSES, type CampaignStatus, type DomainError } from '@lib/contracts';
import { CAMPAIGN_TRANSITIONS, assertCampaignTransition, canTransitionCampaign } from './campaign-status.machine';

describe('campaign status machine', () => {
  const legal: [CampaignStatus, CampaignStatus][] = [
    ['DRAFT', 'ACTIVE'],
    ['ACTIVE', 'PAUSED'],
    ['ACTIVE', 'COMPLETED'],
    ['PAUSED', 'ACTIVE'],
    ['PAUSED', 'COMPLETED'],
  ];

  it('allows exactly the lifecycle moves', () => {
    for (const from of CAMPAIGN_STATUSES) {
      for (const to of CAMPAIGN_STATUSES) {
        expect([from, to, canTransitionCampaign(from, to)]).toEqual([from, to, legal.some(([f, t]) => f === from && t === to)]);
      }
    }
  });

  it('refuses an illegal move naming the allowed ones, and says when a status is final', () => {
    const refused = (from: CampaignStatus, to: CampaignStatus): DomainError => {
      try {
        assertCampaignTransition(from, to);
      } catch (err) {
        return err as DomainError;
      }
      throw new Error(`${from} -> ${to} was allowed`);
    };
    const e = refused('DRAFT', 'PAUSED');
    expect(e.code).toBe('PUBLISHING.CAMPAIGN_ILLEGAL_TRANSITION');
    expect(e.details).toMatchObject({ from: 'DRAFT', to: 'PAUSED', allowed: ['ACTIVE'] });
    expect(refused('COMPLETED', 'ACTIVE').details).toMatchObject({ allowed: [], detail: 'COMPLETED is final' });
    expect(CAMPAIGN_TRANSITIONS.COMPLETED).toEqual([]);
  });
});
