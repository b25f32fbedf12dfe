import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/** Hex SHA-256: what is stored in place of refresh and invitation tokens. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Unguessable bearer secrets (refresh and invitation tokens): 256 random bits, base64url. */
@Injectable()
export class SecretGenerator {
  token(): string {
    return randomBytes(32).toString('base64url');
  }
}
