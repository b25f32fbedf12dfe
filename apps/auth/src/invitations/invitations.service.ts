import { Injectable } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DomainError, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import type { Role } from '@lib/permissions';
import { AuthErrors } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { PasswordHasher, assertPasswordPolicy } from '../common/password';
import { SecretGenerator, sha256 } from '../common/secrets';
import { SessionTokens } from '../sessions/session-tokens.service';
import { toSignedInResponse, type SignedInResponse } from '../sessions/sessions.mapper';
import { assertSeatAvailable } from '../users/manage-user.service';
import { assertCanAssign } from '../users/member-policy';
import { User } from '../users/user.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { Invitation } from './invitation.entity';
import { toInvitationResponse, type InvitationResponse } from './invitations.mapper';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface CreatedInvitationResponse {
  invitation: InvitationResponse;
  /**
   * The secret to send to the invitee (shown once; only its hash is kept). No event carries it:
   * whoever delivers it (the inviter, a mailer calling this API) gets it from this answer.
   */
  token: string;
}

@Injectable()
export class InvitationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly secrets: SecretGenerator,
    private readonly hasher: PasswordHasher,
    private readonly tokens: SessionTokens,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(caller: Caller, input: { email: string; role: Role }): Promise<CreatedInvitationResponse> {
    assertCanAssign(caller, input.role);
    return this.em.fork().transactional(async (em) => {
      // Serialises invitations of one workspace, so two at once cannot both take the last seat.
      const workspace = await em.findOneOrFail(Workspace, { id: caller.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (await em.count(User, { email: input.email })) {
        throw new DomainError(AuthErrors.emailTaken, 'This email already belongs to a member', { errors: [{ field: 'email', messages: ['email is already a member'] }] });
      }
      const now = this.clock.now();
      // A new invitation for the same address replaces the pending one.
      await em.nativeUpdate(Invitation, { workspace: workspace.id, email: input.email, acceptedAt: null, expiresAt: { $gt: now } }, { expiresAt: now });
      const pending = await em.count(Invitation, { workspace: workspace.id, acceptedAt: null, expiresAt: { $gt: now } });
      await assertSeatAvailable(em, workspace, pending);

      const token = this.secrets.token();
      const invitation = new Invitation();
      invitation.workspace = workspace;
      invitation.email = input.email;
      invitation.role = input.role;
      invitation.tokenHash = sha256(token);
      invitation.invitedById = caller.userId;
      invitation.createdAt = now;
      invitation.expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
      em.persist(invitation);
      this.outbox.stage(
        em,
        TOPICS.userInvited,
        { invitationId: invitation.id, email: invitation.email, role: invitation.role, invitedBy: caller.userId },
        { subject: invitation.id, workspaceId: workspace.id, actor: { type: 'user', id: caller.userId } },
      );
      await em.flush();
      return { invitation: toInvitationResponse(invitation), token };
    });
  }

  /** Pending invitations of the caller's workspace, newest first. */
  async listPending(caller: Caller): Promise<{ items: InvitationResponse[] }> {
    const rows = await this.em.fork().find(
      Invitation,
      { workspace: caller.workspaceId, acceptedAt: null, expiresAt: { $gt: this.clock.now() } },
      { orderBy: { createdAt: 'desc' }, limit: 500 },
    );
    return { items: rows.map(toInvitationResponse) };
  }

  /** Withdraws a pending invitation of the caller's workspace: its token stops working. */
  async revoke(caller: Caller, id: string): Promise<void> {
    const now = this.clock.now();
    const revoked = await this.em.fork().nativeUpdate(Invitation, { id, workspace: caller.workspaceId, acceptedAt: null, expiresAt: { $gt: now } }, { expiresAt: now });
    if (revoked === 0) throw new DomainError(AuthErrors.invitationNotFound, 'No pending invitation with this id in this workspace');
  }

  /** The invitee sets their name and password, becomes a member and is signed in. */
  async accept(input: { token: string; name: string; password: string }, client: ClientInfo): Promise<SignedInResponse> {
    const em = this.em.fork();
    const invitation = await em.findOne(Invitation, { tokenHash: sha256(input.token) }, { populate: ['workspace'] });
    if (!invitation || !invitation.isPending(this.clock.now())) {
      throw new DomainError(AuthErrors.invitationNotFound, 'This invitation does not exist, has expired or was already used');
    }
    assertPasswordPolicy(input.password, invitation.email);
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await em.transactional(async (tx) => {
        const workspace = await tx.findOneOrFail(Workspace, { id: invitation.workspace.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        // Claims the invitation: a second acceptance of the same token finds nothing to claim.
        const now = this.clock.now();
        const claimed = await tx.nativeUpdate(Invitation, { id: invitation.id, acceptedAt: null, expiresAt: { $gt: now } }, { acceptedAt: now });
        if (claimed === 0) throw new DomainError(AuthErrors.invitationNotFound, 'This invitation does not exist, has expired or was already used');
        await assertSeatAvailable(tx, workspace, 0);
        const user = new User();
        user.email = invitation.email;
        user.password = passwordHash;
        user.name = input.name;
        user.role = invitation.role;
        user.workspace = workspace;
        user.createdAt = user.updatedAt = now;
        tx.persist(user);
        this.outbox.stage(
          tx,
          TOPICS.userJoined,
          { userId: user.id, email: user.email, name: user.name, role: user.role },
          { subject: user.id, workspaceId: workspace.id, actor: { type: 'user', id: user.id } },
        );
        const issued = this.tokens.start(tx, user, [], client);
        await tx.flush();
        return toSignedInResponse(issued, user, workspace);
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new DomainError(AuthErrors.emailTaken, 'An account with this email already exists');
      }
      throw err;
    }
  }
}
