import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { LOGGER } from '@lib/service-kit';
import type { SupportedMedia } from './media-sniffer';
import { Mp4ParseError, parseMp4, withFileSource } from './mp4-parser';
import type { VideoFrameSource } from './video-frame';

/** Decodes video frames for thumbnails; absent where no ffmpeg is available. */
export const VIDEO_FRAMES = Symbol('VIDEO_FRAMES');

export const THUMBNAIL_SIZE = 320;

export interface Inspection {
  dimensions: { width: number; height: number } | null;
  /** Whole seconds, rounded up (a 60.2 s clip must not pass a 60 s network limit). */
  duration: number | null;
  /** WebP thumbnail: the image itself, or a video's frame at 1 s (its middle when shorter). */
  thumbnail: { data: Buffer; width: number; height: number } | null;
  /** Facts for `metadata`: frames, codecs, exact duration, ... */
  facts: Record<string, unknown>;
}

/** The file is of a supported type but cannot be read as one. */
export class UnreadableMediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableMediaError';
  }
}

// Uploads are all different: the decoded-image cache would only hold memory.
sharp.cache(false);

/** Dimensions, duration and thumbnail of a stored upload, from its content. */
@Injectable()
export class MediaInspector {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(VIDEO_FRAMES) private readonly frames: VideoFrameSource | null = null,
  ) {}

  async inspect(file: string, media: SupportedMedia): Promise<Inspection> {
    return media.type === 'VIDEO' ? this.video(file) : this.image(file, media);
  }

  private async image(file: string, media: SupportedMedia): Promise<Inspection> {
    let meta: sharp.Metadata;
    try {
      meta = await sharp(file).metadata();
    } catch (err) {
      throw new UnreadableMediaError(`not a readable ${media.mimeType} image (${(err as Error).message})`);
    }
    const expected = media.mimeType.replace('image/', '');
    if (meta.format !== expected && !(expected === 'jpeg' && meta.format === 'jpg')) {
      throw new UnreadableMediaError(`the content decodes as ${meta.format}, not ${expected}`);
    }
    const frames = meta.pages ?? 1;
    const width = meta.autoOrient?.width ?? meta.width;
    const height = frames > 1 ? (meta.pageHeight ?? meta.height) : (meta.autoOrient?.height ?? meta.height);
    let thumbnail: Inspection['thumbnail'];
    try {
      thumbnail = await thumbnailOf(file);
    } catch (err) {
      throw new UnreadableMediaError(`the ${media.mimeType} image cannot be decoded (${(err as Error).message})`);
    }
    const facts: Record<string, unknown> = {};
    if (frames > 1) {
      facts.frames = frames;
      if (meta.delay?.length) facts.animationMs = meta.delay.reduce((a, b) => a + b, 0);
    }
    return { dimensions: { width, height }, duration: null, thumbnail, facts };
  }

  private async video(file: string): Promise<Inspection> {
    let info;
    try {
      info = await withFileSource(file, parseMp4);
    } catch (err) {
      if (err instanceof Mp4ParseError) throw new UnreadableMediaError(`not a readable MP4/QuickTime file: ${err.message}`);
      throw err;
    }
    if (!info.hasVideo || info.width === null || info.height === null) {
      throw new UnreadableMediaError('the file has no video track (audio-only files are not supported)');
    }
    const facts: Record<string, unknown> = { hasAudio: info.hasAudio };
    if (info.videoCodec) facts.videoCodec = info.videoCodec;
    if (info.audioCodec) facts.audioCodec = info.audioCodec;
    if (info.durationSeconds !== null) facts.durationMs = Math.round(info.durationSeconds * 1000);
    return {
      dimensions: { width: info.width, height: info.height },
      duration: info.durationSeconds === null ? null : Math.ceil(info.durationSeconds - 1e-9),
      thumbnail: await this.videoThumbnail(file, info.durationSeconds),
      facts,
    };
  }

  /**
   * A video whose frames cannot be decoded (a codec this ffmpeg lacks) is still a valid upload:
   * the networks decide what they play. It gets no thumbnail, and the reason is logged.
   */
  private async videoThumbnail(file: string, durationSeconds: number | null): Promise<Inspection['thumbnail']> {
    if (!this.frames) return null;
    const at = durationSeconds === null ? 0 : Math.min(1, durationSeconds / 2);
    try {
      return await thumbnailOf(await this.frames.frameAt(file, at));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, atSeconds: at }, 'no thumbnail for a video: its frame could not be decoded');
      return null;
    }
  }
}

/** A WebP at most THUMBNAIL_SIZE on its longer side, upright (EXIF orientation applied). */
async function thumbnailOf(input: string | Buffer): Promise<NonNullable<Inspection['thumbnail']>> {
  const { data, info } = await sharp(input)
    .rotate()
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
