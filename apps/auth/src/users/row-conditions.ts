import { DomainError, ErrorCodes } from '@lib/contracts';
import { conditionsHold, type GrantConditions } from '@lib/permissions';
import type { Caller } from '../common/caller';

/** The narrowing conditions of the route's grant (CurrentPermission), or none. */
export type Grant = { conditions: GrantConditions | null } | null;

/**
 * Conditions of a `users` grant, applied to one member: `ownOnly` means only oneself; a
 * `platforms` condition matches no member (members are not on a network).
 */
export function coversMember(grant: Grant, caller: Caller, memberId: string): boolean {
  return conditionsHold(grant?.conditions ?? null, caller.userId, { ownerId: memberId });
}

export function assertCoversMember(grant: Grant, caller: Caller, memberId: string): void {
  if (!coversMember(grant, caller, memberId)) throw new DomainError(ErrorCodes.forbidden, 'Your permission does not cover this member');
}

/** The same conditions as a filter on a member list: null for no restriction. */
export function memberFilter(grant: Grant, caller: Caller): { id: string } | { id: { $in: string[] } } | null {
  const c = grant?.conditions;
  if (!c) return null;
  if (c.platforms) return { id: { $in: [] } };
  return c.ownOnly ? { id: caller.userId } : null;
}
