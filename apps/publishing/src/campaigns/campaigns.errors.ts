/** Stable codes of the campaign use cases; the suffix decides the HTTP status at the edge. */
export const CampaignErrors = {
  notFound: 'PUBLISHING.CAMPAIGN_NOT_FOUND',
  illegalTransition: 'PUBLISHING.CAMPAIGN_ILLEGAL_TRANSITION',
  hasPosts: 'PUBLISHING.CAMPAIGN_HAS_POSTS_CONFLICT',
  invalid: 'PUBLISHING.CAMPAIGN_VALIDATION_FAILED',
  utmTooLong: 'PUBLISHING.CAMPAIGN_UTM_UNPROCESSABLE',
} as const;
