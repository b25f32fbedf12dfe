import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DomainError, TOPICS, type PostStatus } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { decodeTimeIdCursor, encodeTimeIdCursor, keysetAfter } from '@lib/pagination';
import { LOGGER } from '@lib/service-kit';
import { PostMedia } from '../posts/post-media.entity';
import type { Actor } from '../posts/posts.service';
import type { ListMediaRequest, UpdateMediaRequest } from './dto/media.requests';
import { parseByteRange, type ByteRange } from './byte-range';
import { MediaAsset } from './media-asset.entity';
import { MediaInspector, UnreadableMediaError, type Inspection } from './media-inspector';
import { MediaLimits } from './media-limits';
import { TAGS_MAX, escapeLike, folderProblems, sanitizeFilename, splitTags, tagProblems } from './media-names';
import { sniffMedia, type SupportedMedia } from './media-sniffer';
import { MediaStorage, mediaKey, type MediaFile } from './media-storage';
import { MEDIA_CONFIG, type MediaConfig } from './media.config';
import { MediaErrors, fieldErrors, mediaNotFound, tooLarge, unreadable, unsupportedType } from './media.errors';
import { toMediaResponse, type MediaResponse } from './media.mapper';
import { UploadTooLargeError, receiveUpload, type ReceivedUpload } from './upload-receiver';

/** One part of a multipart upload, as the transport hands it over (in arrival order). */
export type UploadPart =
  | { kind: 'field'; name: string; values: string[]; truncated: boolean }
  | { kind: 'file'; name: string; filename: string | undefined; stream: Readable };

/** Posts on their way out: their media must stay until they are published or taken back. */
export const MEDIA_LOCKING_STATUSES: readonly PostStatus[] = ['PENDING_APPROVAL', 'APPROVED', 'SCHEDULED', 'PUBLISHING'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Wraps the storing step of an upload once its parts are read: `digest` fingerprints them (the
 * file's bytes, name, folder and tags), for the route's Idempotency-Key.
 */
export type UploadGate = (digest: string, store: () => Promise<MediaResponse>) => Promise<MediaResponse>;

export interface MediaContent {
  stream: Readable;
  contentType: string;
  /** Byte count of the whole file when known (always for originals). */
  length: number | null;
  /** Set when only a range of the file is sent (206). */
  part: { range: ByteRange; size: number } | null;
  filename: string;
}

interface FieldProblem {
  field: string;
  messages: string[];
}

interface FolderCount {
  folder: string;
  /** Assets directly in the folder. */
  count: number;
  /** Assets in the folder and every folder below it. */
  total: number;
}

/** The media library: upload, organise, serve and delete; every query scoped to the caller's workspace. */
@Injectable()
export class MediaService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly storage: MediaStorage,
    private readonly inspector: MediaInspector,
    private readonly limits: MediaLimits,
    @Inject(MEDIA_CONFIG) private readonly config: MediaConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Streams the file to a temp file (counting, hashing, stopping at the plan's limit), detects
   * its type from its bytes, reads its dimensions/duration, stores it and its thumbnail, then
   * writes the row and the audit entry together. Nothing is left behind when any step fails.
   */
  async upload(actor: Actor, parts: AsyncIterable<UploadPart>, gate: UploadGate = (_digest, store) => store()): Promise<MediaResponse> {
    const limit = await this.limits.forWorkspace(actor.workspaceId);
    const errors: FieldProblem[] = [];
    const folders: string[] = [];
    const tagValues: string[] = [];
    let received: ReceivedUpload | null = null;
    let clientName: string | undefined;
    const stored: string[] = [];
    try {
      for await (const part of parts) {
        if (part.kind === 'field') {
          if (part.truncated) errors.push({ field: part.name, messages: ['value is too long'] });
          else if (part.name === 'folder') folders.push(...part.values);
          else if (part.name === 'tags') tagValues.push(...part.values);
          else errors.push({ field: part.name, messages: [`property ${part.name} should not exist`] });
          continue;
        }
        if (part.name !== 'file') {
          part.stream.resume();
          errors.push({ field: part.name, messages: ['the file must be sent in a part named `file`'] });
          continue;
        }
        // Refuse before reading a large body when the form is already known to be wrong.
        const early = [...errors, ...this.folderOf(folders).errors, ...this.tagsOf(tagValues).errors];
        if (early.length) throw fieldErrors(early);
        clientName = part.filename;
        received = await receiveUpload(part.stream, { dir: this.config.tmpDir, limitBytes: limit.bytes });
      }
      const { folder, errors: folderErrors } = this.folderOf(folders);
      const { tags, errors: tagErrors } = this.tagsOf(tagValues);
      errors.push(...folderErrors, ...tagErrors);
      if (!received && !errors.some((e) => e.field === 'file')) errors.push({ field: 'file', messages: ['a file part named `file` is required'] });
      if (errors.length || !received) throw fieldErrors(errors);
      const file = received;
      const digest = createHash('sha256')
        .update(JSON.stringify({ sha256: file.sha256, size: file.size, filename: clientName ?? null, folder, tags }))
        .digest('hex');
      return await gate(digest, () => this.store(actor, file, clientName, folder, tags, stored));
    } catch (err) {
      await Promise.all(stored.map((key) => this.removeStored(key)));
      if (err instanceof UploadTooLargeError) throw tooLarge(limit.bytes, limit.plan);
      throw err;
    } finally {
      if (received) await rm(received.path, { force: true });
    }
  }

  /** Types, inspects and stores a received file, then writes its row; `stored` collects the keys written, for cleanup. */
  private async store(actor: Actor, received: ReceivedUpload, clientName: string | undefined, folder: string | null, tags: string[], stored: string[]): Promise<MediaResponse> {
    const media = sniffMedia(received.head);
    if (!media.supported) throw unsupportedType(media.detected);
    const inspection = await this.inspect(received.path, media);

    const asset = new MediaAsset();
    asset.workspaceId = actor.workspaceId;
    asset.type = media.type;
    asset.filename = sanitizeFilename(clientName, media.extension);
    asset.size = received.size;
    asset.dimensions = inspection.dimensions;
    asset.duration = inspection.duration;
    asset.tags = tags;
    asset.folder = folder;
    asset.url = this.urlOf(asset, 'original');
    asset.thumbnailUrl = inspection.thumbnail ? this.urlOf(asset, 'thumbnail') : null;
    asset.metadata = {
      mimeType: media.mimeType,
      sha256: received.sha256,
      uploadedBy: actor.userId,
      ...inspection.facts,
      ...(inspection.thumbnail ? { thumbnail: { mimeType: 'image/webp', width: inspection.thumbnail.width, height: inspection.thumbnail.height, size: inspection.thumbnail.data.length } } : {}),
    };

    const originalKey = mediaKey(asset.workspaceId, asset.id, 'original');
    await this.storage.put(originalKey, createReadStream(received.path), { contentType: media.mimeType, size: received.size });
    stored.push(originalKey);
    if (inspection.thumbnail) {
      const thumbKey = mediaKey(asset.workspaceId, asset.id, 'thumbnail');
      await this.storage.put(thumbKey, Readable.from(inspection.thumbnail.data), { contentType: 'image/webp', size: inspection.thumbnail.data.length });
      stored.push(thumbKey);
    }

    const em = this.em.fork();
    em.persist(asset);
    this.audit(em, actor, asset, 'media.uploaded', {
      after: { filename: asset.filename, type: asset.type, mimeType: media.mimeType, size: asset.size, folder: asset.folder, tags: asset.tags, sha256: received.sha256 },
    });
    await em.flush();
    return toMediaResponse(asset);
  }

  async get(actor: Actor, id: string): Promise<MediaResponse> {
    return toMediaResponse(await this.load(this.em.fork(), actor, id));
  }

  async list(actor: Actor, q: ListMediaRequest): Promise<{ items: MediaResponse[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const where: FilterQuery<MediaAsset> = { workspaceId: actor.workspaceId, ...uploadedBy(actor) };
    const and: FilterQuery<MediaAsset>[] = [];
    if (q.type) where.type = q.type;
    if (q.folder) where.folder = q.folder;
    if (q.folderPrefix) and.push({ $or: [{ folder: q.folderPrefix }, { folder: { $like: `${escapeLike(q.folderPrefix)}/%` } }] });
    if (q.tag) where.tags = { $contains: [q.tag] };
    if (q.q) where.filename = { $ilike: `%${escapeLike(q.q)}%` };
    if (q.from) and.push({ createdAt: { $gte: q.from } });
    if (q.to) and.push({ createdAt: { $lte: q.to } });
    if (q.cursor) {
      const at = decodeTimeIdCursor(q.cursor);
      if (!UUID.test(at.i)) throw fieldErrors([{ field: 'cursor', messages: ['not a cursor from this API'] }]);
      and.push(keysetAfter('createdAt', at));
    }
    if (and.length) where.$and = and;
    const rows = await this.em.fork().find(MediaAsset, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toMediaResponse), nextCursor: rows.length > limit ? encodeTimeIdCursor(last.createdAt, last.id) : null };
  }

  /** Every folder in use, its parents included, with direct and subtree counts. */
  async folders(actor: Actor): Promise<{ items: FolderCount[]; unfiled: number }> {
    const rows = await this.em.fork().execute<{ folder: string | null; count: number }[]>(
      `select "folder", count(*)::int as "count" from "media_assets"
        where "workspaceId" = ? and (?::uuid is null or metadata->>'uploadedBy' = ?::text) group by "folder"`,
      [actor.workspaceId, ownerOnly(actor), ownerOnly(actor)],
    );
    const byFolder = new Map<string, FolderCount>();
    let unfiled = 0;
    for (const row of rows) {
      if (row.folder === null) {
        unfiled = row.count;
        continue;
      }
      const segments = row.folder.split('/');
      for (let depth = 1; depth <= segments.length; depth++) {
        const path = segments.slice(0, depth).join('/');
        const entry = byFolder.get(path) ?? { folder: path, count: 0, total: 0 };
        entry.total += row.count;
        if (depth === segments.length) entry.count += row.count;
        byFolder.set(path, entry);
      }
    }
    const items = [...byFolder.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
    return { items, unfiled };
  }

  async update(actor: Actor, id: string, input: UpdateMediaRequest): Promise<MediaResponse> {
    return this.em.fork().transactional(async (tx) => {
      const asset = await this.load(tx, actor, id, true);
      const before = { filename: asset.filename, folder: asset.folder, tags: asset.tags };
      if (input.filename !== undefined) asset.filename = input.filename.trim();
      if (input.folder !== undefined) asset.folder = input.folder;
      if (input.tags !== undefined) asset.tags = [...new Set(input.tags.map((t) => t.trim()))];
      asset.updatedAt = new Date();
      this.audit(tx, actor, asset, 'media.updated', { before, after: { filename: asset.filename, folder: asset.folder, tags: asset.tags } });
      await tx.flush();
      return toMediaResponse(asset);
    });
  }

  /**
   * Refused (409, naming the posts) while a post on its way out uses the asset; otherwise the
   * row and its post links go (drafts lose the asset) in one transaction, then the stored files.
   */
  async remove(actor: Actor, id: string): Promise<void> {
    const asset = await this.em.fork().transactional(async (tx) => {
      const found = await this.load(tx, actor, id, true);
      // Locking the posts orders this against a concurrent schedule/approve of one of them.
      const users = await tx.execute<{ id: string; status: PostStatus }[]>(
        'select p."id", p."status" from "post_media" pm join "posts" p on p."id" = pm."postId" where pm."mediaId" = ? order by p."id" for update of p',
        [found.id],
      );
      const blocking = users.filter((p) => MEDIA_LOCKING_STATUSES.includes(p.status));
      if (blocking.length) {
        throw new DomainError(MediaErrors.inUse, 'Media asset in use', {
          detail: `Used by ${blocking.length === 1 ? 'post' : 'posts'} ${blocking.map((p) => `${p.id} (${p.status})`).join(', ')}; take ${blocking.length === 1 ? 'it' : 'them'} back to DRAFT or wait until published`,
          posts: blocking.map((p) => ({ id: p.id, status: p.status })),
        });
      }
      await tx.nativeDelete(PostMedia, { media: found.id });
      this.audit(tx, actor, found, 'media.deleted', {
        before: { filename: found.filename, type: found.type, size: found.size, folder: found.folder, tags: found.tags },
        detachedFromPosts: users.map((p) => p.id),
      });
      tx.remove(found);
      await tx.flush();
      return found;
    });
    await Promise.all((['original', 'thumbnail'] as const).map((f) => this.removeStored(mediaKey(asset.workspaceId, asset.id, f))));
  }

  /**
   * The stored bytes of an asset (the original, or its thumbnail), for streaming out; only the
   * requested part for a single-range `Range` header (video players seek this way).
   */
  async content(actor: Actor, id: string, file: MediaFile, rangeHeader?: string): Promise<MediaContent> {
    const asset = await this.load(this.em.fork(), actor, id);
    const missing = () => new DomainError(MediaErrors.contentMissing, file === 'thumbnail' ? 'No thumbnail for this asset' : 'The stored file is missing');
    if (file === 'thumbnail' && !asset.thumbnailUrl) throw missing();
    const thumbSize = (asset.metadata.thumbnail as { size?: unknown } | undefined)?.size;
    const size = file === 'original' ? asset.size : typeof thumbSize === 'number' ? thumbSize : null;
    const range = size === null ? null : parseByteRange(rangeHeader, size);
    if (range === 'unsatisfiable') {
      throw new DomainError(MediaErrors.rangeNotSatisfiable, 'Range not satisfiable', { detail: `The file has ${size} bytes`, size });
    }
    const stream = await this.storage.open(mediaKey(asset.workspaceId, asset.id, file), range ?? undefined);
    if (!stream) throw missing();
    const part = range && size !== null ? { range, size } : null;
    if (file === 'thumbnail') {
      return { stream, contentType: 'image/webp', length: size, part, filename: `${asset.filename.replace(/\.[^.]*$/, '')}.thumbnail.webp` };
    }
    return { stream, contentType: String(asset.metadata.mimeType ?? 'application/octet-stream'), length: size, part, filename: asset.filename };
  }

  private async inspect(path: string, media: SupportedMedia): Promise<Inspection> {
    try {
      return await this.inspector.inspect(path, media);
    } catch (err) {
      if (err instanceof UnreadableMediaError) throw unreadable(media.mimeType, err.message);
      throw err;
    }
  }

  /** The form's folder field(s), validated. */
  private folderOf(values: string[]): { folder: string | null; errors: FieldProblem[] } {
    // HTML forms send empty inputs: an empty folder is no folder.
    const given = values.filter((v) => v !== '');
    if (given.length > 1) return { folder: null, errors: [{ field: 'folder', messages: ['send at most one folder'] }] };
    if (!given.length) return { folder: null, errors: [] };
    const problems = folderProblems(given[0]);
    return { folder: given[0], errors: problems.length ? [{ field: 'folder', messages: problems.map((p) => `folder ${p}`) }] : [] };
  }

  /** The form's tags field(s) (repeated and/or comma-separated), validated. */
  private tagsOf(values: string[]): { tags: string[]; errors: FieldProblem[] } {
    const tags = splitTags(values);
    const problems = [...new Set(tags.flatMap(tagProblems))];
    if (tags.length > TAGS_MAX) problems.push(`at most ${TAGS_MAX} tags`);
    return { tags, errors: problems.length ? [{ field: 'tags', messages: problems }] : [] };
  }

  private urlOf(asset: MediaAsset, file: MediaFile): string {
    if (this.config.publicBaseUrl) return `${this.config.publicBaseUrl}/${mediaKey(asset.workspaceId, asset.id, file)}`;
    return `/api/v1/media-assets/${asset.id}/${file === 'original' ? 'content' : 'thumbnail'}`;
  }

  private async removeStored(key: string): Promise<void> {
    try {
      await this.storage.delete(key);
    } catch (err) {
      // The row is already gone (or never written): an orphaned file is a cost, not an error for the caller.
      this.logger.warn({ err, key }, 'could not delete a stored media file');
    }
  }

  private async load(em: EntityManager, actor: Actor, id: string, forUpdate = false): Promise<MediaAsset> {
    const asset = await em.findOne(MediaAsset, { id, workspaceId: actor.workspaceId, ...uploadedBy(actor) }, forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!asset) throw mediaNotFound();
    return asset;
  }

  private audit(em: EntityManager, actor: Actor, asset: MediaAsset, action: string, details: Record<string, unknown>): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      { action, resourceType: 'media_asset', resourceId: asset.id, userId: actor.userId, userName: null, userEmail: null, details, ipAddress: null, userAgent: null },
      { subject: actor.workspaceId, workspaceId: actor.workspaceId, actor: { type: 'user', id: actor.userId } },
    );
  }
}

/** With an `ownOnly` grant, the caller sees only what they uploaded; anyone else's asset is "not found". */
function ownerOnly(actor: Actor): string | null {
  return actor.conditions?.ownOnly ? actor.userId : null;
}

function uploadedBy(actor: Actor): { metadata: { uploadedBy: string } } | Record<string, never> {
  const owner = ownerOnly(actor);
  return owner ? { metadata: { uploadedBy: owner } } : {};
}
