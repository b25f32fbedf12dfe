import { Inject, Injectable } from '@nestjs/common';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import { encodePermissions, type PermissionOverride, type Role } from '@lib/permissions';
import { APP_CONFIG } from '@lib/service-kit';
import type { AuthConfig } from '../config/auth.config';

/** Access tokens live 15 minutes: a revoked session or a changed role reaches other services within that. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenInput {
  userId: string;
  workspaceId: string;
  role: Role;
  sessionId: string;
  overrides: readonly PermissionOverride[];
}

/** Signs ES256 access tokens with auth's private key: {sub, workspaceId, role, sid, perms?}. */
@Injectable()
export class AccessTokenSigner {
  private readonly key: KeyObject;

  constructor(@Inject(APP_CONFIG) config: AuthConfig) {
    this.key = createPrivateKey(config.jwtPrivateKey);
  }

  sign(input: AccessTokenInput): { accessToken: string; expiresIn: number } {
    const perms = encodePermissions(input.overrides);
    const payload = { workspaceId: input.workspaceId, role: input.role, sid: input.sessionId, ...(perms ? { perms } : {}) };
    const accessToken = jwt.sign(payload, this.key, {
      algorithm: JWT_ALGORITHM,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      subject: input.userId,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    });
    return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
  }
}
