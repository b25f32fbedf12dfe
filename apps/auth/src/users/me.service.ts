import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, ErrorCodes } from '@lib/contracts';
import { encodePermissions, type CompactPermissions } from '@lib/permissions';
import type { Caller } from '../common/caller';
import { Workspace } from '../workspaces/workspace.entity';
import { toWorkspaceResponse, type WorkspaceResponse } from '../workspaces/workspaces.mapper';
import { User } from './user.entity';
import { toUserResponse, type UserResponse } from './users.mapper';

export interface MeResponse {
  user: UserResponse;
  workspace: WorkspaceResponse;
  /** The caller's overrides of the role matrix, in the token's compact form. */
  permissions: CompactPermissions;
}

@Injectable()
export class MeService {
  constructor(private readonly em: EntityManager) {}

  /** Read by every client on every start: two plain reads side by side, hydrated without a query builder. */
  async execute(caller: Caller): Promise<MeResponse> {
    const em = this.em.fork();
    const connection = em.getConnection();
    const [[userRow], [workspaceRow]] = await Promise.all([
      connection.execute<Record<string, unknown>[]>('select * from users where id = ? and "workspaceId" = ?', [caller.userId, caller.workspaceId]),
      connection.execute<Record<string, unknown>[]>('select * from workspaces where id = ?', [caller.workspaceId]),
    ]);
    // The guard has just read both; gone since means removed in between.
    if (!userRow || !workspaceRow) throw new DomainError(ErrorCodes.unauthorized, 'The account is gone');
    const workspace = em.map(Workspace, workspaceRow);
    const user = em.map(User, userRow);
    return { user: toUserResponse(user), workspace: toWorkspaceResponse(workspace), permissions: encodePermissions(caller.subject.overrides) ?? {} };
  }
}
