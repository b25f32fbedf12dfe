import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { strictMock } from '@lib/testing';
import type { AuditTrail } from '../common/audit-trail';
import type { Clock } from '../common/clock';
import type { PasswordHasher } from '../common/password';
import { User } from '../users/user.entity';
import { Workspace } from '../workspaces/workspace.entity';
import type { LoginThrottleStore } from './login-throttle';
import { LoginService } from './login.service';
import type { SessionTokens } from './session-tokens.service';

const NOW = new Date('2026-01-10T12:00:00Z');
const client = { ip: '10.0.0.1', userAgent: 'jest' };

function build(found: User | null, opts: { passwordOk?: boolean; retryAfter?: number } = {}) {
  const tx = strictMock<EntityManager>({}, 'tx');
  const em = strictMock<EntityManager>(
    {
      findOne: jest.fn().mockResolvedValue(found),
      find: jest.fn().mockResolvedValue([]),
      transactional: jest.fn((cb: (em: EntityManager) => Promise<unknown>) => cb(tx)),
    },
    'em',
  );
  const root = strictMock<EntityManager>({ fork: () => em }, 'root');
  const hasher = strictMock<PasswordHasher>({ verify: jest.fn().mockResolvedValue(opts.passwordOk ?? false), verifyAgainstDummy: jest.fn().mockResolvedValue(false) }, 'hasher');
  const throttle = strictMock<LoginThrottleStore>({ retryAfter: jest.fn().mockResolvedValue(opts.retryAfter ?? 0), recordFailure: jest.fn(), clearAccount: jest.fn() }, 'throttle');
  const tokens = strictMock<SessionTokens>({ start: jest.fn().mockReturnValue({ tokenType: 'Bearer', accessToken: 'a', expiresIn: 900, refreshToken: 'r', sessionId: 's1' }) }, 'tokens');
  const audit = strictMock<AuditTrail>({ record: jest.fn() }, 'audit');
  const clock = strictMock<Clock>({ now: () => NOW }, 'clock');
  const logger = strictMock<Logger>({ info: jest.fn() }, 'logger');
  return { sut: new LoginService(root, clock, hasher, throttle, tokens, audit, logger), hasher, throttle, tokens, audit, logger };
}

const user = () =>
  Object.assign(new User(), { id: 'u1', email: 'ann@example.com', name: 'Ann', password: '$2b$12$hash', role: 'EDITOR', isActive: true, workspace: Object.assign(new Workspace(), { id: 'w1' }) });

describe('LoginService', () => {
  it('gives an unknown email and a wrong password the same error, after the same bcrypt work', async () => {
    const unknown = build(null);
    const wrong = build(user());
    const e1 = await unknown.sut.execute({ email: 'nobody@example.com', password: 'x'.repeat(12) }, client).catch((e: unknown) => e);
    const e2 = await wrong.sut.execute({ email: 'ann@example.com', password: 'x'.repeat(12) }, client).catch((e: unknown) => e);
    expect(e1).toEqual(e2);
    expect(e1).toMatchObject({ code: 'AUTH.LOGIN_UNAUTHORIZED', message: 'Invalid email or password' });
    expect(unknown.hasher.verifyAgainstDummy).toHaveBeenCalledTimes(1);
    expect(wrong.hasher.verify).toHaveBeenCalledWith('x'.repeat(12), '$2b$12$hash');
    for (const b of [unknown, wrong]) {
      expect(b.throttle.recordFailure).toHaveBeenCalledTimes(1);
      expect(b.tokens.start).not.toHaveBeenCalled();
    }
    // The known account's workspace audits the failure; an unknown email has no workspace, only a log line.
    const entry = (wrong.audit.record as jest.Mock).mock.calls[0][1] as { action: string; workspaceId: string };
    expect(entry).toMatchObject({ action: 'auth.login_failed', workspaceId: 'w1', details: { reason: 'wrong_password' } });
    expect(JSON.stringify(entry)).not.toContain('x'.repeat(12));
    expect(unknown.audit.record).not.toHaveBeenCalled();
    expect(JSON.stringify((unknown.logger.info as jest.Mock).mock.calls)).not.toContain('x'.repeat(12));
  });

  it('refuses a deactivated account exactly like a wrong password, even with the right one', async () => {
    const b = build(Object.assign(user(), { isActive: false }), { passwordOk: true });
    await expect(b.sut.execute({ email: 'ann@example.com', password: 'right-password' }, client)).rejects.toMatchObject({ code: 'AUTH.LOGIN_UNAUTHORIZED' });
    expect(b.tokens.start).not.toHaveBeenCalled();
  });

  it('answers 429 with the delay while throttled, before looking at the password', async () => {
    const b = build(user(), { retryAfter: 42, passwordOk: true });
    await expect(b.sut.execute({ email: 'ann@example.com', password: 'right-password' }, client)).rejects.toMatchObject({ code: 'AUTH.LOGIN_RATE_LIMITED', details: { retryAfter: 42 } });
    expect(b.hasher.verify).not.toHaveBeenCalled();
  });

  it('signs in: clears the account’s failures, opens a session and audits the login', async () => {
    const b = build(user(), { passwordOk: true });
    const res = await b.sut.execute({ email: 'ann@example.com', password: 'right-password' }, client);
    expect(res).toMatchObject({ accessToken: 'a', refreshToken: 'r', user: { id: 'u1', email: 'ann@example.com' } });
    expect(res.user).not.toHaveProperty('password');
    expect(b.throttle.clearAccount).toHaveBeenCalledTimes(1);
    expect(b.audit.record).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ action: 'auth.login', resourceId: 's1' }));
  });
});
