import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { InvalidTokenError, JWT_AUDIENCE, JWT_ISSUER, JwtVerifier } from './jwt.verifier';

const keys = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

describe('JwtVerifier', () => {
  const { publicKey, privateKey } = keys();
  const verifier = new JwtVerifier(publicKey);
  const claims = { sub: 'u1', workspaceId: 'w1', role: 'EDITOR' };
  const sign = (payload: object, opts: jwt.SignOptions = {}, key: string = privateKey) =>
    jwt.sign(payload, key, { algorithm: 'ES256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '15m', ...opts });

  it('accepts a token signed by auth with the pinned algorithm', () => {
    expect(verifier.verify(sign(claims))).toMatchObject(claims);
  });

  it.each([
    ['alg none', () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: JWT_ISSUER, aud: JWT_AUDIENCE })).toString('base64url')}.`],
    ['HS256 with the public key as secret', () => jwt.sign({ ...claims }, publicKey, { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE })],
    ['another key', () => sign(claims, {}, keys().privateKey)],
    ['a tampered payload', () => {
      const [h, , s] = sign(claims).split('.');
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'OWNER', iss: JWT_ISSUER, aud: JWT_AUDIENCE })).toString('base64url')}.${s}`;
    }],
    ['the wrong audience', () => sign(claims, { audience: 'elsewhere' })],
    ['missing claims', () => sign({ sub: 'u1' })],
  ])('rejects %s', (_name, token) => {
    expect(() => verifier.verify(token())).toThrow(InvalidTokenError);
  });

  it('says when a token has expired', () => {
    const token = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, privateKey, { algorithm: 'ES256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE });
    expect(() => verifier.verify(token)).toThrow('token expired');
  });
});
