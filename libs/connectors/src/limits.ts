import type { Platform } from './platform';

// Every number the connectors respect, one row per network, from the project's PLATFORMS.md
// (itself from each network's developer documentation). Networks change these: re-check the
// network's docs and update only this table. "verify" in PLATFORMS.md is noted in `notes`.

export type MediaKind = 'image' | 'gif' | 'video';

export interface MediaKindLimits {
  /** Largest file in bytes. */
  maxBytes: number;
  /** Accepted MIME types. */
  mimeTypes: readonly string[];
  minDurationSec?: number;
  maxDurationSec?: number;
  /** Width / height bounds (aspect = width / height). */
  minAspect?: number;
  maxAspect?: number;
  minWidth?: number;
  maxWidth?: number;
}

export interface RateLimit {
  /** Calls allowed in the window. */
  limit: number;
  windowMs: number;
  /** `app`: shared by every connected account of our app (one exhausts it for all); `account`: per user/page/profile. */
  scope: 'app' | 'account';
  /** What the limit counts, e.g. `POST /2/tweets`. */
  what: string;
  /** Every publish spends one call of this limit: the publisher budgets its sends against it. */
  publishes?: true;
}

export interface PlatformLimits {
  platform: Platform;
  text: {
    /** Longest post text (caption, commentary, body, description) in characters. */
    maxLength: number;
    /** Title, for networks that have one (YouTube, Reddit). */
    maxTitleLength?: number;
    /** Whether a title is required. */
    titleRequired?: boolean;
  };
  media: {
    /** Items in one post (images in a carousel, photos in a Facebook post…). */
    maxItems: number;
    /** Some networks post nothing without media (TikTok, YouTube, Pinterest, Instagram). */
    required: boolean;
    /** Whether images and videos can be mixed in one post. */
    allowMixed: boolean;
    /** Videos per post (Facebook: 1, never mixed with photos). */
    maxVideos: number;
    /** Fewest images for a multi-image post (LinkedIn: 2). */
    minImagesForMulti?: number;
    /** The network fetches media from a public URL (Meta) instead of accepting bytes. */
    publicUrlRequired: boolean;
    /** A video needs a cover/thumbnail image (Pinterest, Reddit). */
    videoNeedsThumbnail?: boolean;
    /** Every image in a post must have the same dimensions (Pinterest). */
    sameImageSize?: boolean;
    /** Size of one chunk for chunked uploads, bytes. */
    uploadChunkBytes?: number;
    kinds: Partial<Record<MediaKind, MediaKindLimits>>;
  };
  rateLimits: readonly RateLimit[];
  tokens: {
    /** Access token lifetime in seconds (as documented; the token answer's `expires_in` wins). */
    accessTtlSec: number;
    /** Refresh token lifetime in seconds, if the network issues refresh tokens. */
    refreshTtlSec?: number;
    /** The network returns a new refresh token on refresh and invalidates the old one. */
    refreshRotates: boolean;
    /** Refresh tokens are issued only with this scope or flag. */
    refreshRequires?: string;
    pkce: boolean;
  };
  /** Back-off when the network throttles without saying until when. */
  defaultThrottleBackoffMs: number;
  notes?: readonly string[];
}

const MB = 1024 * 1024;
const GB = 1024 * MB;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const DAY_SEC = 86_400;

const JPEG_PNG = ['image/jpeg', 'image/png'] as const;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
const VIDEO_TYPES = ['video/mp4', 'video/quicktime'] as const;

export const PLATFORM_LIMITS: Readonly<Record<Platform, PlatformLimits>> = {
  TWITTER: {
    platform: 'TWITTER',
    text: { maxLength: 280 },
    media: {
      maxItems: 4,
      required: false,
      allowMixed: false,
      maxVideos: 1,
      publicUrlRequired: false,
      uploadChunkBytes: 1 * MB,
      kinds: {
        image: { maxBytes: 5 * MB, mimeTypes: IMAGE_TYPES },
        gif: { maxBytes: 15 * MB, mimeTypes: ['image/gif'] },
        video: { maxBytes: 512 * MB, mimeTypes: ['video/mp4'], maxDurationSec: 140 },
      },
    },
    rateLimits: [
      { what: 'POST /2/tweets', limit: 100, windowMs: 15 * MIN, scope: 'account', publishes: true },
      { what: 'POST /2/tweets', limit: 10_000, windowMs: DAY, scope: 'app', publishes: true },
    ],
    tokens: { accessTtlSec: 2 * 3600, refreshRotates: true, refreshRequires: 'offline.access', pkce: true },
    defaultThrottleBackoffMs: 15 * MIN,
    notes: ['280 characters on the free tier; paid tiers allow longer posts', 'video 140 s on the free tier'],
  },
  FACEBOOK: {
    platform: 'FACEBOOK',
    // The network allows 63,206; this is the configurable sane cap PLATFORMS.md asks for.
    text: { maxLength: 63_206 },
    media: {
      maxItems: 10,
      required: false,
      allowMixed: false,
      maxVideos: 1,
      publicUrlRequired: true,
      kinds: {
        image: { maxBytes: 10 * MB, mimeTypes: [...IMAGE_TYPES, 'image/gif'] },
        video: { maxBytes: 4 * GB, mimeTypes: VIDEO_TYPES },
      },
    },
    // Meta throttles by usage percentage (x-app-usage, x-business-use-case-usage), not by a count.
    rateLimits: [],
    tokens: { accessTtlSec: 60 * DAY_SEC, refreshRotates: false, pkce: false },
    defaultThrottleBackoffMs: HOUR,
    notes: ['up to 10 photos or 1 video, never mixed', 'back off before usage reaches 100%', 'page tokens derive from the long-lived user token'],
  },
  INSTAGRAM: {
    platform: 'INSTAGRAM',
    text: { maxLength: 2_200 },
    media: {
      maxItems: 10,
      required: true,
      allowMixed: true,
      maxVideos: 10,
      publicUrlRequired: true,
      kinds: {
        image: { maxBytes: 8 * MB, mimeTypes: ['image/jpeg'], minAspect: 4 / 5, maxAspect: 1.91, minWidth: 320, maxWidth: 1_440 },
        video: { maxBytes: 1 * GB, mimeTypes: VIDEO_TYPES, minDurationSec: 3, maxDurationSec: 15 * 60, minAspect: 9 / 16, maxAspect: 9 / 16 },
      },
    },
    // Publishing quota is read live from GET /{ig-user-id}/content_publishing_limit (a carousel counts 1).
    rateLimits: [],
    tokens: { accessTtlSec: 60 * DAY_SEC, refreshRotates: false, refreshRequires: 'ig_refresh_token after 24 h', pkce: false },
    defaultThrottleBackoffMs: HOUR,
    notes: ['hashtag/mention caps: verify', 'Reels 9:16', 'video size cap: verify'],
  },
  THREADS: {
    platform: 'THREADS',
    text: { maxLength: 500 },
    media: {
      maxItems: 10,
      required: false,
      allowMixed: true,
      maxVideos: 10,
      publicUrlRequired: true,
      kinds: { image: { maxBytes: 8 * MB, mimeTypes: JPEG_PNG }, video: { maxBytes: 1 * GB, mimeTypes: VIDEO_TYPES } },
    },
    rateLimits: [
      { what: 'posts', limit: 250, windowMs: DAY, scope: 'account', publishes: true },
      { what: 'replies', limit: 1_000, windowMs: DAY, scope: 'account' },
    ],
    tokens: { accessTtlSec: 60 * DAY_SEC, refreshRotates: false, refreshRequires: 'th_refresh_token', pkce: false },
    defaultThrottleBackoffMs: HOUR,
    notes: ['short-lived token 1 h, exchanged for a 60-day one', 'media sizes: verify'],
  },
  LINKEDIN: {
    platform: 'LINKEDIN',
    text: { maxLength: 3_000 },
    media: {
      maxItems: 20,
      required: false,
      allowMixed: false,
      maxVideos: 1,
      minImagesForMulti: 2,
      publicUrlRequired: false,
      kinds: {
        image: { maxBytes: 5 * MB, mimeTypes: [...JPEG_PNG, 'image/gif'] },
        video: { maxBytes: 500 * MB, mimeTypes: ['video/mp4'], minDurationSec: 3, maxDurationSec: 30 * 60 },
      },
    },
    rateLimits: [{ what: 'posts', limit: 150, windowMs: DAY, scope: 'account', publishes: true }],
    tokens: { accessTtlSec: 60 * DAY_SEC, refreshTtlSec: 365 * DAY_SEC, refreshRotates: false, refreshRequires: 'approved partner program', pkce: false },
    // LinkedIn's daily limits reset at midnight UTC; used only when a 429 has no Retry-After.
    defaultThrottleBackoffMs: HOUR,
    notes: ['~150 posts/day per member', 'every /rest call needs Linkedin-Version: YYYYMM (old versions answer 426)', 'multi-image max count: verify'],
  },
  TIKTOK: {
    platform: 'TIKTOK',
    text: { maxLength: 2_200 },
    media: {
      maxItems: 35,
      required: true,
      allowMixed: false,
      maxVideos: 1,
      publicUrlRequired: false,
      uploadChunkBytes: 10 * MB, // chunks must be 5–64 MB, sent in order
      kinds: {
        image: { maxBytes: 20 * MB, mimeTypes: ['image/jpeg', 'image/webp'] },
        // 10 min is the ceiling; the real one is creator_info.max_video_post_duration_sec.
        video: { maxBytes: 4 * GB, mimeTypes: ['video/mp4', 'video/quicktime', 'video/webm'], minDurationSec: 3, maxDurationSec: 10 * 60 },
      },
    },
    rateLimits: [
      { what: 'video init', limit: 6, windowMs: MIN, scope: 'account', publishes: true },
      { what: 'creator_info', limit: 20, windowMs: MIN, scope: 'account' },
      { what: 'status fetch', limit: 30, windowMs: MIN, scope: 'account' },
    ],
    tokens: { accessTtlSec: 2 * 3600, refreshRotates: true, pkce: true },
    defaultThrottleBackoffMs: MIN,
    notes: ['access token 2 h: verify', 'unaudited apps may post SELF_ONLY only', 'photo size: verify'],
  },
  YOUTUBE: {
    platform: 'YOUTUBE',
    text: { maxLength: 5_000, maxTitleLength: 100, titleRequired: true },
    media: {
      maxItems: 1,
      required: true,
      allowMixed: false,
      maxVideos: 1,
      publicUrlRequired: false,
      kinds: { video: { maxBytes: 256 * GB, mimeTypes: ['video/mp4', 'video/quicktime', 'video/webm', 'video/x-msvideo'] } },
    },
    // A daily project quota in units (videos.insert is expensive), not a call count.
    rateLimits: [],
    tokens: { accessTtlSec: 3600, refreshRotates: false, pkce: true },
    defaultThrottleBackoffMs: DAY,
    notes: ['unverified projects upload as private', 'never overwrite a stored refresh token with an empty one'],
  },
  PINTEREST: {
    platform: 'PINTEREST',
    text: { maxLength: 500 },
    media: {
      maxItems: 5,
      required: true,
      allowMixed: false,
      maxVideos: 1,
      publicUrlRequired: false,
      videoNeedsThumbnail: true,
      sameImageSize: true,
      kinds: { image: { maxBytes: 20 * MB, mimeTypes: JPEG_PNG }, video: { maxBytes: 2 * GB, mimeTypes: VIDEO_TYPES } },
    },
    rateLimits: [{ what: 'requests (trial app)', limit: 1_000, windowMs: DAY, scope: 'app' }],
    tokens: { accessTtlSec: 30 * DAY_SEC, refreshTtlSec: 365 * DAY_SEC, refreshRotates: false, pkce: false },
    defaultThrottleBackoffMs: HOUR,
    notes: ['standard apps: per-user per-app limits', 'file sizes: verify'],
  },
  REDDIT: {
    platform: 'REDDIT',
    text: { maxLength: 40_000, maxTitleLength: 300, titleRequired: true },
    media: {
      maxItems: 1,
      required: false,
      allowMixed: false,
      maxVideos: 1,
      publicUrlRequired: false,
      videoNeedsThumbnail: true,
      kinds: { image: { maxBytes: 20 * MB, mimeTypes: [...JPEG_PNG, 'image/gif'] }, video: { maxBytes: 1 * GB, mimeTypes: VIDEO_TYPES } },
    },
    rateLimits: [{ what: 'queries per OAuth client', limit: 100, windowMs: MIN, scope: 'app' }],
    tokens: { accessTtlSec: 3600, refreshRotates: false, refreshRequires: 'duration=permanent', pkce: false },
    defaultThrottleBackoffMs: MIN,
    notes: ['a unique User-Agent is required', 'file sizes: verify'],
  },
};

export function limitsFor(platform: Platform): PlatformLimits {
  return PLATFORM_LIMITS[platform];
}
