/** Stable codes of the social-accounts use cases; the suffix picks the HTTP status at the edge. */
export const AccountErrors = {
  notFound: 'PUBLISHING.SOCIAL_ACCOUNT_NOT_FOUND',
  /** Unknown, expired or already used OAuth state (400). */
  stateInvalid: 'PUBLISHING.OAUTH_STATE_INVALID',
  /** The callback came back without a code (the user refused, or the network said why). */
  denied: 'PUBLISHING.OAUTH_DENIED_UNPROCESSABLE',
  /** The network refused the code exchange or the profile read. */
  networkRefused: 'PUBLISHING.OAUTH_NETWORK_REFUSED_UNPROCESSABLE',
  /** The network could not be reached or failed (5xx, timeout, open breaker). */
  networkUnavailable: 'PUBLISHING.NETWORK_UPSTREAM_UNAVAILABLE',
  noPages: 'PUBLISHING.NO_FACEBOOK_PAGES_UNPROCESSABLE',
} as const;
