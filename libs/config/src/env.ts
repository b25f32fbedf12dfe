/**
 * Reads and validates environment variables once, into a typed object. Every problem is
 * collected, so one start-up names every bad variable, not just the first.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Source = process.env) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  }

  private fail<T>(problem: string, fallback: T): T {
    this.problems.push(problem);
    return fallback;
  }

  string(name: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    return v ?? this.fail(`${name} is required`, '');
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      return this.fail(`${name} must be an integer between ${min} and ${max} (got '${v}')`, fallback);
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(v)) return true;
    if (/^(false|0|no)$/i.test(v)) return false;
    return this.fail(`${name} must be true or false (got '${v}')`, fallback);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    return (allowed as readonly string[]).includes(v)
      ? (v as T)
      : this.fail(`${name} must be one of ${allowed.join(', ')} (got '${v}')`, fallback);
  }

  /** A URL whose scheme is one of `protocols` (without the colon). */
  url(name: string, protocols: string[], fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) return this.fail(`${name} is required (a ${protocols.join('/')} URL)`, '');
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol.replace(/:$/, ''))) throw new Error('scheme');
      return v;
    } catch {
      return this.fail(`${name} must be a ${protocols.map((p) => `${p}://`).join(' or ')} URL (got '${redactUrl(v)}')`, '');
    }
  }

  /** Comma-separated host:port list. */
  hostList(name: string, fallback?: string): string[] {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) return this.fail(`${name} is required (comma-separated host:port list)`, []);
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = items.filter((s) => !/^[A-Za-z0-9._-]+:\d{1,5}$/.test(s));
    if (!items.length || bad.length) return this.fail(`${name} must be a comma-separated host:port list (got '${v}')`, []);
    return items;
  }

  list(name: string, fallback: string[] = []): string[] {
    const v = this.raw(name);
    return v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** A PEM-encoded key. `\n` escapes are accepted so keys fit in one-line env files. */
  pem(name: string, kind: 'PUBLIC' | 'PRIVATE'): string {
    const v = this.raw(name);
    if (v === undefined) return this.fail(`${name} is required (a PEM ${kind.toLowerCase()} key)`, '');
    const pem = v.replace(/\\n/g, '\n');
    if (!new RegExp(`-----BEGIN ${kind} KEY-----[\\s\\S]+-----END ${kind} KEY-----`).test(pem)) {
      return this.fail(`${name} must be a PEM ${kind.toLowerCase()} key (-----BEGIN ${kind} KEY-----)`, '');
    }
    return pem;
  }

  /**
   * A required variable with its own parser. The parser's error message is reported after the
   * variable's name and must not repeat the value (which may be a secret).
   */
  parsed<T>(name: string, parse: (raw: string) => T, fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return this.fail(`${name} is required`, fallback);
    try {
      return parse(v);
    } catch (err) {
      return this.fail(`${name} is invalid: ${(err as Error).message}`, fallback);
    }
  }

  /** Throws a ConfigError naming every bad variable, or returns the value built from them. */
  done<T>(value: T): T {
    if (this.problems.length) throw new ConfigError(this.problems);
    return value;
  }
}

/** Removes the password from a URL before it is printed anywhere. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return value.length > 60 ? `${value.slice(0, 60)}…` : value;
  }
}
