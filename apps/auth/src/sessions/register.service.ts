import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DomainError, PLAN_LIMITS, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { AuthErrors } from '../common/auth.errors';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { PasswordHasher, assertPasswordPolicy } from '../common/password';
import { User } from '../users/user.entity';
import { firstFreeSlug, slugify } from '../workspaces/slug';
import { Workspace } from '../workspaces/workspace.entity';
import { SessionTokens } from './session-tokens.service';
import { toSignedInResponse, type SignedInResponse } from './sessions.mapper';

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  workspaceName: string;
}

/** Sign-up: a new workspace on the FREE plan, its OWNER, and a first session. */
@Injectable()
export class RegisterService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly tokens: SessionTokens,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(input: RegisterInput, client: ClientInfo): Promise<SignedInResponse> {
    assertPasswordPolicy(input.password, input.email);
    const passwordHash = await this.hasher.hash(input.password);
    // A concurrent sign-up can take the same slug between our read and our insert: try again.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(input, passwordHash, client);
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException && /workspaces_slug_unique/.test(err.message) && attempt < 3) continue;
        if (err instanceof UniqueConstraintViolationException && /users_email_unique/.test(err.message)) throw emailTaken();
        throw err;
      }
    }
  }

  private async attempt(input: RegisterInput, passwordHash: string, client: ClientInfo): Promise<SignedInResponse> {
    const em = this.em.fork();
    if (await em.count(User, { email: input.email })) throw emailTaken();
    const now = this.clock.now();
    const base = slugify(input.workspaceName);
    const workspace = new Workspace();
    workspace.name = input.workspaceName;
    workspace.slug = firstFreeSlug(base, await em.getRepository(Workspace).takenSlugs(base));
    workspace.plan = 'FREE';
    workspace.limits = { ...PLAN_LIMITS.FREE };
    workspace.createdAt = workspace.updatedAt = now;
    const user = new User();
    user.email = input.email;
    user.password = passwordHash;
    user.name = input.name;
    user.role = 'OWNER';
    user.workspace = workspace;
    user.createdAt = user.updatedAt = now;
    em.persist([workspace, user]);

    const actor = { type: 'user', id: user.id } as const;
    this.outbox.stage(em, TOPICS.workspaceCreated, { workspaceId: workspace.id, name: workspace.name, slug: workspace.slug, plan: workspace.plan, ownerId: user.id, limits: workspace.limits, timeZone: workspace.settings.timezone }, { subject: workspace.id, workspaceId: workspace.id, actor });
    this.outbox.stage(em, TOPICS.userJoined, { userId: user.id, email: user.email, name: user.name, role: user.role }, { subject: user.id, workspaceId: workspace.id, actor });
    const issued = this.tokens.start(em, user, [], client);
    await em.flush();
    return toSignedInResponse(issued, user, workspace);
  }
}

function emailTaken(): DomainError {
  return new DomainError(AuthErrors.emailTaken, 'An account with this email already exists', { errors: [{ field: 'email', messages: ['email is already registered'] }] });
}
