import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { PostErrors } from '../posts/post-status.machine';
import type { CloseReason } from './approval-closure.entity';

type Method = 'all' | 'run';

function sql<T = unknown>(tx: EntityManager, query: string, params: unknown[], method: Method): Promise<T> {
  return tx.getConnection().execute(query, params, method, tx.getTransactionContext()) as Promise<T>;
}

/**
 * Locks the post row for the rest of the transaction and returns its status (null when it does
 * not exist in the workspace). Every change to a review takes this lock first, so two approvers
 * acting at once are serialised: neither can complete or skip a level on a stale view.
 */
export async function lockPost(tx: EntityManager, workspaceId: string, postId: string): Promise<string | null> {
  const rows = await sql<{ status: string }[]>(tx, `select status from posts where id = ? and "workspaceId" = ? for update`, [postId, workspaceId], 'all');
  return rows[0]?.status ?? null;
}

/**
 * Closes the post's open approvals (PENDING and not yet closed), optionally only one level's and
 * except one row; returns how many were closed. Closed rows keep their PENDING status (nobody
 * decided them) and can no longer be acted on.
 */
export async function closeOpenApprovals(tx: EntityManager, postId: string, reason: CloseReason, only: { level?: number; exceptId?: string } = {}): Promise<number> {
  const res = await sql<{ affectedRows: number }>(
    tx,
    `insert into approval_closures ("approvalId", reason, "closedAt")
     select a.id, ?, now() from approvals a
     where a."postId" = ? and a.status = 'PENDING'
       and (?::int is null or a.level = ?::int) and (?::uuid is null or a.id <> ?::uuid)
       and not exists (select 1 from approval_closures c where c."approvalId" = a.id)`,
    [reason, postId, only.level ?? null, only.level ?? null, only.exceptId ?? null, only.exceptId ?? null],
    'run',
  );
  return res.affectedRows;
}

/**
 * A post in review taken back to DRAFT (POST /posts/:id/transitions): its review ends as
 * WITHDRAWN and its open approvals are closed, in the caller's transaction. If an approver moved
 * the post on meanwhile (the lock shows it is no longer in review), the move is refused.
 */
export async function withdrawReview(tx: EntityManager, workspaceId: string, postId: string): Promise<void> {
  const status = await lockPost(tx, workspaceId, postId);
  if (status !== 'PENDING_APPROVAL') {
    throw new DomainError(PostErrors.illegalTransition, 'The post left review meanwhile', { detail: `It is ${status ?? 'gone'} now; reload it`, from: status, to: 'DRAFT' });
  }
  await closeOpenApprovals(tx, postId, 'WITHDRAWN');
  await sql(tx, `update approval_requests set state = 'WITHDRAWN', "decidedAt" = now(), "updatedAt" = now() where "postId" = ? and state = 'IN_REVIEW'`, [postId], 'run');
}
