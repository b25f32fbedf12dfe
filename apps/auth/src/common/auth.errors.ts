import { DomainError, ErrorCodes } from '@lib/contracts';

/** Stable error codes of the auth service; the suffix decides the HTTP status (ProblemFilter). */
export const AuthErrors = {
  // No 401 code may contain INVALID: the ProblemFilter maps any code containing it to 400.
  invalidCredentials: 'AUTH.LOGIN_UNAUTHORIZED',
  invalidRefreshToken: 'AUTH.REFRESH_UNAUTHORIZED',
  loginRateLimited: 'AUTH.LOGIN_RATE_LIMITED',
  passwordInvalid: 'AUTH.PASSWORD_INVALID',
  emailTaken: 'AUTH.EMAIL_ALREADY_EXISTS',
  invitationNotFound: 'AUTH.INVITATION_NOT_FOUND',
  userNotFound: 'AUTH.USER_NOT_FOUND',
  planLimit: 'AUTH.PLAN_LIMIT_REACHED',
  roleForbidden: 'AUTH.ROLE_FORBIDDEN',
  ownerProtected: 'AUTH.OWNER_CONFLICT',
  cursorInvalid: 'AUTH.CURSOR_INVALID',
  settingsInvalid: 'AUTH.SETTINGS_INVALID',
  transferInvalid: 'AUTH.TRANSFER_INVALID',
  permissionsInvalid: 'AUTH.PERMISSIONS_INVALID',
} as const;

/** Same code, same words for an unknown email, a wrong password and a deactivated account. */
export function invalidCredentials(): DomainError {
  return new DomainError(AuthErrors.invalidCredentials, 'Invalid email or password');
}

export function unauthorized(detail: string): DomainError {
  return new DomainError(ErrorCodes.unauthorized, detail);
}

/** A 400 that names its field, shaped like the validation pipe's answer. */
export function fieldError(code: string, field: string, message: string): DomainError {
  return new DomainError(code, message, { errors: [{ field, messages: [message] }] });
}
