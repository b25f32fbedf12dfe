import { Module } from '@nestjs/common';
import { ApprovalPolicyModule } from '../approvals/approval-policy.module';
import { PublisherService } from './publisher.service';
import { PublisherWorker } from './publisher.worker';
import { SchedulePostService } from './schedule-post.service';
import { SchedulingHttpController } from './scheduling.http-controller';

@Module({
  imports: [ApprovalPolicyModule],
  controllers: [SchedulingHttpController],
  providers: [PublisherService, PublisherWorker, SchedulePostService],
  exports: [PublisherService, SchedulePostService],
})
export class SchedulerModule {}
