import { DomainError, type CampaignStatus } from '@lib/contracts';
import { CampaignErrors } from './campaigns.errors';

/**
 * Every move a campaign's status may make; anything else is refused with the moves allowed from
 * where the campaign is. COMPLETED is final.
 */
export const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  DRAFT: ['ACTIVE'],
  ACTIVE: ['PAUSED', 'COMPLETED'],
  PAUSED: ['ACTIVE', 'COMPLETED'],
  COMPLETED: [],
};

export function canTransitionCampaign(from: CampaignStatus, to: CampaignStatus): boolean {
  return CAMPAIGN_TRANSITIONS[from].includes(to);
}

export function assertCampaignTransition(from: CampaignStatus, to: CampaignStatus): void {
  if (canTransitionCampaign(from, to)) return;
  const allowed = CAMPAIGN_TRANSITIONS[from];
  throw new DomainError(CampaignErrors.illegalTransition, `A ${from} campaign cannot become ${to}`, {
    detail: allowed.length ? `From ${from} a campaign can become: ${allowed.join(', ')}` : `${from} is final`,
    from,
    to,
    allowed,
  });
}
