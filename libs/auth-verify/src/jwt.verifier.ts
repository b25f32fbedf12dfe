import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The claims every service relies on. Auth signs them; everyone else only verifies. */
export interface AccessClaims {
  /** User id. */
  sub: string;
  workspaceId: string;
  role: 'OWNER' | 'ADMIN' | 'MANAGER' | 'EDITOR' | 'VIEWER';
  /** Session (refresh-token family) id. */
  sid?: string;
}

// ES256 (ECDSA P-256): supported by jsonwebtoken (and so passport-jwt), unlike EdDSA.
export const JWT_ALGORITHM = 'ES256' as const;
export const JWT_ISSUER = 'platform-auth';
export const JWT_AUDIENCE = 'platform';

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/** Verifies access tokens with auth's public key. The algorithm is pinned: `alg: none` or HS* fail. */
export class JwtVerifier {
  // Parsed once: parsing the PEM on every request was the largest single cost of a verify.
  private readonly publicKey: KeyObject;

  constructor(publicKeyPem: string) {
    this.publicKey = createPublicKey(publicKeyPem);
  }

  verify(token: string): AccessClaims {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.publicKey, {
        algorithms: [JWT_ALGORITHM],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch (err) {
      const name = (err as Error).name;
      throw new InvalidTokenError(name === 'TokenExpiredError' ? 'token expired' : 'invalid token');
    }
    return claimsOf(payload);
  }

  /** The parsed public key, for other verifiers that must accept exactly the same tokens. */
  get key(): KeyObject {
    return this.publicKey;
  }
}

/** The claims of a verified payload; a token without them is refused like a bad signature. */
export function claimsOf(payload: unknown): AccessClaims {
  const claims = (payload ?? {}) as Partial<AccessClaims>;
  if (typeof claims.sub !== 'string' || typeof claims.workspaceId !== 'string' || typeof claims.role !== 'string') {
    throw new InvalidTokenError('token lacks required claims');
  }
  return claims as AccessClaims;
}
