import { Module } from '@nestjs/common';
import { SchedulerModule } from '../scheduler/scheduler.module';
import { ApprovalPolicyModule } from './approval-policy.module';
import { ApprovalsHttpController, PostReviewHttpController } from './approvals.http-controller';
import { ApprovalsService } from './approvals.service';
import { WorkflowsHttpController } from './workflows.http-controller';
import { WorkflowsService } from './workflows.service';

/** Workflows (CRUD) and the approval flow of posts (submit, approve, reject). */
@Module({
  imports: [ApprovalPolicyModule, SchedulerModule],
  controllers: [WorkflowsHttpController, ApprovalsHttpController, PostReviewHttpController],
  providers: [WorkflowsService, ApprovalsService],
})
export class ApprovalsModule {}
