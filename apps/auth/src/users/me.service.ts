import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { encodePermissions, type CompactPermissions } from '@lib/permissions';
import type { Caller } from '../common/caller';
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

  async execute(caller: Caller): Promise<MeResponse> {
    const user = await this.em.fork().findOneOrFail(User, { id: caller.userId, workspace: caller.workspaceId }, { populate: ['workspace'] });
    return { user: toUserResponse(user), workspace: toWorkspaceResponse(user.workspace), permissions: encodePermissions(caller.subject.overrides) ?? {} };
  }
}
