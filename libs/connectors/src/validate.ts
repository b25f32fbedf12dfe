import { PLATFORM_LIMITS, type MediaKind, type PlatformLimits } from './limits';
import type { Platform } from './platform';

/** What is known about one media file before it is sent. */
export interface ContentMedia {
  kind: MediaKind;
  mimeType: string;
  sizeBytes: number;
  durationSec?: number;
  width?: number;
  height?: number;
  /** Public URL, for networks that fetch media themselves (Meta). */
  url?: string;
  /** A cover/thumbnail image is attached (Pinterest and Reddit videos need one). */
  hasThumbnail?: boolean;
}

export interface PostContent {
  text: string;
  title?: string;
  media?: readonly ContentMedia[];
}

export interface ContentProblem {
  platform: Platform;
  /** `text`, `title`, `media`, or `media[i]`. */
  field: string;
  /** Stable code, e.g. `TEXT_TOO_LONG`. */
  code: string;
  message: string;
  limit?: number;
  actual?: number;
}

const URL_RE = /https?:\/\/[^\s]+/g;
const X_URL_WEIGHT = 23;

/**
 * X counts text by weight, not code points (twitter-text v3): characters in a few Latin and
 * punctuation ranges count 1, everything else (CJK, emoji…) 2, and every URL 23.
 */
export function xWeightedLength(text: string): number {
  let length = 0;
  const withoutUrls = text.replace(URL_RE, () => {
    length += X_URL_WEIGHT;
    return '';
  });
  for (const ch of withoutUrls) {
    const cp = ch.codePointAt(0) ?? 0;
    const light = cp <= 4351 || (cp >= 8192 && cp <= 8205) || (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247);
    length += light ? 1 : 2;
  }
  return length;
}

/** Length as the network counts it. */
export function textLength(platform: Platform, text: string): number {
  return platform === 'TWITTER' ? xWeightedLength(text) : [...text].length;
}

/**
 * Every problem the content has for the network (empty when it can be scheduled). `limits`
 * defaults to the network's row; pass a stricter copy for a configured cap (e.g. Facebook text).
 */
export function validate(platform: Platform, content: PostContent, limits: PlatformLimits = PLATFORM_LIMITS[platform]): ContentProblem[] {
  const l = limits;
  const problems: ContentProblem[] = [];
  const add = (field: string, code: string, message: string, limit?: number, actual?: number): void => {
    problems.push({ platform, field, code, message, limit, actual });
  };
  const media = content.media ?? [];

  const length = textLength(platform, content.text);
  if (length > l.text.maxLength) {
    add('text', 'TEXT_TOO_LONG', `${platform} allows ${l.text.maxLength} characters; this text has ${length}`, l.text.maxLength, length);
  }
  if (length === 0 && media.length === 0) add('text', 'EMPTY', `${platform} needs text or media`);
  if (l.text.titleRequired && !content.title?.trim()) add('title', 'TITLE_REQUIRED', `${platform} needs a title`);
  if (content.title !== undefined && l.text.maxTitleLength !== undefined && [...content.title].length > l.text.maxTitleLength) {
    add('title', 'TITLE_TOO_LONG', `${platform} allows a ${l.text.maxTitleLength}-character title`, l.text.maxTitleLength, [...content.title].length);
  }

  if (l.media.required && media.length === 0) add('media', 'MEDIA_REQUIRED', `${platform} posts need at least one media file`);
  if (media.length > l.media.maxItems) {
    add('media', 'TOO_MANY_MEDIA', `${platform} allows ${l.media.maxItems} media files per post; this post has ${media.length}`, l.media.maxItems, media.length);
  }
  const videos = media.filter((m) => m.kind === 'video').length;
  const images = media.length - videos;
  if (videos > l.media.maxVideos) {
    add('media', 'TOO_MANY_VIDEOS', `${platform} allows ${l.media.maxVideos} video(s) per post`, l.media.maxVideos, videos);
  }
  if (!l.media.allowMixed && videos > 0 && images > 0) add('media', 'MIXED_MEDIA', `${platform} does not mix videos and images in one post`);
  if (l.media.minImagesForMulti !== undefined && images > 1 && images < l.media.minImagesForMulti) {
    add('media', 'TOO_FEW_IMAGES', `${platform} multi-image posts need at least ${l.media.minImagesForMulti} images`, l.media.minImagesForMulti, images);
  }
  if (l.media.sameImageSize) {
    const sizes = new Set(media.filter((m) => m.kind !== 'video' && m.width && m.height).map((m) => `${m.width}x${m.height}`));
    if (sizes.size > 1) add('media', 'IMAGE_SIZES_DIFFER', `${platform} needs every image of a post to have the same size`);
  }

  media.forEach((m, i) => {
    const field = `media[${i}]`;
    const k = l.media.kinds[m.kind];
    if (!k) {
      add(field, 'MEDIA_KIND_UNSUPPORTED', `${platform} does not accept ${m.kind} media here`);
      return;
    }
    if (!k.mimeTypes.includes(m.mimeType)) add(field, 'MEDIA_TYPE_UNSUPPORTED', `${platform} does not accept ${m.mimeType} for ${m.kind} (accepted: ${k.mimeTypes.join(', ')})`);
    if (m.sizeBytes > k.maxBytes) add(field, 'MEDIA_TOO_LARGE', `${platform} allows ${m.kind} files up to ${k.maxBytes} bytes; this one has ${m.sizeBytes}`, k.maxBytes, m.sizeBytes);
    if (m.kind === 'video') {
      if (m.durationSec === undefined && (k.minDurationSec !== undefined || k.maxDurationSec !== undefined)) {
        add(field, 'DURATION_UNKNOWN', `${platform} limits video duration; the duration of this video is unknown`);
      }
      if (m.durationSec !== undefined && k.minDurationSec !== undefined && m.durationSec < k.minDurationSec) {
        add(field, 'VIDEO_TOO_SHORT', `${platform} needs videos of at least ${k.minDurationSec} s`, k.minDurationSec, m.durationSec);
      }
      if (m.durationSec !== undefined && k.maxDurationSec !== undefined && m.durationSec > k.maxDurationSec) {
        add(field, 'VIDEO_TOO_LONG', `${platform} allows videos up to ${k.maxDurationSec} s`, k.maxDurationSec, m.durationSec);
      }
      if (l.media.videoNeedsThumbnail && !m.hasThumbnail) add(field, 'THUMBNAIL_REQUIRED', `${platform} videos need a cover image`);
    }
    if (m.width !== undefined && m.height !== undefined && m.height > 0) {
      const aspect = m.width / m.height;
      const eps = 0.01;
      if ((k.minAspect !== undefined && aspect < k.minAspect - eps) || (k.maxAspect !== undefined && aspect > k.maxAspect + eps)) {
        add(field, 'ASPECT_RATIO', `${platform} needs ${m.kind} aspect ratios between ${k.minAspect?.toFixed(2)} and ${k.maxAspect?.toFixed(2)}; this one is ${aspect.toFixed(2)}`);
      }
      if (k.minWidth !== undefined && m.width < k.minWidth) add(field, 'TOO_NARROW', `${platform} needs ${m.kind} width of at least ${k.minWidth} px`, k.minWidth, m.width);
      if (k.maxWidth !== undefined && m.width > k.maxWidth) add(field, 'TOO_WIDE', `${platform} accepts ${m.kind} width up to ${k.maxWidth} px`, k.maxWidth, m.width);
    } else if (k.minAspect !== undefined || k.minWidth !== undefined) {
      add(field, 'DIMENSIONS_UNKNOWN', `${platform} limits ${m.kind} dimensions; the dimensions of this file are unknown`);
    }
    if (l.media.publicUrlRequired && !m.url) add(field, 'PUBLIC_URL_REQUIRED', `${platform} fetches media from a public URL; this file has none`);
  });
  return problems;
}
