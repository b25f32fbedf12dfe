import { Injectable } from '@nestjs/common';
import type { FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, isIanaTimeZone } from '@lib/contracts';
import { Post } from '../posts/post.entity';
import { toPostResponse, type PostResponse } from '../posts/posts.mapper';
import { platformNarrowing, type Actor } from '../posts/posts.service';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import { CalendarErrors, localRange, placeByDay } from './calendar-days';
import type { CalendarRequest } from './dto/calendar.requests';

/** Posts answered by one calendar request; a busier range must be narrowed. */
export const MAX_CALENDAR_POSTS = 2000;

export interface CalendarResponse {
  timeZone: string;
  from: string;
  to: string;
  days: { date: string; posts: (PostResponse & { at: string })[] }[];
}

/** When a post sits on the calendar: its scheduled time, or when it went out if it never had one. */
function placedAt(p: Post): Date {
  return (p.scheduledAt ?? p.publishedAt)!;
}

/** The posts between two local dates, day by day, in the workspace's time zone (or the one asked for). */
@Injectable()
export class CalendarService {
  constructor(
    private readonly em: EntityManager,
    private readonly workspaces: WorkspaceDirectory,
  ) {}

  async calendar(actor: Actor, q: CalendarRequest): Promise<CalendarResponse> {
    const stored = q.timeZone ?? (await this.workspaces.timeZone(actor.workspaceId));
    // A zone stored before it was validated (or retired from the tz database) must not break the page.
    const timeZone = isIanaTimeZone(stored) ? stored : 'UTC';
    const range = localRange(q.from, q.to, timeZone);
    const window = { $gte: range.start, $lt: range.end };
    const where: FilterQuery<Post> = { workspaceId: actor.workspaceId };
    const and: FilterQuery<Post>[] = [{ $or: [{ scheduledAt: window }, { scheduledAt: null, publishedAt: window }] }, ...platformNarrowing(actor)];
    if (q.status) where.status = q.status;
    if (q.campaignId) where.campaign = q.campaignId;
    if (q.tag) where.tags = { $contains: [q.tag] };
    if (q.platform) and.push({ platformPosts: { $some: { platform: q.platform } } });
    if (actor.conditions?.ownOnly) where.authorId = actor.userId;
    where.$and = and;
    const posts = await this.em.fork().find(Post, where, {
      orderBy: { scheduledAt: 'asc', publishedAt: 'asc', id: 'asc' },
      limit: MAX_CALENDAR_POSTS + 1,
      populate: ['platformPosts.account', 'campaign'],
    });
    if (posts.length > MAX_CALENDAR_POSTS) {
      throw new DomainError(CalendarErrors.tooMany, `More than ${MAX_CALENDAR_POSTS} posts in this range`, {
        detail: 'Ask for fewer days, or filter by status, platform, campaign or tag',
        errors: [{ field: 'to', messages: [`the range holds more than ${MAX_CALENDAR_POSTS} posts`] }],
      });
    }
    const days = placeByDay(posts, range.dates, timeZone, placedAt).map((d) => ({ date: d.date, posts: d.items.map(({ item, at }) => ({ ...toPostResponse(item), at })) }));
    return { timeZone, from: q.from, to: q.to, days };
  }
}
