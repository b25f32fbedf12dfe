import { Injectable, type OnModuleInit } from '@nestjs/common';
import { hash, verify } from '@node-rs/bcrypt';
import { AuthErrors, fieldError } from './auth.errors';
import { SecretGenerator } from './secrets';

export const BCRYPT_COST = 12;
export const PASSWORD_MIN_LENGTH = 10;
/** bcrypt reads at most 72 bytes; longer input would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

/** Throws a 400 naming `field` when the password breaks the policy. */
export function assertPasswordPolicy(password: string, email: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw fieldError(AuthErrors.passwordInvalid, field, `${field} must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw fieldError(AuthErrors.passwordInvalid, field, `${field} must be at most ${PASSWORD_MAX_BYTES} bytes long`);
  }
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) {
    throw fieldError(AuthErrors.passwordInvalid, field, `${field} must not be the email address`);
  }
}

/** bcrypt (cost 12) on the libuv pool. */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummy?: Promise<string>;

  constructor(private readonly secrets: SecretGenerator) {}

  onModuleInit(): void {
    // Computed at start so the first unknown-email sign-in is not faster (or slower) than the rest.
    this.dummyHash().catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return hash(password, BCRYPT_COST);
  }

  verify(password: string, passwordHash: string): Promise<boolean> {
    return verify(password, passwordHash);
  }

  /**
   * Spends the same time as a real check and always fails: used when the email is unknown, so
   * the answer's timing does not tell whether an account exists.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    await verify(password, await this.dummyHash());
    return false;
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= hash(this.secrets.token(), BCRYPT_COST);
    return this.dummy;
  }
}
