import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { strictMock } from '@lib/testing';
import { SocialAccount } from '../accounts/social-account.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { MediaAsset } from '../media/media-asset.entity';
import { PlatformPost } from '../posts/platform-post.entity';
import { PostMedia } from '../posts/post-media.entity';
import { Post } from '../posts/post.entity';
import { assertUsableTemplate, copyTemplate } from './recurrence-template';
import { RecurrenceErrors } from './recurrence.errors';

// Entity metadata only (collections and relations need it); nothing connects.
let orm: MikroORM;
beforeAll(async () => {
  orm = await MikroORM.init({ entities: [Post, PlatformPost, PostMedia, SocialAccount, Campaign, MediaAsset], dbName: 'none', connect: false });
});
afterAll(async () => {
  await orm.close(true);
});

function account(platform: 'TWITTER' | 'LINKEDIN', isActive = true): SocialAccount {
  const a = new SocialAccount();
  a.platform = platform;
  a.username = `acme_${platform.toLowerCase()}`;
  a.isActive = isActive;
  return a;
}

function template(accounts: SocialAccount[]): Post {
  const post = new Post();
  post.workspaceId = '0193f0a0-0000-7000-8000-000000000001';
  post.authorId = '0193f0a0-0000-7000-8000-000000000002';
  post.content = { text: 'Weekly tips', hashtags: ['tips'], link: 'https://example.com/tips' };
  post.tags = ['series', 'tips'];
  post.campaign = new Campaign();
  post.aiGenerated = true;
  post.aiMetadata = { model: 'm1' };
  post.status = 'PUBLISHED';
  for (const a of accounts) {
    const pp = new PlatformPost();
    pp.post = post;
    pp.account = a;
    pp.platform = a.platform;
    pp.customContent = a.platform === 'TWITTER' ? { text: 'Weekly tips on X', hashtags: [] } : null;
    pp.publishStatus = 'PUBLISHED';
    pp.platformPostId = 'x-1';
    post.platformPosts.add(pp);
  }
  return post;
}

function media(post: Post, order: number): PostMedia {
  const pm = new PostMedia();
  pm.post = post;
  pm.media = new MediaAsset();
  pm.order = order;
  return pm;
}

describe('copyTemplate', () => {
  it('copies everything that is published: content, targets with overrides, media in order, tags, campaign, author', () => {
    const t = template([account('TWITTER'), account('LINKEDIN')]);
    const images = [media(t, 0), media(t, 1)];
    const persisted: unknown[] = [];
    const em = strictMock<EntityManager>({ persist: jest.fn((e: unknown) => persisted.push(e)) }, 'em');

    const copy = copyTemplate(em, t, images);

    expect(copy.id).not.toBe(t.id);
    expect(copy).toMatchObject({ workspaceId: t.workspaceId, authorId: t.authorId, scheduledAt: null, publishedAt: null, tags: ['series', 'tips'], aiGenerated: true });
    expect(copy.content).toEqual(t.content);
    expect(copy.campaign).toBe(t.campaign);
    const targets = persisted.filter((e): e is PlatformPost => e instanceof PlatformPost);
    expect(targets.map((pp) => [pp.platform, pp.account, pp.customContent, pp.publishStatus, pp.platformPostId])).toEqual([
      ['TWITTER', t.platformPosts[0].account, { text: 'Weekly tips on X', hashtags: [] }, 'PENDING', null],
      ['LINKEDIN', t.platformPosts[1].account, null, 'PENDING', null],
    ]);
    expect(targets.every((pp) => pp.post === copy)).toBe(true);
    const copiedMedia = persisted.filter((e): e is PostMedia => e instanceof PostMedia);
    expect(copiedMedia.map((m) => [m.media, m.order, m.post])).toEqual([
      [images[0].media, 0, copy],
      [images[1].media, 1, copy],
    ]);
    expect(persisted[0]).toBe(copy);
  });

  it('starts the copy APPROVED only when the template is settled (approved, scheduled or published: no longer editable)', () => {
    const em = strictMock<EntityManager>({ persist: jest.fn() }, 'em');
    const statusOfCopy = (status: Post['status']) => {
      const t = template([account('TWITTER')]);
      t.status = status;
      return copyTemplate(em, t, []).status;
    };
    expect(['APPROVED', 'SCHEDULED', 'PUBLISHING', 'PUBLISHED'].map((s) => statusOfCopy(s as Post['status']))).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'APPROVED']);
    // Drafts and failed posts can be edited: their copies go through the approval workflows like any draft.
    expect(['DRAFT', 'FAILED', 'PENDING_APPROVAL'].map((s) => statusOfCopy(s as Post['status']))).toEqual(['DRAFT', 'DRAFT', 'DRAFT']);
  });

  it('shares nothing mutable with the template', () => {
    const t = template([account('TWITTER')]);
    const em = strictMock<EntityManager>({ persist: jest.fn() }, 'em');
    const copy = copyTemplate(em, t, []);
    copy.content.hashtags!.push('changed');
    copy.tags.push('changed');
    copy.platformPosts[0].customContent!.text = 'changed';
    expect(t.content.hashtags).toEqual(['tips']);
    expect(t.tags).toEqual(['series', 'tips']);
    expect(t.platformPosts[0].customContent!.text).toBe('Weekly tips on X');
  });
});

describe('assertUsableTemplate', () => {
  const codeOf = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof DomainError) return { code: err.code, message: err.message };
      throw err;
    }
    return null;
  };

  it('accepts a template in any status but ARCHIVED, whose accounts are connected', () => {
    expect(codeOf(() => assertUsableTemplate(template([account('TWITTER')])))).toBeNull();
    const archived = template([account('TWITTER')]);
    archived.status = 'ARCHIVED';
    expect(codeOf(() => assertUsableTemplate(archived))).toMatchObject({ code: RecurrenceErrors.templateConflict });
  });

  it('names the disconnected account', () => {
    expect(codeOf(() => assertUsableTemplate(template([account('TWITTER'), account('LINKEDIN', false)])))).toEqual({
      code: RecurrenceErrors.accountDisconnected,
      message: 'LINKEDIN @acme_linkedin is disconnected; reconnect it',
    });
  });
});
