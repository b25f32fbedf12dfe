import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { strictMock } from '@lib/testing';
import type { AuditTrail } from '../common/audit-trail';
import type { Clock } from '../common/clock';
import { sha256 } from '../common/secrets';
import { User } from '../users/user.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { RefreshToken } from './refresh-token.entity';
import { RefreshSessionService } from './refresh-session.service';
import { Session } from './session.entity';
import type { IssuedTokens, SessionTokens } from './session-tokens.service';

const NOW = new Date('2026-01-10T12:00:00Z');
const client = { ip: '10.0.0.1', userAgent: 'jest' };

function fixture(opts: { usedAt?: Date | null; revokedAt?: Date | null; sessionExpires?: Date; tokenExpires?: Date; active?: boolean } = {}) {
  const workspace = Object.assign(new Workspace(), { id: 'w1' });
  const user = Object.assign(new User(), { id: 'u1', name: 'Ann', email: 'ann@example.com', role: 'EDITOR', isActive: opts.active ?? true, workspace });
  const session = Object.assign(new Session(), { id: 's1', user, workspaceId: 'w1', expiresAt: opts.sessionExpires ?? new Date('2026-03-01Z'), revokedAt: opts.revokedAt ?? null });
  const row = Object.assign(new RefreshToken(), { id: 'rt1', session, tokenHash: sha256('presented'), expiresAt: opts.tokenExpires ?? new Date('2026-02-01Z'), usedAt: opts.usedAt ?? null });
  return { user, session, row };
}

function build(found: RefreshToken | null, claimed = 1) {
  const tx = strictMock<EntityManager>(
    {
      findOne: jest.fn().mockResolvedValue(found),
      nativeUpdate: jest.fn().mockResolvedValue(claimed),
      find: jest.fn().mockResolvedValue([{ resource: 'posts', action: 'publish', conditions: null }]),
    },
    'tx',
  );
  const forked = strictMock<EntityManager>({ transactional: jest.fn((cb: (em: EntityManager) => Promise<unknown>) => cb(tx)) }, 'forked');
  const em = strictMock<EntityManager>({ fork: () => forked }, 'em');
  const issued: IssuedTokens = { tokenType: 'Bearer', accessToken: 'access-2', expiresIn: 900, refreshToken: 'refresh-2', sessionId: 's1' };
  const tokens = strictMock<SessionTokens>({ issue: jest.fn().mockReturnValue(issued) }, 'tokens');
  const audit = strictMock<AuditTrail>({ record: jest.fn() }, 'audit');
  const clock = strictMock<Clock>({ now: () => NOW }, 'clock');
  return { sut: new RefreshSessionService(em, clock, tokens, audit), tx, tokens, audit, issued };
}

describe('RefreshSessionService (rotation)', () => {
  it('looks the token up by its SHA-256, claims it once and issues the next pair with fresh overrides', async () => {
    const { row, session, user } = fixture();
    const { sut, tx, tokens, audit, issued } = build(row);
    await expect(sut.execute('presented', client)).resolves.toBe(issued);
    expect(tx.findOne).toHaveBeenCalledWith(RefreshToken, { tokenHash: sha256('presented') }, expect.anything());
    expect(tx.nativeUpdate).toHaveBeenCalledWith(RefreshToken, { id: 'rt1', usedAt: null }, { usedAt: NOW });
    expect(tokens.issue).toHaveBeenCalledWith(tx, session, user, [{ resource: 'posts', action: 'publish', conditions: null }], NOW);
    expect(audit.record).not.toHaveBeenCalled();
    expect(session.revokedAt).toBeNull();
  });

  it('refuses an unknown token without touching anything', async () => {
    const { sut, tx, tokens } = build(null);
    await expect(sut.execute('nope', client)).rejects.toMatchObject({ code: 'AUTH.REFRESH_UNAUTHORIZED' });
    expect(tx.nativeUpdate).not.toHaveBeenCalled();
    expect(tokens.issue).not.toHaveBeenCalled();
  });

  it('treats a token that was already rotated as theft: revokes the family, audits, refuses', async () => {
    const { row, session } = fixture({ usedAt: new Date('2026-01-09Z') });
    const { sut, tx, tokens, audit } = build(row);
    const err = await sut.execute('presented', client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'AUTH.REFRESH_UNAUTHORIZED' });
    expect(session.revokedAt).toBe(NOW);
    expect(session.revokedReason).toBe('reuse_detected');
    expect(tx.nativeUpdate).not.toHaveBeenCalled();
    expect(tokens.issue).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(tx, expect.objectContaining({ action: 'auth.session_revoked', resourceId: 's1', details: { reason: 'refresh_token_reuse' } }));
    // No token in the audit entry.
    expect(JSON.stringify((audit.record as jest.Mock).mock.calls[0][1])).not.toContain('presented');
  });

  it('treats losing the race to claim the token as reuse too', async () => {
    const { row, session } = fixture();
    const { sut, tokens } = build(row, 0);
    await expect(sut.execute('presented', client)).rejects.toMatchObject({ code: 'AUTH.REFRESH_UNAUTHORIZED' });
    expect(session.revokedReason).toBe('reuse_detected');
    expect(tokens.issue).not.toHaveBeenCalled();
  });

  it('does not revoke again (or audit twice) a family that is already revoked', async () => {
    const revokedAt = new Date('2026-01-05Z');
    const { row, session } = fixture({ usedAt: new Date('2026-01-04Z'), revokedAt });
    const { sut, audit } = build(row);
    await expect(sut.execute('presented', client)).rejects.toMatchObject({ code: 'AUTH.REFRESH_UNAUTHORIZED' });
    expect(session.revokedAt).toBe(revokedAt);
    expect(audit.record).not.toHaveBeenCalled();
  });

  it.each([
    ['a revoked session', { revokedAt: new Date('2026-01-09Z') }],
    ['an expired session', { sessionExpires: new Date('2026-01-10T11:59:59Z') }],
    ['an expired token', { tokenExpires: new Date('2026-01-10T11:00:00Z') }],
    ['a deactivated user', { active: false }],
  ])('refuses %s without issuing', async (_name, opts) => {
    const { row } = fixture(opts);
    const { sut, tokens } = build(row);
    await expect(sut.execute('presented', client)).rejects.toMatchObject({ code: 'AUTH.REFRESH_UNAUTHORIZED' });
    expect(tokens.issue).not.toHaveBeenCalled();
  });
});
