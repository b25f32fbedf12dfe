import { ConfigError, EnvReader, redactUrl } from './env';

describe('EnvReader', () => {
  it('names every bad variable at once', () => {
    const env = new EnvReader({ DATABASE_URL: 'nonsense', PORT: 'abc' });
    env.url('DATABASE_URL', ['postgres']);
    env.int('PORT', 3000);
    env.pem('JWT_PUBLIC_KEY', 'PUBLIC');
    let error: unknown;
    try {
      env.done({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^DATABASE_URL must be a postgres:\/\/ URL/);
    expect(problems[1]).toMatch(/^PORT must be an integer/);
    expect(problems[2]).toMatch(/^JWT_PUBLIC_KEY is required/);
  });

  it('returns typed values and defaults when valid', () => {
    const env = new EnvReader({ KAFKA_BROKERS: 'a:1, b:2', FLAG: 'no' });
    const value = env.done({ brokers: env.hostList('KAFKA_BROKERS'), flag: env.bool('FLAG', true), n: env.int('N', 7) });
    expect(value).toEqual({ brokers: ['a:1', 'b:2'], flag: false, n: 7 });
  });

  it('never prints a password from a URL', () => {
    const env = new EnvReader({ DATABASE_URL: 'mysql://u:secret@h/db' });
    env.url('DATABASE_URL', ['postgres']);
    expect(() => env.done(null)).toThrow(/mysql:\/\/u:\*\*\*@h\/db/);
    expect(redactUrl('postgres://u:secret@h:5432/x')).toBe('postgres://u:***@h:5432/x');
  });

  it('reports a custom parser\'s error after the name, without the value', () => {
    const env = new EnvReader({ KEYS: 'super-secret-value' });
    env.parsed('KEYS', () => {
      throw new Error('each key is <id>:<base64>');
    }, []);
    env.parsed('MISSING', (v) => v, '');
    let message = '';
    try {
      env.done(null);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('KEYS is invalid: each key is <id>:<base64>');
    expect(message).toContain('MISSING is required');
    expect(message).not.toContain('super-secret-value');
  });

  it('accepts single-line PEM with escaped newlines', () => {
    const env = new EnvReader({ K: '-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----' });
    expect(env.done(env.pem('K', 'PUBLIC'))).toBe('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----');
  });
});
