import type { EntityManager } from '@mikro-orm/postgresql';
import { strictMock } from '@lib/testing';
import type { AccessTokenSigner } from '../common/access-token.signer';
import type { Clock } from '../common/clock';
import { sha256, type SecretGenerator } from '../common/secrets';
import { User } from '../users/user.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';
import { REFRESH_TOKEN_TTL_MS, SESSION_MAX_AGE_MS, SessionTokens } from './session-tokens.service';

const NOW = new Date('2026-01-10T12:00:00Z');

describe('SessionTokens', () => {
  const user = Object.assign(new User(), { id: 'u1', role: 'MANAGER', workspace: Object.assign(new Workspace(), { id: 'w1' }) });

  function build() {
    const persisted: unknown[] = [];
    const em = strictMock<EntityManager>({ persist: jest.fn((e: unknown) => persisted.push(e)) }, 'em');
    const signer = strictMock<AccessTokenSigner>({ sign: jest.fn().mockReturnValue({ accessToken: 'signed', expiresIn: 900 }) }, 'signer');
    const secrets = strictMock<SecretGenerator>({ token: jest.fn().mockReturnValueOnce('refresh-1').mockReturnValueOnce('refresh-2') }, 'secrets');
    const clock = strictMock<Clock>({ now: () => NOW }, 'clock');
    return { sut: new SessionTokens(clock, secrets, signer), em, signer, persisted };
  }

  it('opens a family: a session and a refresh token stored only as its SHA-256', () => {
    const { sut, em, signer, persisted } = build();
    const overrides = [{ resource: 'posts', action: 'delete', conditions: { deny: true } }];
    const issued = sut.start(em, user, overrides, { ip: '10.0.0.1', userAgent: 'ua' });
    const [session, token] = persisted as [Session, RefreshToken];
    expect(session).toBeInstanceOf(Session);
    expect(session).toMatchObject({ workspaceId: 'w1', ipAddress: '10.0.0.1', userAgent: 'ua', revokedAt: null });
    expect(session.expiresAt.getTime()).toBe(NOW.getTime() + SESSION_MAX_AGE_MS);
    expect(token).toBeInstanceOf(RefreshToken);
    expect(token.session).toBe(session);
    expect(token.tokenHash).toBe(sha256('refresh-1'));
    expect(JSON.stringify(persisted)).not.toContain('refresh-1');
    expect(token.expiresAt.getTime()).toBe(NOW.getTime() + REFRESH_TOKEN_TTL_MS);
    expect(signer.sign).toHaveBeenCalledWith({ userId: 'u1', workspaceId: 'w1', role: 'MANAGER', sessionId: session.id, overrides });
    expect(issued).toEqual({ tokenType: 'Bearer', accessToken: 'signed', expiresIn: 900, refreshToken: 'refresh-1', sessionId: session.id });
  });

  it('never lets a rotated refresh token outlive its family', () => {
    const { sut, em, persisted } = build();
    const session = Object.assign(new Session(), { id: 's1', expiresAt: new Date(NOW.getTime() + 1000) });
    const issued = sut.issue(em, session, user, [], NOW);
    expect((persisted[0] as RefreshToken).expiresAt).toEqual(session.expiresAt);
    expect(issued.sessionId).toBe('s1');
  });
});
