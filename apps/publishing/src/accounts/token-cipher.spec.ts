import { randomBytes } from 'node:crypto';
import { TokenCipher, parseTokenKeys } from './token-cipher';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe('TokenCipher', () => {
  it('round-trips, never stores the plaintext, and uses a fresh IV each time', () => {
    const c = new TokenCipher(k1);
    const a = c.encrypt('secret-access-token');
    const b = c.encrypt('secret-access-token');
    expect(a).not.toContain('secret');
    expect(a).not.toBe(b);
    expect(c.decrypt(a)).toBe('secret-access-token');
  });

  it('rotates: old keys still decrypt, new writes use the current key, reencrypt moves old rows', () => {
    const old = new TokenCipher(k1).encrypt('t1');
    const rotated = new TokenCipher(k2, [k1]);
    expect(rotated.decrypt(old)).toBe('t1');
    expect(rotated.keyIdOf(rotated.encrypt('t2'))).toBe('k2');
    const moved = rotated.reencrypt(old)!;
    expect(rotated.keyIdOf(moved)).toBe('k2');
    expect(rotated.reencrypt(moved)).toBeNull();
    expect(new TokenCipher(k2).decrypt(moved)).toBe('t1');
  });

  it('refuses tampered ciphertext, relabelled keys and unknown keys', () => {
    const c = new TokenCipher(k1, [k2]);
    const stored = c.encrypt('t');
    const parts = stored.split(':');
    const flipped = Buffer.from(parts[4], 'base64');
    flipped[0] ^= 1;
    expect(() => c.decrypt([...parts.slice(0, 4), flipped.toString('base64')].join(':'))).toThrow();
    expect(() => c.decrypt(stored.replace('v1:k1:', 'v1:k2:'))).toThrow();
    expect(() => new TokenCipher(k2).decrypt(stored)).toThrow(/unknown key id 'k1'/);
    expect(() => c.decrypt('plaintext-token')).toThrow(/not in the encrypted format/);
  });

  it('parses the key list and names what is wrong', () => {
    const parsed = parseTokenKeys(`k2:${k2.key.toString('base64')},k1:${k1.key.toString('base64')}`);
    expect(parsed.current.id).toBe('k2');
    expect(parsed.others.map((k) => k.id)).toEqual(['k1']);
    expect(() => parseTokenKeys('k1:c2hvcnQ=')).toThrow(/32/);
    expect(() => parseTokenKeys(`k1:${k1.key.toString('base64')},k1:${k2.key.toString('base64')}`)).toThrow(/unique/);
  });
});
