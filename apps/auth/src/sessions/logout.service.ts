import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditTrail } from '../common/audit-trail';
import type { Caller } from '../common/caller';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { Session } from './session.entity';

/** Ends the caller's session: its refresh tokens stop working, and its access tokens at auth. */
@Injectable()
export class LogoutService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  async execute(caller: Caller, client: ClientInfo): Promise<void> {
    const em = this.em.fork();
    const session = await em.findOneOrFail(Session, { id: caller.sessionId, user: caller.userId });
    if (session.revokedAt) return;
    session.revokedAt = this.clock.now();
    session.revokedReason = 'logout';
    this.audit.byCaller(em, caller, client, { action: 'auth.session_revoked', resourceType: 'session', resourceId: session.id, details: { reason: 'logout' } });
    await em.flush();
  }
}
