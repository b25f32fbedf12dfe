import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PermissionsGuard, SUBJECT_RESOLVER } from '@lib/permissions';
import { AccessTokenSigner } from './common/access-token.signer';
import { AuditTrail } from './common/audit-trail';
import { SessionSubjectResolver } from './common/caller';
import { Clock } from './common/clock';
import { PasswordHasher } from './common/password';
import { SecretGenerator } from './common/secrets';
import { LoginThrottleStore } from './sessions/login-throttle';
import { SessionTokens } from './sessions/session-tokens.service';

const SHARED = [Clock, SecretGenerator, PasswordHasher, AccessTokenSigner, AuditTrail, SessionTokens, LoginThrottleStore];

/**
 * What every feature of auth shares, and the one guard of every route: token, live session,
 * active user, then the route's @Requires() against the role matrix and the user's overrides.
 */
@Global()
@Module({
  providers: [
    ...SHARED,
    { provide: SUBJECT_RESOLVER, useClass: SessionSubjectResolver },
    { provide: APP_GUARD, useClass: PermissionsGuard },
  ],
  exports: SHARED,
})
export class AuthCoreModule {}
