import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { MediaModule } from '../media/media.module';
import { BulkHttpController } from './bulk.http-controller';
import { ImportReferencesLoader } from './import-references.loader';
import { MediaUrlImporter } from './media-url.importer';
import { PostImportsService } from './post-imports.service';
import { PostImportsWorker } from './post-imports.worker';
import { PostsExportService } from './posts-export.service';
import { RunImportService } from './run-import.service';

const CSV_TYPES = ['text/csv', 'application/csv'];

/** CSV import (in the background, resumable) and CSV export of posts. */
@Module({
  imports: [MediaModule],
  controllers: [BulkHttpController],
  providers: [PostImportsService, PostImportsWorker, RunImportService, ImportReferencesLoader, PostsExportService, MediaUrlImporter],
})
export class BulkModule implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: PublishingConfig,
  ) {}

  /**
   * A CSV body as one string, with its own size limit: the service's JSON limit (1 MB) is far
   * too small for 10,000 rows. Registered before the server listens.
   */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || fastify.hasContentTypeParser('text/csv')) return;
    fastify.addContentTypeParser(CSV_TYPES, { parseAs: 'string', bodyLimit: this.config.bulk.maxBytes }, (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) =>
      done(null, typeof body === 'string' ? body : body.toString('utf8')),
    );
  }
}
