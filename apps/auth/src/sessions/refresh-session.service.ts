import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { AuditTrail } from '../common/audit-trail';
import { AuthErrors } from '../common/auth.errors';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { sha256 } from '../common/secrets';
import { UserPermission } from '../users/user-permission.entity';
import { RefreshToken } from './refresh-token.entity';
import { SessionTokens, type IssuedTokens } from './session-tokens.service';

type Outcome = { kind: 'rotated'; tokens: IssuedTokens } | { kind: 'refused'; reason: string };

/**
 * Exchanges a refresh token for a new access token and the next refresh token (rotation). A
 * token that was already exchanged is a sign of theft: the whole family (the sign-in it
 * descends from) is revoked, so neither the thief nor the victim can go on with it.
 */
@Injectable()
export class RefreshSessionService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditTrail,
  ) {}

  async execute(refreshToken: string, client: ClientInfo): Promise<IssuedTokens> {
    const outcome = await this.em.fork().transactional(async (em): Promise<Outcome> => {
      const now = this.clock.now();
      const row = await em.findOne(RefreshToken, { tokenHash: sha256(refreshToken) }, { populate: ['session', 'session.user'] });
      if (!row) return { kind: 'refused', reason: 'unknown' };
      const session = row.session;
      const user = session.user;
      // Claim the token atomically: of two concurrent exchanges only one wins, the other is reuse.
      const claimed = row.usedAt === null ? await em.nativeUpdate(RefreshToken, { id: row.id, usedAt: null }, { usedAt: now }) : 0;
      if (claimed === 0) {
        if (session.revokedAt === null) {
          session.revokedAt = now;
          session.revokedReason = 'reuse_detected';
          this.audit.record(em, {
            action: 'auth.session_revoked',
            resourceType: 'session',
            resourceId: session.id,
            workspaceId: session.workspaceId,
            user: { id: user.id, name: user.name, email: user.email },
            details: { reason: 'refresh_token_reuse' },
            client,
          });
        }
        return { kind: 'refused', reason: 'reused' };
      }
      if (!session.isActive(now) || row.expiresAt <= now || !user.isActive) return { kind: 'refused', reason: 'ended' };
      const overrides = await em.find(UserPermission, { user: user.id });
      const tokens = this.tokens.issue(
        em,
        session,
        user,
        overrides.map((o) => ({ resource: o.resource, action: o.action, conditions: o.conditions })),
        now,
      );
      return { kind: 'rotated', tokens };
    });
    // Thrown after the transaction, so that a detected reuse stays revoked.
    if (outcome.kind === 'refused') throw new DomainError(AuthErrors.invalidRefreshToken, 'The refresh token is not valid');
    return outcome.tokens;
  }
}
