import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { PostIdParam } from '../posts/dto/post.requests';
import { actorOf } from '../posts/posts.http-controller';
import { RecurrenceQuery, SetRecurrenceRequest } from './dto/recurrence.requests';
import { RecurrenceService } from './recurrence.service';

/** A post's recurring series: set (or replace) its rule, read it with what comes next, stop it. */
@Controller('api/v1/posts/:id/recurrence')
export class RecurrenceHttpController {
  constructor(private readonly recurrences: RecurrenceService) {}

  @Put()
  @Requires('posts', 'publish')
  set(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam, @Body() body: SetRecurrenceRequest) {
    return this.recurrences.set(actorOf(u, s, p), param.id, body);
  }

  @Get()
  @Requires('posts', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam, @Query() q: RecurrenceQuery) {
    return this.recurrences.get(actorOf(u, s, p), param.id, q.limit);
  }

  @Delete()
  @Requires('posts', 'publish')
  stop(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam) {
    return this.recurrences.stop(actorOf(u, s, p), param.id);
  }
}
