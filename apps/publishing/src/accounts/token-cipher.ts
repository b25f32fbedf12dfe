import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface TokenKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const FORMAT = /^v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]*)$/;

/**
 * Network tokens at rest: AES-256-GCM, stored as `v1:<keyId>:<iv>:<tag>:<ciphertext>`. New
 * writes use the current key; any configured key still decrypts, so keys rotate without
 * downtime, and `reencrypt` moves old rows to the current key.
 */
export class TokenCipher {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly current: TokenKey,
    others: TokenKey[] = [],
  ) {
    this.byId = new Map([current, ...others].map((k) => [k.id, k.key]));
    for (const [id, key] of this.byId) if (key.length !== 32) throw new Error(`token key ${id} must be 32 bytes`);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    // The key id is authenticated too: a ciphertext cannot be relabelled to another key.
    cipher.setAAD(Buffer.from(this.current.id));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1:${this.current.id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${data.toString('base64')}`;
  }

  decrypt(stored: string): string {
    const m = FORMAT.exec(stored);
    if (!m) throw new Error('stored token is not in the encrypted format');
    const key = this.byId.get(m[1]);
    if (!key) throw new Error(`stored token uses unknown key id '${m[1]}'`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(m[2], 'base64'));
    decipher.setAAD(Buffer.from(m[1]));
    decipher.setAuthTag(Buffer.from(m[3], 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(m[4], 'base64')), decipher.final()]).toString('utf8');
  }

  keyIdOf(stored: string): string | null {
    return FORMAT.exec(stored)?.[1] ?? null;
  }

  /** The same secret under the current key, or null when it already uses it. */
  reencrypt(stored: string): string | null {
    return this.keyIdOf(stored) === this.current.id ? null : this.encrypt(this.decrypt(stored));
  }
}

/** `TOKEN_ENCRYPTION_KEYS=k2:<base64 32 bytes>,k1:<base64 32 bytes>`: the first is current. */
export function parseTokenKeys(value: string): { current: TokenKey; others: TokenKey[] } {
  const keys = value.split(',').map((part) => {
    const [id, b64] = part.trim().split(':');
    if (!id || !b64 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new Error('each key is <id>:<base64 of 32 bytes>');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`key ${id} is ${key.length} bytes; AES-256 needs 32`);
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('key ids must be unique');
  return { current: keys[0], others: keys.slice(1) };
}
