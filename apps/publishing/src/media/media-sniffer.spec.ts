import { sniffMedia } from './media-sniffer';

const bytes = (...parts: (number[] | string)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
/** An `ftyp` box: major brand, minor version, compatible brands. */
const ftyp = (major: string, ...compatible: string[]): Buffer => bytes(be32(16 + 4 * compatible.length), 'ftyp', major, be32(0), compatible.join(''));

describe('sniffMedia: the type comes from the bytes', () => {
  it.each([
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF\0'), { mimeType: 'image/jpeg', type: 'IMAGE', extension: 'jpg' }],
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], 'IHDR'), { mimeType: 'image/png', type: 'IMAGE', extension: 'png' }],
    ['GIF87a', bytes('GIF87a', [1, 0, 1, 0]), { mimeType: 'image/gif', type: 'GIF', extension: 'gif' }],
    ['GIF89a', bytes('GIF89a', [1, 0, 1, 0]), { mimeType: 'image/gif', type: 'GIF', extension: 'gif' }],
    ['WebP', bytes('RIFF', be32(100), 'WEBPVP8 '), { mimeType: 'image/webp', type: 'IMAGE', extension: 'webp' }],
    ['MP4 (isom)', ftyp('isom', 'isom', 'iso2', 'avc1', 'mp41'), { mimeType: 'video/mp4', type: 'VIDEO', extension: 'mp4' }],
    ['MP4 (mp42)', ftyp('mp42', 'mp42', 'isom'), { mimeType: 'video/mp4', type: 'VIDEO', extension: 'mp4' }],
    ['MP4 with an unknown major brand but an MP4 compatible one', ftyp('abcd', 'abcd', 'mp41'), { mimeType: 'video/mp4', type: 'VIDEO', extension: 'mp4' }],
    ['iPhone M4V', ftyp('M4V ', 'M4V ', 'M4A ', 'mp42', 'isom'), { mimeType: 'video/mp4', type: 'VIDEO', extension: 'mp4' }],
    ['QuickTime', ftyp('qt  ', 'qt  '), { mimeType: 'video/quicktime', type: 'VIDEO', extension: 'mov' }],
  ])('%s is supported', (_name, head, expected) => {
    expect(sniffMedia(head)).toEqual({ supported: true, ...expected });
  });

  it.each([
    ['HEIC photo', ftyp('heic', 'mif1', 'heic'), 'image/heic'],
    ['HEIF still', ftyp('mif1', 'mif1', 'heic'), 'image/heif'],
    ['AVIF', ftyp('avif', 'avif', 'mif1', 'miaf'), 'image/avif'],
    ['M4A audio', ftyp('M4A ', 'M4A ', 'mp42', 'isom'), 'audio/mp4'],
    ['3GP video', ftyp('3gp4', '3gp4', 'isom'), 'video/3gpp'],
    ['ISO media of no known brand', ftyp('zzzz', 'zzzz'), "ISO media (brand 'zzzz')"],
    ['plain text', bytes('hello, this is not a picture\n'), 'text/plain'],
    ['UTF-8 text', Buffer.from('Grüße aus Köln — ça va ? 🎉\n', 'utf8'), 'text/plain'],
    ['PDF', bytes('%PDF-1.7\n'), 'application/pdf'],
    ['ZIP', bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0]), 'application/zip'],
    ['SVG', bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/svg+xml'],
    ['HTML', bytes('<!DOCTYPE html><html></html>'), 'text/html'],
    ['BMP', bytes('BM', be32(1234)), 'image/bmp'],
    ['TIFF', bytes([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), 'image/tiff'],
    ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]), 'video/webm'],
    ['WAV (RIFF but not WEBP)', bytes('RIFF', be32(100), 'WAVEfmt '), 'audio/wav'],
    ['an ELF binary', bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), 'application/x-elf'],
    ['random binary', bytes([0x00, 0x13, 0x37, 0xfe, 0x01, 0x02, 0x00, 0x9a]), 'application/octet-stream'],
    ['an empty file', Buffer.alloc(0), 'an empty file'],
    ['a JPEG cut after two bytes', bytes([0xff, 0xd8]), 'application/octet-stream'],
    ['a GIF of no known version', bytes('GIF89b', [1, 0, 1, 0]), 'application/octet-stream'],
  ])('%s is refused, named as what it is', (_name, head, detected) => {
    expect(sniffMedia(head)).toEqual({ supported: false, detected });
  });
});
