import { generateKeyPairSync } from 'node:crypto';
import { spawnNode } from '../../tools/dev/processes';

const { publicKey, privateKey } = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

const GOOD = {
  PORT: '0',
  KAFKA_BROKERS: '127.0.0.1:1',
  JWT_PUBLIC_KEY: publicKey,
  JWT_PRIVATE_KEY: privateKey,
  DATABASE_URL: 'postgres://u:p@127.0.0.1:1/auth',
  MONGODB_URL: 'mongodb://127.0.0.1:1/audit',
  TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
};

/** Runs a service with one variable spoiled; it must exit at once, naming the variable. */
async function run(script: string, env: Record<string, string | undefined>): Promise<{ code: number | null; output: string }> {
  const merged = Object.fromEntries(Object.entries({ ...GOOD, ...env }).map(([k, v]) => [k, v ?? '']));
  const proc = spawnNode('svc', script, merged);
  const code = await proc.exited;
  return { code, output: proc.lines.join('\n') };
}

describe('a bad environment stops a service with a message naming the variable', () => {
  it.each([
    ['apps/auth/src/main.js', { DATABASE_URL: 'nonsense' }, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL \(got 'nonsense'\)/],
    ['apps/auth/src/main.js', { JWT_PRIVATE_KEY: undefined }, /JWT_PRIVATE_KEY is required/],
    ['apps/publishing/src/main.js', { JWT_PUBLIC_KEY: undefined }, /JWT_PUBLIC_KEY is required/],
    ['apps/inbox/src/main.js', { KAFKA_BROKERS: 'not a broker' }, /KAFKA_BROKERS must be a comma-separated host:port list/],
    ['apps/audit/src/main.js', { MONGODB_URL: 'http://x' }, /MONGODB_URL must be a mongodb:\/\/ or mongodb\+srv:\/\/ URL/],
    ['apps/publishing/src/main.js', { TOKEN_ENCRYPTION_KEYS: 'k1:dG9vLXNob3J0' }, /TOKEN_ENCRYPTION_KEYS is invalid: key k1 is 9 bytes; AES-256 needs 32/],
    ['apps/edge/src/main.js', { PUBLISHING_URL: 'ftp://x', PORT: 'abc' }, /PUBLISHING_URL must be a http:\/\/ or https:\/\/ URL[\s\S]*PORT must be an integer/],
    ['apps/auth/src/migrate.js', { DATABASE_URL: 'nonsense' }, /DATABASE_URL must be a postgres/],
  ])('%s with %j', async (script, env, message) => {
    const { code, output } = await run(script, env);
    expect(code).toBe(78);
    expect(output).toMatch(message);
    expect(output).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
    expect(output).not.toContain('dG9vLXNob3J0'); // nor a secret's value
  });

  it('never prints the password of a bad database URL', async () => {
    const { code, output } = await run('apps/auth/src/main.js', { DATABASE_URL: 'mysql://admin:hunter2@db/auth' });
    expect(code).toBe(78);
    expect(output).toContain('DATABASE_URL');
    expect(output).not.toContain('hunter2');
  });
});
