import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { Requires } from '@lib/permissions';
import { PostIdParam } from '../posts/dto/post.requests';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { SchedulePostRequest } from './dto/schedule.requests';
import { SchedulePostService } from './schedule-post.service';


@Controller('api/v1/posts/:id')
export class SchedulingHttpController {
  constructor(private readonly scheduling: SchedulePostService) {}

  @Post('schedule')
  @HttpCode(200)
  @Requires('posts', 'publish')
  schedule(@CurrentActor() actor: Actor, @Param() param: PostIdParam, @Body() body: SchedulePostRequest) {
    return this.scheduling.schedule(actor, param.id, false, body.scheduledAt);
  }

  @Post('publish-now')
  @HttpCode(200)
  @Requires('posts', 'publish')
  publishNow(@CurrentActor() actor: Actor, @Param() param: PostIdParam) {
    return this.scheduling.schedule(actor, param.id, true);
  }
}
