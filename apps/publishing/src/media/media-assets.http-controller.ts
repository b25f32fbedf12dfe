import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { actorOf } from '../posts/posts.http-controller';
import { ListMediaRequest, MediaIdParam, UpdateMediaRequest } from './dto/media.requests';
import { MEDIA_CONFIG, type MediaConfig } from './media.config';
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
  ) {}

  @Post()
  @Requires('media', 'create')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UPLOAD_FORM })
  upload(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Req() req: FastifyRequest) {
    return answeringEarly(req, () => this.media.upload(actorOf(u, s, p), uploadParts(req, this.config.maxUploadBytes)));
  }

  @Get()
  @Requires('media', 'read')
  list(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Query() q: ListMediaRequest) {
    return this.media.list(actorOf(u, s, p), q);
  }

  @Get('folders')
  @Requires('media', 'read')
  folders(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null) {
    return this.media.folders(actorOf(u, s, p));
  }

  @Get(':id')
  @Requires('media', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: MediaIdParam) {
    return this.media.get(actorOf(u, s, p), param.id);
  }

  @Get(':id/content')
  @Requires('media', 'read')
  @ApiProduces('image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/quicktime')
  async content(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: MediaIdParam, @Res({ passthrough: true }) reply: FastifyReply) {
    return streamed(reply, await this.media.content(actorOf(u, s, p), param.id, 'original'));
  }

  @Get(':id/thumbnail')
  @Requires('media', 'read')
  @ApiProduces('image/webp')
  async thumbnail(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: MediaIdParam, @Res({ passthrough: true }) reply: FastifyReply) {
    return streamed(reply, await this.media.content(actorOf(u, s, p), param.id, 'thumbnail'));
  }

  @Patch(':id')
  @Requires('media', 'update')
  update(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: MediaIdParam, @Body() body: UpdateMediaRequest) {
    return this.media.update(actorOf(u, s, p), param.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('media', 'delete')
  remove(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: MediaIdParam) {
    return this.media.remove(actorOf(u, s, p), param.id);
  }
}

function streamed(reply: FastifyReply, c: MediaContent): StreamableFile {
  // An asset's bytes never change under its id: private caches may keep them.
  void reply.header('cache-control', 'private, max-age=86400, immutable');
  return new StreamableFile(c.stream, {
    type: c.contentType,
    ...(c.length !== null ? { length: c.length } : {}),
    disposition: contentDisposition(c.filename),
  });
}

/** `inline` with an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
