import { PLATFORM_LIMITS } from './limits';
import { PLATFORMS } from './platform';
import { validate, xWeightedLength, type ContentMedia } from './validate';

const png = (sizeBytes = 100_000): ContentMedia => ({ kind: 'image', mimeType: 'image/png', sizeBytes, width: 1000, height: 1000 });
const jpeg = (over: Partial<ContentMedia> = {}): ContentMedia => ({ kind: 'image', mimeType: 'image/jpeg', sizeBytes: 100_000, width: 1080, height: 1080, url: 'https://cdn.example.test/a.jpg', ...over });
const mp4 = (over: Partial<ContentMedia> = {}): ContentMedia => ({ kind: 'video', mimeType: 'video/mp4', sizeBytes: 10_000_000, durationSec: 30, width: 1080, height: 1920, url: 'https://cdn.example.test/v.mp4', ...over });
const codes = (p: ReturnType<typeof validate>) => p.map((x) => x.code);

describe('limits table', () => {
  it('has one row per network, with text, media, rate limits and tokens', () => {
    for (const platform of PLATFORMS) {
      const l = PLATFORM_LIMITS[platform];
      expect(l.platform).toBe(platform);
      expect(l.text.maxLength).toBeGreaterThan(0);
      expect(l.media.maxItems).toBeGreaterThan(0);
      expect(l.tokens.accessTtlSec).toBeGreaterThan(0);
    }
    expect(PLATFORM_LIMITS.TWITTER.rateLimits).toEqual(expect.arrayContaining([expect.objectContaining({ limit: 10_000, scope: 'app' })]));
    expect(PLATFORM_LIMITS.TIKTOK.tokens.refreshRotates).toBe(true);
  });
});

describe('validate', () => {
  it('accepts content within the limits', () => {
    expect(validate('TWITTER', { text: 'hello', media: [png()] })).toEqual([]);
    expect(validate('LINKEDIN', { text: 'x'.repeat(3_000) })).toEqual([]);
    expect(validate('INSTAGRAM', { text: 'caption', media: [jpeg()] })).toEqual([]);
  });

  it('counts X text by weight: URLs 23, CJK and emoji 2', () => {
    expect(xWeightedLength('abc')).toBe(3);
    expect(xWeightedLength('see https://example.com/a/very/long/path/that/is/long')).toBe(4 + 23);
    expect(xWeightedLength('日本')).toBe(4);
    expect(xWeightedLength('👍')).toBe(2);
    expect(validate('TWITTER', { text: '日'.repeat(141) })).toEqual([expect.objectContaining({ code: 'TEXT_TOO_LONG', limit: 280, actual: 282 })]);
    expect(validate('TWITTER', { text: '日'.repeat(140) })).toEqual([]);
  });

  it('returns every problem at once, each naming the field', () => {
    const problems = validate('TWITTER', {
      text: 'a'.repeat(281),
      media: [png(6 * 1024 * 1024), png(), png(), png(), { kind: 'image', mimeType: 'image/tiff', sizeBytes: 10, width: 1, height: 1 }],
    });
    expect(codes(problems)).toEqual(['TEXT_TOO_LONG', 'TOO_MANY_MEDIA', 'MEDIA_TOO_LARGE', 'MEDIA_TYPE_UNSUPPORTED']);
    expect(problems.find((p) => p.code === 'MEDIA_TOO_LARGE')?.field).toBe('media[0]');
    expect(problems.every((p) => p.platform === 'TWITTER' && p.message.length > 10)).toBe(true);
  });

  it('rejects a video over X free-tier duration and media mixed on Facebook', () => {
    expect(codes(validate('TWITTER', { text: 'v', media: [mp4({ durationSec: 141 })] }))).toEqual(['VIDEO_TOO_LONG']);
    expect(codes(validate('FACEBOOK', { text: 'mix', media: [jpeg(), mp4()] }))).toEqual(['MIXED_MEDIA']);
    expect(codes(validate('FACEBOOK', { text: 'two videos', media: [mp4(), mp4()] }))).toEqual(['TOO_MANY_VIDEOS']);
  });

  it('requires media where the network does, and public URLs for Meta', () => {
    expect(codes(validate('INSTAGRAM', { text: 'no picture' }))).toEqual(['MEDIA_REQUIRED']);
    expect(codes(validate('TIKTOK', { text: 'no video' }))).toEqual(['MEDIA_REQUIRED']);
    expect(codes(validate('INSTAGRAM', { text: 'c', media: [jpeg({ url: undefined })] }))).toEqual(['PUBLIC_URL_REQUIRED']);
  });

  it('checks Instagram aspect ratio and width, and Reels duration', () => {
    expect(codes(validate('INSTAGRAM', { text: 'c', media: [jpeg({ width: 1080, height: 1920 })] }))).toEqual(['ASPECT_RATIO']);
    expect(codes(validate('INSTAGRAM', { text: 'c', media: [jpeg({ width: 300, height: 300 })] }))).toEqual(['TOO_NARROW']);
    expect(validate('INSTAGRAM', { text: 'c', media: [jpeg({ width: 1080, height: 1350 })] })).toEqual([]); // 4:5 is the lower bound
    expect(codes(validate('INSTAGRAM', { text: 'c', media: [mp4({ durationSec: 2 })] }))).toEqual(['VIDEO_TOO_SHORT']);
    expect(codes(validate('INSTAGRAM', { text: 'c', media: [mp4({ durationSec: undefined })] }))).toEqual(['DURATION_UNKNOWN']);
  });

  it('LinkedIn multi-image needs at least 2 images; Pinterest needs same-size images and video covers', () => {
    expect(validate('LINKEDIN', { text: 'one', media: [png()] })).toEqual([]);
    expect(validate('LINKEDIN', { text: 'two', media: [png(), png()] })).toEqual([]);
    expect(codes(validate('PINTEREST', { text: 'p', media: [png(), { ...png(), width: 500 }] }))).toEqual(['IMAGE_SIZES_DIFFER']);
    expect(codes(validate('PINTEREST', { text: 'p', media: [mp4()] }))).toEqual(['THUMBNAIL_REQUIRED']);
    expect(validate('PINTEREST', { text: 'p', media: [mp4({ hasThumbnail: true })] })).toEqual([]);
  });

  it('takes a stricter configured row, e.g. a Facebook text cap', () => {
    const capped = { ...PLATFORM_LIMITS.FACEBOOK, text: { maxLength: 5_000 } };
    expect(validate('FACEBOOK', { text: 'x'.repeat(6_000) })).toEqual([]);
    expect(validate('FACEBOOK', { text: 'x'.repeat(6_000) }, capped)).toEqual([expect.objectContaining({ code: 'TEXT_TOO_LONG', limit: 5_000 })]);
  });

  it('checks titles for YouTube and Reddit, and empty posts everywhere', () => {
    expect(codes(validate('YOUTUBE', { text: 'desc', media: [mp4()] }))).toEqual(['TITLE_REQUIRED']);
    expect(codes(validate('REDDIT', { text: 'body', title: 't'.repeat(301) }))).toEqual(['TITLE_TOO_LONG']);
    expect(codes(validate('THREADS', { text: '' }))).toEqual(['EMPTY']);
    expect(codes(validate('THREADS', { text: 'x'.repeat(501) }))).toEqual(['TEXT_TOO_LONG']);
  });
});
