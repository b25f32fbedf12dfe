import type { MediaType } from '@lib/contracts';

/** Bytes of the file's start the sniffer needs (ISO-BMFF brands may follow a long ftyp). */
export const SNIFF_BYTES = 4096;

export interface SupportedMedia {
  supported: true;
  mimeType: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp' | 'video/mp4' | 'video/quicktime';
  type: MediaType;
  /** Extension of the stored original; never taken from the client's file name. */
  extension: 'jpg' | 'png' | 'gif' | 'webp' | 'mp4' | 'mov';
}

export interface UnsupportedMedia {
  supported: false;
  /** What the bytes look like, for the error message (`application/pdf`, `text/plain`, ...). */
  detected: string;
}

export type SniffResult = SupportedMedia | UnsupportedMedia;

const ascii = (buf: Buffer, start: number, end: number): string => buf.toString('latin1', start, Math.min(end, buf.length));
const startsWith = (buf: Buffer, bytes: number[], at = 0): boolean => buf.length >= at + bytes.length && bytes.every((b, i) => buf[at + i] === b);

// ISO-BMFF brands that are still images or audio, named so the refusal says what the file is.
const IMAGE_BRANDS: Record<string, string> = { heic: 'image/heic', heix: 'image/heic', heim: 'image/heic', heis: 'image/heic', hevc: 'image/heic', mif1: 'image/heif', msf1: 'image/heif', avif: 'image/avif', avis: 'image/avif' };
const AUDIO_BRANDS: Record<string, string> = { 'M4A ': 'audio/mp4', 'M4B ': 'audio/mp4', 'M4P ': 'audio/mp4', 'F4A ': 'audio/mp4' };
const OTHER_BRANDS: Record<string, string> = { '3gp4': 'video/3gpp', '3gp5': 'video/3gpp', '3gp6': 'video/3gpp', '3g2a': 'video/3gpp2', crx: 'image/x-canon-cr3', 'crx ': 'image/x-canon-cr3', jp2: 'image/jp2', 'jp2 ': 'image/jp2' };

/**
 * What a file is, from its first bytes (magic numbers), never from its name or the type the
 * client declared. Supported: JPEG, PNG, GIF, WebP, MP4 and QuickTime (ISO-BMFF `ftyp`).
 */
export function sniffMedia(head: Buffer): SniffResult {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { supported: true, mimeType: 'image/jpeg', type: 'IMAGE', extension: 'jpg' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { supported: true, mimeType: 'image/png', type: 'IMAGE', extension: 'png' };
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return { supported: true, mimeType: 'image/gif', type: 'GIF', extension: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { supported: true, mimeType: 'image/webp', type: 'IMAGE', extension: 'webp' };
  if (ascii(head, 4, 8) === 'ftyp') return sniffIsoBmff(head);
  return { supported: false, detected: describeUnsupported(head) };
}

/** `ftyp` box: major brand at 8, minor version at 12, compatible brands from 16 to the box's end. */
function sniffIsoBmff(head: Buffer): SniffResult {
  const boxSize = head.length >= 4 ? head.readUInt32BE(0) : 0;
  const end = Math.min(head.length, boxSize >= 16 ? boxSize : 16);
  const major = ascii(head, 8, 12);
  const brands = [major];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(head, at, at + 4));
  if (major === 'qt  ') return { supported: true, mimeType: 'video/quicktime', type: 'VIDEO', extension: 'mov' };
  const named = IMAGE_BRANDS[major] ?? AUDIO_BRANDS[major] ?? OTHER_BRANDS[major] ?? OTHER_BRANDS[major.trim()];
  if (named) return { supported: false, detected: named };
  const mp4 = brands.some((b) => /^(isom|iso[2-9a-f]|mp4[12v]|avc1|M4V |M4VH|M4VP|dash|mmp4|f4v |MSNV|XAVC)$/.test(b));
  if (mp4) return { supported: true, mimeType: 'video/mp4', type: 'VIDEO', extension: 'mp4' };
  if (brands.includes('qt  ')) return { supported: true, mimeType: 'video/quicktime', type: 'VIDEO', extension: 'mov' };
  return { supported: false, detected: `ISO media (brand '${major.trim() || '?'}')` };
}

function describeUnsupported(head: Buffer): string {
  if (head.length === 0) return 'an empty file';
  if (ascii(head, 0, 5) === '%PDF-') return 'application/pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'application/zip';
  if (ascii(head, 0, 2) === 'BM') return 'image/bmp';
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'image/tiff';
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00])) return 'image/x-icon';
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'AVI ') return 'video/x-msvideo';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(head, 0, 3) === 'ID3' || startsWith(head, [0xff, 0xfb])) return 'audio/mpeg';
  if (ascii(head, 0, 4) === 'OggS') return 'audio/ogg';
  if (startsWith(head, [0x1f, 0x8b])) return 'application/gzip';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'application/x-elf';
  if (ascii(head, 0, 2) === 'MZ') return 'application/x-msdownload';
  const text = head.toString('utf8');
  if (/^\s*<(\?xml|svg)[\s>]/i.test(text) && /<svg[\s>]/i.test(text)) return 'image/svg+xml';
  if (/^\s*<(!doctype html|html)[\s>]/i.test(text)) return 'text/html';
  if (looksLikeText(head)) return 'text/plain';
  return 'application/octet-stream';
}

function looksLikeText(head: Buffer): boolean {
  // `stream` holds back a multi-byte character cut at the end of the sample instead of flagging it.
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(head, { stream: true });
  // eslint-disable-next-line no-control-regex
  return !decoded.includes('\uFFFD') && !/[\x00-\x08\x0e-\x1f\x7f]/.test(decoded);
}
