import { createHash } from 'node:crypto';
import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPermission, CurrentSubject, Requires, evaluate, type Decision, type PermissionSubject } from '@lib/permissions';
import { APP_CONFIG, StreamedIdempotency } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { answeringEarly } from '../media/media.multipart';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { csvFromForm } from './csv-upload';
import { ExportPostsRequest, ImportIdParam, ImportRowsRequest, ListImportsRequest, StartImportRequest } from './dto/bulk.requests';
import type { ImportGrants } from './post-import.entity';
import { PostImportsService } from './post-imports.service';
import { PostsExportService } from './posts-export.service';

/**
 * What the caller may do with the rows, fixed when the import starts: posts:create (maybe
 * narrowed to some networks), posts:publish, which scheduling a row needs, and media:create,
 * which media URLs need.
 */
export function importGrants(subject: PermissionSubject, create: Decision | null): ImportGrants {
  const publish = evaluate(subject, 'posts', 'publish');
  return {
    createPlatforms: create?.allowed ? (create.conditions?.platforms ?? null) : null,
    publish: publish.allowed ? { platforms: publish.conditions?.platforms ?? null } : null,
    role: subject.role,
    mediaCreate: evaluate(subject, 'media', 'create').allowed,
  };
}

@Controller('api/v1/posts')
export class BulkHttpController {
  constructor(
    private readonly imports: PostImportsService,
    private readonly exports: PostsExportService,
    @Inject(APP_CONFIG) private readonly config: PublishingConfig,
    private readonly idempotency: StreamedIdempotency,
  ) {}

  /**
   * The CSV is the body (text/csv), or the `file` part of a multipart form (a browser's file
   * input); 202 at once, the rows are checked and created in the background.
   */
  @Post('imports')
  @HttpCode(202)
  @Requires('posts', 'create')
  async startImport(
    @CurrentActor() actor: Actor,
    @CurrentSubject() s: PermissionSubject,
    @CurrentPermission() p: Decision | null,
    @Query() q: StartImportRequest,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const start = async (csv: unknown) => {
      const started = await this.imports.start(actor, importGrants(s, p), csv, q);
      void reply.header('location', `/api/v1/posts/imports/${started.id}`);
      return started;
    };
    if (!req.isMultipart()) return start(body);
    const csv = await answeringEarly(req, () => csvFromForm(req, this.config.bulk.maxBytes));
    // Idempotency-Key on a form: the file's content is the fingerprint (a plain body's is taken before the route).
    const digest = createHash('sha256').update(csv).digest('hex');
    return this.idempotency.run(req, reply, actor.userId, digest, 202, () => start(csv));
  }

  @Get('imports')
  @Requires('posts', 'read')
  listImports(@CurrentActor() actor: Actor, @Query() q: ListImportsRequest) {
    return this.imports.list(actor, q);
  }

  /** Progress, and the row-by-row report a page at a time. */
  @Get('imports/:id')
  @Requires('posts', 'read')
  getImport(@CurrentActor() actor: Actor, @Param() param: ImportIdParam, @Query() q: ImportRowsRequest) {
    return this.imports.get(actor, param.id, q);
  }

  /** The posts list's filters; every matching post, streamed as it is read. */
  @Get('export')
  @Requires('posts', 'read')
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('content-disposition', 'attachment; filename="posts.csv"')
  exportPosts(@CurrentActor() actor: Actor, @Query() q: ExportPostsRequest): StreamableFile {
    return new StreamableFile(this.exports.stream(actor, q));
  }
}
