import { canFetchDirectMessages, canFetchMetrics, canRefreshTokens, canReply, canRevokeTokens, type Connector } from './capabilities';
import { FacebookConnector } from './facebook/facebook.connector';
import { LinkedInConnector } from './linkedin/linkedin.connector';
import { TwitterConnector } from './twitter/twitter.connector';

describe('capability checks', () => {
  const x = new TwitterConnector({ apiBaseUrl: 'http://x.test', authorizeUrl: 'http://x.test/i/oauth2/authorize', clientId: 'c' });
  const fb = new FacebookConnector({ graphBaseUrl: 'http://fb.test', dialogBaseUrl: 'http://fb.test', version: 'v21.0', appId: 'a', appSecret: 's' });
  const li = new LinkedInConnector({ apiBaseUrl: 'http://li.test', oauthBaseUrl: 'http://li.test', version: '202511', clientId: 'c', clientSecret: 's' });
  const all: Connector[] = [x, fb, li];
  afterAll(() => Promise.all(all.map((c) => c.close())));

  it('tells which connectors refresh tokens (Facebook has no refresh token)', () => {
    expect(all.map((c) => [c.platform, canRefreshTokens(c)])).toEqual([
      ['TWITTER', true],
      ['FACEBOOK', false],
      ['LINKEDIN', true],
    ]);
  });

  it('every shipped connector revokes, reads metrics and replies; none reads DMs yet', () => {
    expect(all.every((c) => canRevokeTokens(c) && canFetchMetrics(c) && canReply(c))).toBe(true);
    expect(all.some(canFetchDirectMessages)).toBe(false);
    expect(all.map((c) => c.requiresPkce)).toEqual([true, false, false]);
  });
});
