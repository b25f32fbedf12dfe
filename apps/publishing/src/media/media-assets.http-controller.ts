import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@lib/contracts';
import { Requires } from '@lib/permissions';
import { StreamedIdempotency } from '@lib/service-kit';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { ListMediaRequest, MediaIdParam, UpdateMediaRequest } from './dto/media.requests';
import { MEDIA_CONFIG, type MediaConfig } from './media.config';
import { MediaErrors } from './media.errors';
import { answeringEarly, uploadParts } from './media.multipart';
import { MediaService, type MediaContent } from './media.service';

const UPLOAD_FORM = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'JPEG, PNG, GIF, WebP, MP4 or MOV; the type is read from the content' },
    folder: { type: 'string', description: 'Folder path, e.g. `campaigns/2026/spring`' },
    tags: { type: 'string', description: 'Comma-separated tags (or repeat the field)' },
  },
};

@Controller('api/v1/media-assets')
export class MediaAssetsHttpController {
  constructor(
    private readonly media: MediaService,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
    private readonly idempotency: StreamedIdempotency,
  ) {}

  @Post()
  @Requires('media', 'create')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_FORM })
  upload(@CurrentActor() actor: Actor, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    // Idempotency-Key: the same file (bytes, name, folder, tags) replays the first answer.
    return answeringEarly(req, () => this.media.upload(actor, uploadParts(req, this.config.maxUploadBytes), (digest, store) => this.idempotency.run(req, reply, actor.userId, digest, 201, store)));
  }

  @Get()
  @Requires('media', 'read')
  list(@CurrentActor() actor: Actor, @Query() q: ListMediaRequest) {
    return this.media.list(actor, q);
  }

  @Get('folders')
  @Requires('media', 'read')
  folders(@CurrentActor() actor: Actor) {
    return this.media.folders(actor);
  }

  @Get(':id')
  @Requires('media', 'read')
  get(@CurrentActor() actor: Actor, @Param() param: MediaIdParam) {
    return this.media.get(actor, param.id);
  }

  @Get(':id/content')
  @Requires('media', 'read')
  @ApiProduces('image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/quicktime')
  async content(
    @CurrentActor() actor: Actor,
    @Param() param: MediaIdParam,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return streamed(reply, await ranged(reply, () => this.media.content(actor, param.id, 'original', req.headers.range)));
  }

  @Get(':id/thumbnail')
  @Requires('media', 'read')
  @ApiProduces('image/webp')
  async thumbnail(
    @CurrentActor() actor: Actor,
    @Param() param: MediaIdParam,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return streamed(reply, await ranged(reply, () => this.media.content(actor, param.id, 'thumbnail', req.headers.range)));
  }

  @Patch(':id')
  @Requires('media', 'update')
  update(@CurrentActor() actor: Actor, @Param() param: MediaIdParam, @Body() body: UpdateMediaRequest) {
    return this.media.update(actor, param.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('media', 'delete')
  remove(@CurrentActor() actor: Actor, @Param() param: MediaIdParam) {
    return this.media.remove(actor, param.id);
  }
}

function streamed(reply: FastifyReply, c: MediaContent): StreamableFile {
  // An asset's bytes never change under its id: private caches may keep them.
  void reply.header('cache-control', 'private, max-age=86400, immutable');
  if (c.length !== null) void reply.header('accept-ranges', 'bytes');
  let length = c.length;
  if (c.part) {
    const { range, size } = c.part;
    void reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    length = range.end - range.start + 1;
  }
  return new StreamableFile(c.stream, {
    type: c.contentType,
    ...(length !== null ? { length } : {}),
    disposition: contentDisposition(c.filename),
  });
}

/** A Range past the end answers 416 with the file's size in Content-Range, as RFC 9110 asks. */
async function ranged(reply: FastifyReply, read: () => Promise<MediaContent>): Promise<MediaContent> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DomainError && err.code === MediaErrors.rangeNotSatisfiable) void reply.header('content-range', `bytes */${String(err.details?.size)}`);
    throw err;
  }
}

/** `inline` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
