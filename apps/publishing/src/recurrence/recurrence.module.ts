import { Module } from '@nestjs/common';
import { ApprovalPolicyModule } from '../approvals/approval-policy.module';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { RecurrenceMaterializer } from './recurrence-materializer.service';
import { RecurrenceHttpController } from './recurrence.http-controller';
import { RecurrenceService } from './recurrence.service';
import { RecurrenceWorker } from './recurrence.worker';

/** Recurring posts: series on template posts, and the loop that schedules their occurrences. */
@Module({
  imports: [SchedulerModule, ApprovalPolicyModule],
  controllers: [RecurrenceHttpController],
  providers: [RecurrenceService, RecurrenceMaterializer, RecurrenceWorker],
})
export class RecurrenceModule {}
