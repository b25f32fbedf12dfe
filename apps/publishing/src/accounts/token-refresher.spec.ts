import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { ConnectorError, type Connector, type TokenRefreshCapability, type TokenSet } from '@lib/connectors';
import type { OutboxWriter } from '@lib/messaging';
import { strictMock } from '@lib/testing';
import type { ConnectorRegistry } from '../networks/connector-registry';
import { SocialAccount } from './social-account.entity';
import { TokenCipher } from './token-cipher';
import { TokenRefresher } from './token-refresher';

const cipher = new TokenCipher({ id: 'k1', key: randomBytes(32) });

function account(refreshToken: string | null = 'rt-old'): SocialAccount {
  const a = new SocialAccount();
  a.workspaceId = '0193f0a0-0000-7000-8000-000000000001';
  a.platform = 'TWITTER';
  a.platformAccountId = '42';
  a.username = 'acme';
  a.displayName = 'Acme';
  a.accessToken = cipher.encrypt('at-old');
  a.refreshToken = refreshToken === null ? null : cipher.encrypt(refreshToken);
  a.tokenExpiry = new Date(Date.now() + 60_000);
  return a;
}

function setup(refresh: jest.Mock) {
  const connector = strictMock<Connector & TokenRefreshCapability>({ refreshToken: refresh }, 'connector');
  const registry = strictMock<ConnectorRegistry>({ get: jest.fn(() => connector) }, 'registry');
  const stage = jest.fn();
  const outbox = strictMock<OutboxWriter>({ stage }, 'outbox');
  const logger = strictMock<Logger>({ warn: jest.fn(), info: jest.fn() }, 'logger');
  // The refresher stages events on the caller's unit of work and touches nothing else of it.
  const em = strictMock<EntityManager>({}, 'em');
  return { sut: new TokenRefresher(registry, cipher, outbox, logger), em, stage, registry };
}

describe('TokenRefresher', () => {
  it('stores a rotated refresh token (X) and the new access token, encrypted', async () => {
    const expiresAt = new Date(Date.now() + 7_200_000);
    const refresh = jest.fn(async () => ({ accessToken: 'at-new', refreshToken: 'rt-new', expiresAt, scopes: [] }));
    const { sut, em, stage } = setup(refresh);
    const a = account();

    expect(await sut.refresh(em, a)).toBe('refreshed');

    expect(refresh).toHaveBeenCalledWith('rt-old');
    expect(cipher.decrypt(a.accessToken)).toBe('at-new');
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-new');
    expect(a.refreshToken).not.toContain('rt-new');
    expect(a.tokenExpiry).toEqual(expiresAt);
    expect(a.isActive).toBe(true);
    expect(stage).not.toHaveBeenCalled();
  });

  it('keeps the stored refresh token when the answer has none', async () => {
    const refresh = jest.fn(async () => ({ accessToken: 'at-new', refreshToken: undefined, scopes: [] }));
    const { sut, em } = setup(refresh);
    const a = account();
    const before = a.refreshToken;

    expect(await sut.refresh(em, a)).toBe('refreshed');

    expect(a.refreshToken).toBe(before);
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-old');
  });

  it('deactivates once on an auth refusal, with the network reason, and never calls the network again', async () => {
    const refresh = jest.fn(async (): Promise<TokenSet> => {
      throw new ConnectorError('TWITTER', 'auth', 'Value passed for the token was invalid.');
    });
    const { sut, em, stage } = setup(refresh);
    const a = account();

    expect(await sut.refresh(em, a)).toBe('disconnected');
    expect(await sut.refresh(em, a)).toBe('skipped');

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(a.isActive).toBe(false);
    expect(a.metadata.disconnectReason).toBe('TWITTER: Value passed for the token was invalid.');
    expect(cipher.decrypt(a.refreshToken!)).toBe('rt-old');
    const disconnected = stage.mock.calls.filter(([, topic]) => (topic as { name: string }).name === 'account.disconnected');
    expect(disconnected).toHaveLength(1);
    expect(disconnected[0][2]).toEqual({ accountId: a.id, platform: 'TWITTER', reason: 'TWITTER: Value passed for the token was invalid.' });
    expect(stage.mock.calls.map(([, topic]) => (topic as { name: string }).name)).toEqual(['account.disconnected', 'audit.recorded']);
  });

  it('leaves the account untouched on a transient failure, for the next round', async () => {
    const refresh = jest.fn(async (): Promise<TokenSet> => {
      throw new ConnectorError('TWITTER', 'transient', 'Service Unavailable (HTTP 503)');
    });
    const { sut, em, stage } = setup(refresh);
    const a = account();
    const before = { access: a.accessToken, refresh: a.refreshToken };

    expect(await sut.refresh(em, a)).toBe('retry_later');

    expect(a.isActive).toBe(true);
    expect({ access: a.accessToken, refresh: a.refreshToken }).toEqual(before);
    expect(a.metadata.disconnectReason).toBeUndefined();
    expect(stage).not.toHaveBeenCalled();
  });

  it('skips accounts without a refresh token without asking the network', async () => {
    const refresh = jest.fn();
    const { sut, em, registry } = setup(refresh);
    expect(await sut.refresh(em, account(null))).toBe('skipped');
    expect(refresh).not.toHaveBeenCalled();
    expect(registry.get).not.toHaveBeenCalled();
  });
});
