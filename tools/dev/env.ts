import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { POSTGRES_SERVICES, SERVICES, type ServiceName } from '@lib/contracts';
import type { StackEndpoints } from '../devstack/src';

/** The repository root, from sources (tools/dev) and from the build (dist/tools/dev) alike. */
function findRoot(dir: string): string {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'apps'))) return d;
  }
  throw new Error(`no repository root above ${dir}`);
}

export const ROOT = findRoot(__dirname);
export const DATA_DIR = path.join(ROOT, '.data');

/** Dev-only signing keys, made once under .data/keys unless JWT_* are set. */
export function devJwtKeys(dir = path.join(DATA_DIR, 'keys')): { publicKey: string; privateKey: string } {
  if (process.env.JWT_PUBLIC_KEY && process.env.JWT_PRIVATE_KEY) {
    return { publicKey: process.env.JWT_PUBLIC_KEY, privateKey: process.env.JWT_PRIVATE_KEY };
  }
  const pub = path.join(dir, 'jwt-public.pem');
  const priv = path.join(dir, 'jwt-private.pem');
  if (!fs.existsSync(pub) || !fs.existsSync(priv)) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(priv, privateKey, { mode: 0o600 });
    fs.writeFileSync(pub, publicKey);
  }
  return { publicKey: fs.readFileSync(pub, 'utf8'), privateKey: fs.readFileSync(priv, 'utf8') };
}

/** Dev-only token encryption key (`dev:<base64>`), made once under .data/keys unless set. */
export function devTokenKeys(dir = path.join(DATA_DIR, 'keys')): string {
  if (process.env.TOKEN_ENCRYPTION_KEYS) return process.env.TOKEN_ENCRYPTION_KEYS;
  const file = path.join(dir, 'token-encryption-keys');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `dev:${randomBytes(32).toString('base64')}`, { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/** Ports on the dev stack: the services' own, shifted by PLATFORM_PORT_BASE (default 3000). */
export function servicePort(service: ServiceName): number {
  const base = Number(process.env.PLATFORM_PORT_BASE ?? 3000);
  return base + SERVICES[service].port - SERVICES.edge.port;
}

/** The environment one service gets on the embedded stack. */
export function serviceEnv(
  service: ServiceName,
  stack: StackEndpoints,
  keys: { publicKey: string; privateKey: string; tokenKeys?: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(servicePort(service)),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    KAFKA_IDEMPOTENT: String(stack.kafka.idempotent),
    JWT_PUBLIC_KEY: keys.publicKey,
  };
  if (stack.kafka.embedded) {
    // The mock never cuts a fetch long-poll short, and its first group join is slow.
    Object.assign(env, { KAFKA_MAX_WAIT_MS: '10', KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' });
  }
  if ((POSTGRES_SERVICES as string[]).includes(service)) env.DATABASE_URL = stack.postgres.databases[service];
  if (SERVICES[service].store === 'mongodb' && stack.mongodb.url) {
    const u = new URL(stack.mongodb.url);
    u.pathname = `/${service}`;
    env.MONGODB_URL = u.toString();
  }
  // Behind the edge, which sets X-Forwarded-For to the real client (per-IP login throttling).
  if (service !== 'edge') env.TRUST_PROXY = 'true';
  if (service === 'auth') env.JWT_PRIVATE_KEY = keys.privateKey;
  if (service === 'publishing') env.TOKEN_ENCRYPTION_KEYS = keys.tokenKeys ?? devTokenKeys();
  if (service === 'edge') {
    for (const name of Object.keys(SERVICES)) {
      if (name !== 'edge') env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${servicePort(name as ServiceName)}`;
    }
  }
  return { ...env, ...extra };
}

/** The networks `npm start` can emulate, with the variable whose presence means "use the real one". */
export const EMULATED_NETWORKS = [
  { network: 'twitter', credential: 'X_CLIENT_ID' },
  { network: 'facebook', credential: 'FACEBOOK_APP_ID' },
  { network: 'linkedin', credential: 'LINKEDIN_CLIENT_ID' },
] as const;

export type EmulatedNetwork = (typeof EMULATED_NETWORKS)[number]['network'];

/** Networks without real credentials in this environment: `npm start` runs their emulators. */
export function networksToEmulate(env: Record<string, string | undefined> = process.env): EmulatedNetwork[] {
  return EMULATED_NETWORKS.filter((n) => !env[n.credential]?.trim()).map((n) => n.network);
}

/**
 * Publishing's settings for emulated networks: the emulator's URL for every base URL and dummy
 * credentials (the emulators accept any client id). Networks with real credentials are untouched
 * (publishing reads them from this environment).
 */
export function emulatedNetworkEnv(emulators: Partial<Record<EmulatedNetwork, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  if (emulators.twitter) {
    Object.assign(env, { X_API_BASE_URL: emulators.twitter, X_AUTHORIZE_URL: `${emulators.twitter}/i/oauth2/authorize`, X_CLIENT_ID: 'emulated-x-client', X_CLIENT_SECRET: 'emulated-x-secret' });
  }
  if (emulators.facebook) {
    Object.assign(env, { FACEBOOK_GRAPH_BASE_URL: emulators.facebook, FACEBOOK_DIALOG_BASE_URL: emulators.facebook, FACEBOOK_APP_ID: 'emulated-facebook-app', FACEBOOK_APP_SECRET: 'emulated-facebook-secret' });
  }
  if (emulators.linkedin) {
    Object.assign(env, { LINKEDIN_API_BASE_URL: emulators.linkedin, LINKEDIN_OAUTH_BASE_URL: emulators.linkedin, LINKEDIN_CLIENT_ID: 'emulated-linkedin-client', LINKEDIN_CLIENT_SECRET: 'emulated-linkedin-secret' });
  }
  return env;
}
