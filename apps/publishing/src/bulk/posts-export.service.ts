import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { keysetAfter } from '@lib/pagination';
import { SocialAccount } from '../accounts/social-account.entity';
import { PostMedia } from '../posts/post-media.entity';
import { Post, type PostContent } from '../posts/post.entity';
import { postFilter, type Actor } from '../posts/posts.service';
import { guardCell, LIST_SEPARATOR } from './csv-cells';
import { formatCsvTime } from './csv-time';
import type { ExportPostsRequest } from './dto/bulk.requests';
import { EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS } from './import-csv.parser';
import { ImportReferencesLoader } from './import-references.loader';

/** The import's columns, plus what only an export can say; `id` and `status` first for people reading it. */
export const EXPORT_COLUMNS = ['id', 'status', ...IMPORT_COLUMNS, ...EXPORT_ONLY_COLUMNS.filter((c) => c !== 'id' && c !== 'status')] as const;
type ExportColumn = (typeof EXPORT_COLUMNS)[number];

/** `{"TWITTER": {"text": "…"}}`, as the import reads it; empty when no network has its own content. */
function overridesCell(entries: [string, Partial<PostContent>][]): string {
  return entries.length ? JSON.stringify(Object.fromEntries(entries)) : '';
}

/** Posts read per query: the export never holds more than one page. */
const PAGE = 500;

/**
 * The workspace's posts as CSV, with the posts list's filters, read page by page (keyset on
 * createdAt, id) as the client reads the stream. The file re-imports as is (per-network overrides
 * included, keyed as the networks cell names them): networks are named
 * by network when the workspace has exactly one active account there (else by account id),
 * times carry the workspace's offset, and every cell is guarded against formula injection.
 */
@Injectable()
export class PostsExportService {
  constructor(
    private readonly em: EntityManager,
    private readonly references: ImportReferencesLoader,
  ) {}

  stream(actor: Actor, q: ExportPostsRequest): Readable {
    const records = Readable.from(this.records(actor, q));
    const csv = stringify({
      header: true,
      columns: [...EXPORT_COLUMNS],
      bom: true,
      cast: { string: (value) => guardCell(value) },
    });
    records.on('error', (err) => csv.destroy(err));
    return records.pipe(csv);
  }

  private async *records(actor: Actor, q: ExportPostsRequest): AsyncGenerator<Record<ExportColumn, string>> {
    const zone = await this.references.timeZone(actor.workspaceId);
    const active = await this.em.fork().find(SocialAccount, { workspaceId: actor.workspaceId, isActive: true });
    const perPlatform = new Map<string, number>();
    for (const a of active) perPlatform.set(a.platform, (perPlatform.get(a.platform) ?? 0) + 1);
    const activeIds = new Set(active.map((a) => a.id));
    let after: { c: Date; i: string } | null = null;
    for (;;) {
      const em = this.em.fork();
      const { where, and } = postFilter(actor, q);
      if (after) and.push(keysetAfter('createdAt', after));
      if (and.length) where.$and = and;
      const posts = await em.find(Post, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: PAGE, populate: ['platformPosts.account'] });
      if (!posts.length) return;
      const media = await em.find(PostMedia, { post: { $in: posts.map((p) => p.id) } }, { orderBy: { order: 'asc' } });
      const mediaOf = new Map<string, string[]>();
      for (const m of media) mediaOf.set(m.post.id, [...(mediaOf.get(m.post.id) ?? []), m.media.id]);
      for (const p of posts) {
        const targets = p.platformPosts.getItems();
        // The network name re-imports to the same account only when it is that network's one active account.
        const network = (t: (typeof targets)[number]) => (activeIds.has(t.account.id) && perPlatform.get(t.platform) === 1 ? t.platform : t.account.id);
        yield {
          id: p.id,
          status: p.status,
          text: p.content.text,
          networks: targets.map(network).join(LIST_SEPARATOR),
          scheduledAt: p.scheduledAt ? formatCsvTime(p.scheduledAt, zone) : '',
          media: (mediaOf.get(p.id) ?? []).join(LIST_SEPARATOR),
          campaign: p.campaign?.id ?? '',
          tags: p.tags.join(LIST_SEPARATOR),
          link: p.content.link ?? '',
          hashtags: (p.content.hashtags ?? []).join(LIST_SEPARATOR),
          mentions: (p.content.mentions ?? []).join(LIST_SEPARATOR),
          overrides: overridesCell(targets.filter((t) => t.customContent).map((t) => [network(t), t.customContent!])),
          publishedAt: p.publishedAt ? formatCsvTime(p.publishedAt, zone) : '',
          networkStatuses: targets.map((t) => `${network(t)}=${t.publishStatus}`).join(LIST_SEPARATOR),
          networkErrors: targets
            .filter((t) => t.error)
            .map((t) => `${network(t)}: ${t.error}`)
            .join('\n'),
        };
      }
      if (posts.length < PAGE) return;
      const last = posts[posts.length - 1];
      after = { c: last.createdAt, i: last.id };
    }
  }
}
