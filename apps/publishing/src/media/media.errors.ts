import { DomainError, ErrorCodes, type Plan } from '@lib/contracts';
import { formatBytes } from './media-limits';

/** Stable codes; the HTTP status follows from the suffix (see ProblemFilter). */
export const MediaErrors = {
  notFound: 'PUBLISHING.MEDIA_NOT_FOUND',
  /** 422: the file is larger than the workspace's plan (or the service) allows. */
  tooLarge: 'PUBLISHING.MEDIA_SIZE_LIMIT_REACHED',
  /** 422: the bytes are not a type the library takes. */
  unsupportedType: 'PUBLISHING.MEDIA_TYPE_UNPROCESSABLE',
  /** 422: a supported type whose content cannot be read. */
  unreadable: 'PUBLISHING.MEDIA_CONTENT_UNPROCESSABLE',
  /** 409: a post on its way out uses the asset. */
  inUse: 'PUBLISHING.MEDIA_IN_USE_CONFLICT',
  /** 404: the asset exists but its stored bytes (or thumbnail) do not. */
  contentMissing: 'PUBLISHING.MEDIA_CONTENT_NOT_FOUND',
  /** 416: the Range header starts past the end of the file. */
  rangeNotSatisfiable: 'PUBLISHING.MEDIA_RANGE_NOT_SATISFIABLE',
} as const;

export function mediaNotFound(): DomainError {
  return new DomainError(MediaErrors.notFound, 'No such media asset');
}

export function fieldError(field: string, messages: string[]): DomainError {
  return new DomainError(ErrorCodes.validation, 'Invalid request', {
    detail: `${field}: ${messages.join(', ')}`,
    errors: [{ field, messages }],
  });
}

export function fieldErrors(errors: { field: string; messages: string[] }[]): DomainError {
  return new DomainError(ErrorCodes.validation, 'Invalid request', {
    detail: errors.map((e) => `${e.field}: ${e.messages.join(', ')}`).join('; '),
    errors,
  });
}

export function tooLarge(limitBytes: number, plan: Plan | null): DomainError {
  const limit = `${formatBytes(limitBytes)} (${limitBytes} bytes)`;
  return new DomainError(MediaErrors.tooLarge, 'File too large', {
    detail: plan ? `The ${plan} plan allows files up to ${limit}` : `Files may be at most ${limit}`,
    limitBytes,
    plan,
  });
}

export function unsupportedType(detected: string): DomainError {
  return new DomainError(MediaErrors.unsupportedType, 'Unsupported file type', {
    detail: `The file's content is ${detected}; upload JPEG, PNG, GIF or WebP images, or MP4 or QuickTime (MOV) videos`,
    detectedType: detected,
    supportedTypes: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/quicktime'],
  });
}

export function unreadable(mimeType: string, reason: string): DomainError {
  return new DomainError(MediaErrors.unreadable, 'Unreadable media file', { detail: reason, detectedType: mimeType });
}
