import type { TokenSet } from '@lib/connectors';
import type { SocialAccount } from './social-account.entity';
import type { TokenCipher } from './token-cipher';

/**
 * Stores a network's answer on the account, encrypted under the current key. The access token
 * always changes; the refresh token only when the network sent one: X rotates (the new one must
 * be kept or the account is lost), and an answer without one (LinkedIn members, Facebook, a
 * reconnect without `offline.access`) must never wipe the one we hold.
 */
export function storeTokens(account: SocialAccount, tokens: Pick<TokenSet, 'accessToken' | 'refreshToken' | 'expiresAt'>, cipher: TokenCipher): void {
  account.accessToken = cipher.encrypt(tokens.accessToken);
  if (tokens.refreshToken) account.refreshToken = cipher.encrypt(tokens.refreshToken);
  account.tokenExpiry = tokens.expiresAt ?? null;
}
