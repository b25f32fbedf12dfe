import { Controller, Get, Query } from '@nestjs/common';
import { Requires } from '@lib/permissions';
import { CurrentActor } from '../posts/current-actor';
import type { Actor } from '../posts/posts.service';
import { CalendarService } from './calendar.service';
import { CalendarRequest } from './dto/calendar.requests';

/** A static path: the router matches it before `api/v1/posts/:id`, whatever the registration order. */
@Controller('api/v1/posts/calendar')
export class CalendarHttpController {
  constructor(private readonly calendar: CalendarService) {}

  @Get()
  @Requires('posts', 'read')
  get(@CurrentActor() actor: Actor, @Query() q: CalendarRequest) {
    return this.calendar.calendar(actor, q);
  }
}
