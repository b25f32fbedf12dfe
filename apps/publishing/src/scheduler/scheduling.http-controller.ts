import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { PostIdParam } from '../posts/dto/post.requests';
import { actorOf } from '../posts/posts.http-controller';
import { SchedulePostRequest } from './dto/schedule.requests';
import { SchedulePostService } from './schedule-post.service';


@Controller('api/v1/posts/:id')
export class SchedulingHttpController {
  constructor(private readonly scheduling: SchedulePostService) {}

  @Post('schedule')
  @HttpCode(200)
  @Requires('posts', 'publish')
  schedule(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam, @Body() body: SchedulePostRequest) {
    return this.scheduling.schedule(actorOf(u, s, p), param.id, false, body.scheduledAt);
  }

  @Post('publish-now')
  @HttpCode(200)
  @Requires('posts', 'publish')
  publishNow(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Param() param: PostIdParam) {
    return this.scheduling.schedule(actorOf(u, s, p), param.id, true);
  }
}
