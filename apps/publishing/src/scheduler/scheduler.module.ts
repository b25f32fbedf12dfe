import { Module } from '@nestjs/common';
import { PublisherService } from './publisher.service';
import { PublisherWorker } from './publisher.worker';
import { SchedulePostService } from './schedule-post.service';
import { SchedulingHttpController } from './scheduling.http-controller';

@Module({
  controllers: [SchedulingHttpController],
  providers: [PublisherService, PublisherWorker, SchedulePostService],
  exports: [PublisherService],
})
export class SchedulerModule {}
