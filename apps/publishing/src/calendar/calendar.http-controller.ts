import { Controller, Get, Query } from '@nestjs/common';
import { CurrentUser, type AccessClaims } from '@lib/auth-verify';
import { CurrentPermission, CurrentSubject, Requires, type Decision, type PermissionSubject } from '@lib/permissions';
import { actorOf } from '../posts/posts.http-controller';
import { CalendarService } from './calendar.service';
import { CalendarRequest } from './dto/calendar.requests';

/** A static path: the router matches it before `api/v1/posts/:id`, whatever the registration order. */
@Controller('api/v1/posts/calendar')
export class CalendarHttpController {
  constructor(private readonly calendar: CalendarService) {}

  @Get()
  @Requires('posts', 'read')
  get(@CurrentUser() u: AccessClaims, @CurrentSubject() s: PermissionSubject, @CurrentPermission() p: Decision | null, @Query() q: CalendarRequest) {
    return this.calendar.calendar(actorOf(u, s, p), q);
  }
}
