import { Module } from '@nestjs/common';
import { CalendarHttpController } from './calendar.http-controller';
import { CalendarService } from './calendar.service';

/** GET /api/v1/posts/calendar; WorkspaceDirectory (the time zone) comes from the global WorkspacesModule. */
@Module({ controllers: [CalendarHttpController], providers: [CalendarService] })
export class CalendarModule {}
