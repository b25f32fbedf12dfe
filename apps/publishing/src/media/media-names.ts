/** Folder paths: `campaigns/2026/spring`, at most this deep and long (the column is varchar(255)). */
export const FOLDER_MAX_LENGTH = 255;
export const FOLDER_MAX_DEPTH = 8;
export const FOLDER_SEGMENT_MAX_LENGTH = 64;
export const FILENAME_MAX_LENGTH = 255;
export const TAG_MAX_LENGTH = 50;
export const TAGS_MAX = 50;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Problems with a folder path, empty when it is fine. Folders are labels for grouping: they never
 * reach a storage key, but clients build trees and URLs from them, so no `.`/`..` segments, no
 * leading, trailing or doubled slashes, no backslashes or control characters.
 */
export function folderProblems(folder: string): string[] {
  const problems: string[] = [];
  if (folder.length === 0) problems.push('must not be empty (omit it, or send null to clear it)');
  if (folder.length > FOLDER_MAX_LENGTH) problems.push(`must be at most ${FOLDER_MAX_LENGTH} characters`);
  if (folder.startsWith('/')) problems.push('must not start with a slash');
  if (folder.endsWith('/') && folder.length > 1) problems.push('must not end with a slash');
  if (folder.includes('\\')) problems.push('must use / between folders, not \\');
  if (CONTROL.test(folder)) problems.push('must not contain control characters');
  const segments = folder.replace(/^\/+|\/+$/g, '').split('/');
  if (segments.length > FOLDER_MAX_DEPTH) problems.push(`must be at most ${FOLDER_MAX_DEPTH} levels deep`);
  if (folder.length > 0 && segments.some((s) => s === '')) problems.push('must not contain empty segments (//)');
  if (segments.some((s) => s === '.' || s === '..')) problems.push('must not contain . or .. segments');
  if (segments.some((s) => s !== s.trim())) problems.push('segments must not start or end with spaces');
  if (segments.some((s) => s.length > FOLDER_SEGMENT_MAX_LENGTH)) problems.push(`each segment must be at most ${FOLDER_SEGMENT_MAX_LENGTH} characters`);
  return problems;
}

/** Problems with one tag, empty when it is fine. */
export function tagProblems(tag: string): string[] {
  const problems: string[] = [];
  if (tag.trim().length === 0) problems.push('tags must not be empty');
  if (tag.length > TAG_MAX_LENGTH) problems.push(`each tag must be at most ${TAG_MAX_LENGTH} characters`);
  if (CONTROL.test(tag)) problems.push('tags must not contain control characters');
  return problems;
}

/**
 * Tags from multipart fields: repeated `tags` fields and/or comma-separated values, trimmed,
 * de-duplicated, in first-seen order.
 */
export function splitTags(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const t of v.split(',')) {
      const tag = t.trim();
      if (tag && !out.includes(tag)) out.push(tag);
    }
  }
  return out;
}

/**
 * The client's file name, made safe to show and to send back in Content-Disposition: the last
 * path segment only, no control or reserved characters, at most 255 characters with the
 * extension kept. Display only: storage keys never use it.
 */
export function sanitizeFilename(raw: string | undefined, fallbackExtension: string): string {
  const base = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = base
    .replace(new RegExp(CONTROL.source, 'g'), '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  if (!name) name = `upload.${fallbackExtension}`;
  // Counted in code points, as PostgreSQL counts varchar(255), so no surrogate pair is cut.
  const chars = [...name];
  if (chars.length > FILENAME_MAX_LENGTH) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : [];
    name = [...chars.slice(0, FILENAME_MAX_LENGTH - ext.length), ...ext].join('');
  }
  return name;
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
