import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@lib/contracts';
import { APP_CONFIG } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { MediaService, type UploadPart } from '../media/media.service';
import type { Actor } from '../posts/posts.service';
import { contentMediaOf } from '../scheduler/publish-queue';
import type { MediaRef } from './import-row.validator';
import { MediaFetchError, MediaUrlFetcher } from './media-url.fetcher';

/** A URL that did not become a media asset; the message is for the row report. */
export class MediaIngestError extends Error {}

/**
 * Media named by URL in an import: fetched (see MediaUrlFetcher) and handed to the media library
 * as an upload of the importing user, so the library's own rules apply (type sniffed from the
 * bytes, the plan's size limit, thumbnails, audit entry).
 */
@Injectable()
export class MediaUrlImporter implements OnModuleDestroy {
  private readonly fetcher: MediaUrlFetcher;

  constructor(
    private readonly media: MediaService,
    @Inject(APP_CONFIG) config: PublishingConfig,
  ) {
    this.fetcher = new MediaUrlFetcher({ timeoutMs: config.bulk.mediaFetchTimeoutMs, maxBytes: config.media.maxUploadBytes, allowPrivate: config.bulk.mediaFetchAllowPrivate });
  }

  async onModuleDestroy(): Promise<void> {
    await this.fetcher.close();
  }

  async ingest(actor: Actor, url: string): Promise<MediaRef> {
    let opened: Awaited<ReturnType<MediaUrlFetcher['open']>>;
    try {
      opened = await this.fetcher.open(url);
    } catch (err) {
      throw new MediaIngestError(err instanceof MediaFetchError ? err.message : 'the download failed');
    }
    const { stream, filename } = opened;
    async function* parts(): AsyncGenerator<UploadPart> {
      yield { kind: 'file', name: 'file', filename, stream };
    }
    try {
      const asset = await this.media.upload(actor, parts());
      return { id: asset.id, media: contentMediaOf(asset) };
    } catch (err) {
      stream.destroy();
      if (err instanceof MediaFetchError) throw new MediaIngestError(err.message);
      if (err instanceof DomainError) {
        const detail = typeof err.details?.detail === 'string' ? `: ${err.details.detail}` : '';
        throw new MediaIngestError(`${err.message}${detail}`);
      }
      throw err;
    }
  }
}
