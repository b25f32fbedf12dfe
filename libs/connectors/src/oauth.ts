import { createHash, randomBytes } from 'node:crypto';
import type { TokenSet } from './capabilities';
import { ConnectorError } from './connector-error';
import { parseJson, type HttpAnswer } from './network-http';
import type { Platform } from './platform';

/** A PKCE pair (RFC 7636, S256): keep the verifier server-side, send the challenge. */
export function createPkcePair(): { codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { codeVerifier, codeChallenge: pkceChallenge(codeVerifier) };
}

export function pkceChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  refresh_token_expires_in?: number;
  scope?: string;
}

/** A token endpoint's JSON answer as a TokenSet (no refresh token when the network sent none). */
export function tokenSetFrom(platform: Platform, answer: HttpAnswer, now: Date, scopeSeparator = ' '): TokenSet {
  const body = parseJson<TokenAnswer>(answer.text);
  if (!body?.access_token) throw new ConnectorError(platform, 'transient', `token endpoint answered ${answer.status} without an access token`);
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token || undefined,
    expiresAt: typeof body.expires_in === 'number' ? new Date(now.getTime() + body.expires_in * 1000) : undefined,
    refreshTokenExpiresAt: typeof body.refresh_token_expires_in === 'number' ? new Date(now.getTime() + body.refresh_token_expires_in * 1000) : undefined,
    scopes: (body.scope ?? '').split(scopeSeparator).map((s) => s.trim()).filter(Boolean),
  };
}

/** Text as networks return it: Unicode NFC, line endings and outer whitespace normalised. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}
