import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { OutboxWriter } from '@lib/messaging';
import { strictMock } from '@lib/testing';
import type { PublishingConfig } from '../config/publishing.config';
import type { ConnectorRegistry } from '../networks/connector-registry';
import { PLAN_LIMIT_REACHED, type PlanLimits } from '../workspaces/plan-limits';
import { DomainError } from '@lib/contracts';
import { ConnectAccountService, type ConnectedIdentity } from './connect-account.service';
import { SocialAccount } from './social-account.entity';
import { TokenCipher } from './token-cipher';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
// Rows written before the key rotation; the service runs with k2 current and k1 still readable.
const oldCipher = new TokenCipher(k1);
const cipher = new TokenCipher(k2, [k1]);
const user = { userId: '0193f0a0-0000-7000-8000-00000000000a', workspaceId: '0193f0a0-0000-7000-8000-000000000001' };

function identity(tokens: ConnectedIdentity['tokens']): ConnectedIdentity {
  return { platformAccountId: 'urn:li:person:abc', username: 'ada@example.test', displayName: 'Ada', avatar: null, tokens, metadata: {} };
}

function stored(): SocialAccount {
  const a = new SocialAccount();
  a.workspaceId = user.workspaceId;
  a.platform = 'LINKEDIN';
  a.platformAccountId = 'urn:li:person:abc';
  a.username = 'old';
  a.displayName = 'Old';
  a.accessToken = oldCipher.encrypt('at-old');
  a.refreshToken = oldCipher.encrypt('rt-old');
  a.isActive = false;
  a.metadata = { disconnectReason: 'LINKEDIN: revoked', disconnectedAt: '2026-01-01T00:00:00.000Z', keep: 1 };
  return a;
}

function setup(existing: SocialAccount | null, slotFree = true) {
  const persist = jest.fn();
  const assertAccountSlot = jest.fn(async () => {
    if (!slotFree) throw new DomainError(PLAN_LIMIT_REACHED, 'The FREE plan allows 3 connected social accounts', { limit: 'socialAccounts', max: 3 });
  });
  const em = strictMock<EntityManager>({ findOne: jest.fn(async () => existing), persist, flush: jest.fn(async () => undefined) }, 'em');
  const stage = jest.fn();
  const sut = new ConnectAccountService(
    strictMock<EntityManager>({}, 'rootEm'),
    strictMock<OutboxWriter>({ stage }, 'outbox'),
    strictMock<ConnectorRegistry>({}, 'registry'),
    cipher,
    strictMock<PlanLimits>({ assertAccountSlot }, 'limits'),
    strictMock<PublishingConfig>({}, 'config'),
    strictMock<Logger>({}, 'logger'),
  );
  return { sut, em, persist, stage, assertAccountSlot };
}

describe('ConnectAccountService.saveConnection', () => {
  it('creates a new account with both tokens encrypted under the current key, and stages the event and the audit entry', async () => {
    const { sut, em, persist, stage } = setup(null);
    const expiresAt = new Date(Date.now() + 3_600_000);

    const a = await sut.saveConnection(em, user, 'LINKEDIN', identity({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt }));

    expect(persist).toHaveBeenCalledWith(a);
    expect(cipher.keyIdOf(a.accessToken)).toBe('k2');
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-1');
    expect(a.tokenExpiry).toEqual(expiresAt);
    expect(a.metadata.reconnectBy).toBeNull();
    expect(stage.mock.calls.map(([, t]) => (t as { name: string }).name)).toEqual(['account.connected', 'audit.recorded']);
    expect(stage.mock.calls[0][2]).toEqual({ accountId: a.id, platform: 'LINKEDIN', username: 'ada@example.test' });
  });

  it('reconnect: replaces the access token, keeps the stored refresh token when the network sent none, and reactivates', async () => {
    const existing = stored();
    const refreshBefore = existing.refreshToken;
    const { sut, em, persist } = setup(existing);

    const a = await sut.saveConnection(em, user, 'LINKEDIN', identity({ accessToken: 'at-2', refreshToken: undefined }));

    expect(a).toBe(existing);
    expect(persist).not.toHaveBeenCalled();
    expect(cipher.decrypt(a.accessToken)).toBe('at-2');
    expect(a.refreshToken).toBe(refreshBefore);
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-old');
    expect(a.isActive).toBe(true);
    expect(a.metadata.disconnectReason).toBeUndefined();
    expect(a.metadata.keep).toBe(1);
    expect(a.username).toBe('ada@example.test');
  });

  it('reconnect with an empty-string refresh token never overwrites the stored one', async () => {
    const existing = stored();
    const { sut, em } = setup(existing);
    const a = await sut.saveConnection(em, user, 'LINKEDIN', identity({ accessToken: 'at-3', refreshToken: '' }));
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-old');
  });

  it('records when an account without a refresh token must be reconnected', async () => {
    const { sut, em } = setup(null);
    const expiresAt = new Date(Date.now() + 60 * 24 * 3_600_000);
    const a = await sut.saveConnection(em, user, 'FACEBOOK', identity({ accessToken: 'page-token', expiresAt }));
    expect(a.refreshToken).toBeNull();
    expect(a.metadata.reconnectBy).toBe(expiresAt.toISOString());
  });

  it('a new account needs a free slot of the plan: when there is none, nothing is stored or staged', async () => {
    const { sut, em, persist, stage, assertAccountSlot } = setup(null, false);
    await expect(sut.saveConnection(em, user, 'LINKEDIN', identity({ accessToken: 'at-5' }))).rejects.toMatchObject({ code: PLAN_LIMIT_REACHED });
    expect(assertAccountSlot).toHaveBeenCalledWith(em, user.workspaceId);
    expect(persist).not.toHaveBeenCalled();
    expect(stage).not.toHaveBeenCalled();
  });

  it('refreshing the tokens of an account that is already active takes no new slot', async () => {
    const existing = stored();
    existing.isActive = true;
    const { sut, em, assertAccountSlot } = setup(existing, false);
    const a = await sut.saveConnection(em, user, 'LINKEDIN', identity({ accessToken: 'at-6' }));
    expect(assertAccountSlot).not.toHaveBeenCalled();
    expect(cipher.decrypt(a.accessToken)).toBe('at-6');
  });

  it('reconnect with a new refresh token stores it', async () => {
    const existing = stored();
    const { sut, em } = setup(existing);
    const a = await sut.saveConnection(em, user, 'LINKEDIN', identity({ accessToken: 'at-4', refreshToken: 'rt-4' }));
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-4');
    expect(cipher.keyIdOf(a.refreshToken!)).toBe('k2');
  });
});
