import { DomainError, ErrorCodes } from '@lib/contracts';

export const RecurrenceErrors = {
  notFound: 'PUBLISHING.RECURRENCE_NOT_FOUND',
  /** An archived post cannot carry a series (restore it first). */
  templateConflict: 'PUBLISHING.RECURRENCE_TEMPLATE_CONFLICT',
  /** A target account was disconnected: occurrences cannot be scheduled until it is reconnected. */
  accountDisconnected: 'PUBLISHING.ACCOUNT_DISCONNECTED_UNPROCESSABLE',
} as const;

/** 400 naming one field, like the DTO validation's own answers. */
export function invalidField(field: string, message: string): DomainError {
  return new DomainError(ErrorCodes.validation, `Invalid ${field}`, { errors: [{ field, messages: [message] }] });
}
