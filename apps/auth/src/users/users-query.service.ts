import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { AuthErrors } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import { memberFilter, coversMember, type Grant } from './row-conditions';
import { User } from './user.entity';
import { toUserResponse, type UserResponse } from './users.mapper';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CursorPosition {
  createdAt: string;
  id: string;
}

function encodeCursor(u: User): string {
  return Buffer.from(JSON.stringify({ c: u.createdAt.toISOString(), i: u.id })).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof v.c === 'string' && !Number.isNaN(Date.parse(v.c)) && typeof v.i === 'string' && /^[0-9a-f-]{36}$/i.test(v.i)) {
      return { createdAt: v.c, id: v.i };
    }
  } catch {
    // falls through to the error below
  }
  throw new DomainError(AuthErrors.cursorInvalid, 'cursor is not a cursor this API returned', { errors: [{ field: 'cursor', messages: ['cursor is malformed'] }] });
}

/** Reads members of the caller's workspace; another workspace's member is simply not found. */
@Injectable()
export class UsersQueryService {
  constructor(private readonly em: EntityManager) {}

  async list(caller: Caller, grant: Grant, limit: number, cursor?: string): Promise<Page<UserResponse>> {
    const after = cursor ? decodeCursor(cursor) : null;
    const filter = memberFilter(grant, caller);
    const scope = { workspace: caller.workspaceId, ...(filter ? { $and: [filter] } : {}) };
    const where = after
      ? { ...scope, $or: [{ createdAt: { $gt: new Date(after.createdAt) } }, { createdAt: new Date(after.createdAt), id: { $gt: after.id } }] }
      : scope;
    const rows = await this.em.fork().find(User, where, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { items: items.map(toUserResponse), nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]) : null };
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
