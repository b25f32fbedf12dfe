import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { decodeTimeIdCursor, encodeTimeIdCursor, keysetAfter, type TimeIdPosition } from '@lib/pagination';
import { AuthErrors } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import { memberFilter, coversMember, type Grant } from './row-conditions';
import { User } from './user.entity';
import { toUserResponse, type UserResponse } from './users.mapper';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const UUID_LIKE = /^[0-9a-f-]{36}$/i;

function cursorInvalid(): DomainError {
  return new DomainError(AuthErrors.cursorInvalid, 'cursor is not a cursor this API returned', { errors: [{ field: 'cursor', messages: ['cursor is malformed'] }] });
}

/** Where the previous page ended: its last member's createdAt and id. */
function decodeUserCursor(cursor: string): TimeIdPosition {
  const after = decodeTimeIdCursor(cursor, cursorInvalid);
  if (!UUID_LIKE.test(after.i)) throw cursorInvalid();
  return after;
}

/** Reads members of the caller's workspace; another workspace's member is simply not found. */
@Injectable()
export class UsersQueryService {
  constructor(private readonly em: EntityManager) {}

  async list(caller: Caller, grant: Grant, limit: number, cursor?: string): Promise<Page<UserResponse>> {
    const after = cursor ? decodeUserCursor(cursor) : null;
    const filter = memberFilter(grant, caller);
    const scope = { workspace: caller.workspaceId, ...(filter ? { $and: [filter] } : {}) };
    const where = after ? { ...scope, ...keysetAfter('createdAt', after, 'asc') } : scope;
    const rows = await this.em.fork().find(User, where, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(toUserResponse), nextCursor: rows.length > limit ? encodeTimeIdCursor(last.createdAt, last.id) : null };
  }

  async get(caller: Caller, grant: Grant, id: string): Promise<UserResponse> {
    const user = await this.em.fork().getRepository(User).findInWorkspace(caller.workspaceId, id);
    // A member the caller's grant does not cover is invisible to them, like another workspace's.
    if (!user || !coversMember(grant, caller, user.id)) throw userNotFound();
    return toUserResponse(user);
  }
}

export function userNotFound(): DomainError {
  return new DomainError(AuthErrors.userNotFound, 'No such user in this workspace');
}
