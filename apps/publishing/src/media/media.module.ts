import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { MediaAssetsHttpController } from './media-assets.http-controller';
import { MediaInspector, VIDEO_FRAMES } from './media-inspector';
import { FfmpegFrameSource, type VideoFrameSource } from './video-frame';
import { MediaLimits } from './media-limits';
import { LocalDiskStorage, MediaStorage } from './media-storage';
import { MEDIA_CONFIG, type MediaConfig } from './media.config';
import { MediaService } from './media.service';
import { S3Storage, createS3Client } from './s3-media-storage';

/** Temp uploads older than this are leftovers of a crash (a live one is written to continuously). */
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

/** The media library: uploads, storage (local directory or S3), organisation, deletion rules. */
@Module({
  controllers: [MediaAssetsHttpController],
  providers: [
    { provide: MEDIA_CONFIG, inject: [APP_CONFIG], useFactory: (c: PublishingConfig) => c.media },
    {
      provide: MediaStorage,
      inject: [MEDIA_CONFIG],
      useFactory: (m: MediaConfig): MediaStorage => (m.storage.kind === 's3' ? new S3Storage(createS3Client(m.storage), m.storage.bucket) : new LocalDiskStorage(m.storage.dir)),
    },
    { provide: VIDEO_FRAMES, inject: [MEDIA_CONFIG], useFactory: (m: MediaConfig): VideoFrameSource | null => (m.ffmpegPath ? new FfmpegFrameSource(m.ffmpegPath) : null) },
    MediaInspector,
    MediaLimits,
    MediaService,
  ],
  // MediaService: the CSV import hands fetched media URLs to upload().
  exports: [MediaStorage, MEDIA_CONFIG, MediaService],
})
export class MediaModule implements OnModuleInit {
  constructor(
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A directory we cannot write stops start-up with its name (a read-only root filesystem, a missing volume). */
  async onModuleInit(): Promise<void> {
    const dirs = [this.config.tmpDir, ...(this.config.storage.kind === 'local' ? [this.config.storage.dir] : [])];
    for (const dir of dirs) {
      try {
        await mkdir(dir, { recursive: true });
        await access(dir, constants.W_OK);
      } catch (err) {
        throw new Error(`media directory ${dir} is not writable (MEDIA_DIR / MEDIA_TMP_DIR): ${(err as Error).message}`);
      }
    }
    // Uploads work without it; only video thumbnails need it, so say so once, not per upload.
    const ffmpeg = this.config.ffmpegPath;
    const usable = ffmpeg ? await access(ffmpeg, constants.X_OK).then(() => true, () => false) : false;
    if (!usable) this.logger.warn({ ffmpegPath: ffmpeg }, 'no executable ffmpeg (MEDIA_FFMPEG_PATH): videos get no thumbnail');
    const now = Date.now();
    for (const name of await readdir(this.config.tmpDir)) {
      if (!name.endsWith('.upload')) continue;
      const file = path.join(this.config.tmpDir, name);
      const info = await stat(file).catch(() => null);
      if (info && now - info.mtimeMs > STALE_UPLOAD_MS) await rm(file, { force: true });
    }
  }
}
