import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PermissionOverride } from '@lib/permissions';
import { AccessTokenSigner } from '../common/access-token.signer';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { SecretGenerator, sha256 } from '../common/secrets';
import type { User } from '../users/user.entity';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';

/** A refresh token is good for 30 days of inactivity; a sign-in lasts at most 90 days. */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
export const SESSION_MAX_AGE_MS = 90 * 24 * 3600 * 1000;

export interface IssuedTokens {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds the access token is valid. */
  expiresIn: number;
  refreshToken: string;
  sessionId: string;
}

/** Opens sessions and mints their tokens, staging the rows in the caller's unit of work. */
@Injectable()
export class SessionTokens {
  constructor(
    private readonly clock: Clock,
    private readonly secrets: SecretGenerator,
    private readonly signer: AccessTokenSigner,
  ) {}

  /** A new sign-in: a new refresh-token family. */
  start(em: EntityManager, user: User, overrides: readonly PermissionOverride[], client: ClientInfo | null): IssuedTokens {
    const now = this.clock.now();
    const session = new Session();
    session.user = user;
    session.workspaceId = user.workspace.id;
    session.createdAt = now;
    session.expiresAt = new Date(now.getTime() + SESSION_MAX_AGE_MS);
    session.ipAddress = client?.ip ?? null;
    session.userAgent = client?.userAgent ?? null;
    em.persist(session);
    return this.issue(em, session, user, overrides, now);
  }

  /** A new access token and the next refresh token of an existing family. */
  issue(em: EntityManager, session: Session, user: User, overrides: readonly PermissionOverride[], now = this.clock.now()): IssuedTokens {
    const refreshToken = this.secrets.token();
    const row = new RefreshToken();
    row.session = session;
    row.tokenHash = sha256(refreshToken);
    row.createdAt = now;
    row.expiresAt = new Date(Math.min(now.getTime() + REFRESH_TOKEN_TTL_MS, session.expiresAt.getTime()));
    em.persist(row);
    const { accessToken, expiresIn } = this.signer.sign({
      userId: user.id,
      workspaceId: user.workspace.id,
      role: user.role,
      sessionId: session.id,
      overrides,
    });
    return { tokenType: 'Bearer', accessToken, expiresIn, refreshToken, sessionId: session.id };
  }
}
