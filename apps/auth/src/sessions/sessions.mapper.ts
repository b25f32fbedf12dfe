import { toUserResponse, type UserResponse } from '../users/users.mapper';
import type { User } from '../users/user.entity';
import type { Workspace } from '../workspaces/workspace.entity';
import { toWorkspaceResponse, type WorkspaceResponse } from '../workspaces/workspaces.mapper';
import type { IssuedTokens } from './session-tokens.service';

export interface TokensResponse {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
}

export interface SignedInResponse extends TokensResponse {
  user: UserResponse;
  workspace: WorkspaceResponse;
}

export function toTokensResponse(t: IssuedTokens): TokensResponse {
  return { tokenType: t.tokenType, accessToken: t.accessToken, expiresIn: t.expiresIn, refreshToken: t.refreshToken };
}

export function toSignedInResponse(t: IssuedTokens, user: User, workspace: Workspace): SignedInResponse {
  return { ...toTokensResponse(t), user: toUserResponse(user), workspace: toWorkspaceResponse(workspace) };
}
