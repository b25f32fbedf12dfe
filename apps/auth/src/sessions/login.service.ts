import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DomainError } from '@lib/contracts';
import { LOGGER } from '@lib/service-kit';
import { AuditTrail } from '../common/audit-trail';
import { AuthErrors, invalidCredentials } from '../common/auth.errors';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { PasswordHasher } from '../common/password';
import { UserPermission } from '../users/user-permission.entity';
import { User } from '../users/user.entity';
import { LoginThrottleStore, throttleKeys } from './login-throttle';
import { SessionTokens } from './session-tokens.service';
import { toSignedInResponse, type SignedInResponse } from './sessions.mapper';

export interface LoginInput {
  email: string;
  password: string;
}

/**
 * Email + password sign-in. An unknown email, a wrong password and a deactivated account get
 * the same answer after the same bcrypt work; repeated failures are throttled per account and
 * per address (429 with Retry-After), with a delay that doubles.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottleStore,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditTrail,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(input: LoginInput, client: ClientInfo): Promise<SignedInResponse> {
    const em = this.em.fork();
    const keys = throttleKeys(input.email, client.ip);
    const retryAfter = await this.throttle.retryAfter(em, keys, this.clock.now());
    if (retryAfter > 0) {
      throw new DomainError(AuthErrors.loginRateLimited, 'Too many failed sign-ins; try again later', { retryAfter });
    }

    const user = await em.findOne(User, { email: input.email }, { populate: ['workspace'] });
    const passwordOk = user ? await this.hasher.verify(input.password, user.password) : await this.hasher.verifyAgainstDummy(input.password);

    if (!user || !passwordOk || !user.isActive) {
      await em.transactional(async (tx) => {
        await this.throttle.recordFailure(tx, keys, this.clock.now());
        // The audit log is per workspace: an unknown email has none, so it is only logged.
        if (!user) return;
        this.audit.record(tx, {
          action: 'auth.login_failed',
          resourceType: 'user',
          resourceId: user.id,
          workspaceId: user.workspace.id,
          user: null,
          details: { email: input.email, reason: !passwordOk ? 'wrong_password' : 'deactivated' },
          client,
        });
      });
      if (!user) this.logger.info({ ip: client.ip, reason: 'unknown_email' }, 'sign-in failed');
      throw invalidCredentials();
    }

    const overrides = await em.find(UserPermission, { user: user.id });
    return em.transactional(async (tx) => {
      await this.throttle.clearAccount(tx, keys);
      const issued = this.tokens.start(
        tx,
        user,
        overrides.map((o) => ({ resource: o.resource, action: o.action, conditions: o.conditions })),
        client,
      );
      this.audit.record(tx, {
        action: 'auth.login',
        resourceType: 'session',
        resourceId: issued.sessionId,
        workspaceId: user.workspace.id,
        user: { id: user.id, name: user.name, email: user.email },
        details: {},
        client,
      });
      return toSignedInResponse(issued, user, user.workspace);
    });
  }
}
