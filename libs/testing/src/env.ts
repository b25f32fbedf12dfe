import { generateKeyPairSync, randomBytes } from 'node:crypto';
import pg from 'pg';

/** What globalSetup started, for integration tests. */
export function testStack(): { pgUrl: string; mongoUrl: string; brokers: string[]; embeddedKafka: boolean; control: string } {
  const pgUrl = process.env.TEST_PG_URL;
  const brokers = process.env.TEST_KAFKA_BROKERS;
  if (!pgUrl || !brokers) throw new Error('integration tests need the embedded stack from globalSetup');
  return { pgUrl, mongoUrl: process.env.TEST_MONGO_URL ?? '', brokers: brokers.split(','), embeddedKafka: process.env.TEST_KAFKA_EMBEDDED === 'true', control: process.env.TEST_STACK_CONTROL ?? '' };
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A fresh database on the test server; returns its URL. */
export async function createTestDatabase(serverUrl: string, prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Fault injection on the embedded Kafka mock (broker ids start at 1). */
export async function setBroker(control: string, id: number, state: 'down' | 'up'): Promise<void> {
  const res = await fetch(`${control}/kafka/brokers/${id}/${state}`, { method: 'POST' });
  if (!res.ok) throw new Error(`broker ${id} ${state}: ${res.status} ${await res.text()}`);
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A fresh ES256 signing pair, as auth's JWT_PRIVATE_KEY / every service's JWT_PUBLIC_KEY. */
export function testSigningKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
}
