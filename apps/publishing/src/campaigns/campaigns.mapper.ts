import type { Campaign } from './campaign.entity';

/** What clients see of a campaign: an allow-list of its fields. */
export function toCampaignResponse(c: Campaign) {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    name: c.name,
    description: c.description,
    startDate: c.startDate.toISOString(),
    endDate: c.endDate.toISOString(),
    goals: c.goals,
    budget: c.budget,
    tags: c.tags,
    utmParams: c.utmParams,
    status: c.status,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export type CampaignResponse = ReturnType<typeof toCampaignResponse>;
