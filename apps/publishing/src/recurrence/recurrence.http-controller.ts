import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { Requires } from '@lib/permissions';
import { PostIdParam } from '../posts/dto/post.requests';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { RecurrenceQuery, SetRecurrenceRequest } from './dto/recurrence.requests';
import { RecurrenceService } from './recurrence.service';

/** A post's recurring series: set (or replace) its rule, read it with what comes next, stop it. */
@Controller('api/v1/posts/:id/recurrence')
export class RecurrenceHttpController {
  constructor(private readonly recurrences: RecurrenceService) {}

  @Put()
  @Requires('posts', 'publish')
  set(@CurrentActor() actor: Actor, @Param() param: PostIdParam, @Body() body: SetRecurrenceRequest) {
    return this.recurrences.set(actor, param.id, body);
  }

  @Get()
  @Requires('posts', 'read')
  get(@CurrentActor() actor: Actor, @Param() param: PostIdParam, @Query() q: RecurrenceQuery) {
    return this.recurrences.get(actor, param.id, q.limit);
  }

  @Delete()
  @Requires('posts', 'publish')
  stop(@CurrentActor() actor: Actor, @Param() param: PostIdParam) {
    return this.recurrences.stop(actor, param.id);
  }
}
