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

  it('accepts single-line PEM with escaped newlines', () => {
    const env = new EnvReader({ K: '-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----' });
    expect(env.done(env.pem('K', 'PUBLIC'))).toBe('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----');
  });
});
