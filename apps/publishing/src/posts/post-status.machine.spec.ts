import { DomainError, POST_STATUSES } from '@lib/contracts';
import { POST_TRANSITIONS, assertTransition, canTransition } from './post-status.machine';

describe('post status machine', () => {
  it('lets a post travel the happy path DRAFT → PENDING_APPROVAL → APPROVED → SCHEDULED → PUBLISHING → PUBLISHED → ARCHIVED', () => {
    const path = ['DRAFT', 'PENDING_APPROVAL', 'APPROVED', 'SCHEDULED', 'PUBLISHING', 'PUBLISHED', 'ARCHIVED'] as const;
    for (let i = 1; i < path.length; i++) expect([path[i - 1], path[i], canTransition(path[i - 1], path[i])]).toEqual([path[i - 1], path[i], true]);
  });

  it('covers every status, and PUBLISHING only ends in PUBLISHED or FAILED', () => {
    expect(Object.keys(POST_TRANSITIONS).sort()).toEqual([...POST_STATUSES].sort());
    expect(POST_TRANSITIONS.PUBLISHING).toEqual(['PUBLISHED', 'FAILED']);
  });

  it.each([
    ['DRAFT', 'PUBLISHED'],
    ['PUBLISHED', 'SCHEDULED'],
    ['PENDING_APPROVAL', 'PUBLISHING'],
    ['ARCHIVED', 'SCHEDULED'],
  ] as const)('refuses %s → %s naming the allowed moves', (from, to) => {
    let error: unknown;
    try {
      assertTransition(from, to);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('PUBLISHING.ILLEGAL_TRANSITION');
    expect((error as DomainError).details).toMatchObject({ from, to, allowed: POST_TRANSITIONS[from] });
  });
});
