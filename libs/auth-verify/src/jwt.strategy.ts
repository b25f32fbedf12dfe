import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER, JwtVerifier, claimsOf, type AccessClaims } from './jwt.verifier';

export const JWT_STRATEGY = 'jwt';

/**
 * passport-jwt, pinned like JwtVerifier: ES256 only (so `alg: none` and HS* with the public key
 * as a secret both fail), auth's issuer, the platform audience, and the same parsed public key.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(verifier: JwtVerifier) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject as it is.
      // (its typings say string | Buffer; the KeyObject saves a PEM parse per request).
      secretOrKeyProvider: (_req, _token, done) => done(null, verifier.key as unknown as Buffer),
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(payload: unknown): AccessClaims {
    return claimsOf(payload);
  }
}
