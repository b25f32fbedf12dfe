import type { SocialAccount } from './social-account.entity';

/** What clients see of a connected account: an allow-list, never a token. */
export function toSocialAccountResponse(a: SocialAccount) {
  return {
    id: a.id,
    workspaceId: a.workspaceId,
    platform: a.platform,
    platformAccountId: a.platformAccountId,
    username: a.username,
    displayName: a.displayName,
    avatar: a.avatar,
    isActive: a.isActive,
    tokenExpiry: a.tokenExpiry?.toISOString() ?? null,
    /** Why the account was disconnected (the network's reason, or 'user'). */
    disconnectReason: typeof a.metadata.disconnectReason === 'string' ? a.metadata.disconnectReason : null,
    /** Networks without refresh tokens (Facebook): reconnect before this date. */
    reconnectBy: typeof a.metadata.reconnectBy === 'string' ? a.metadata.reconnectBy : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export type SocialAccountResponse = ReturnType<typeof toSocialAccountResponse>;
