import { Global, Module } from '@nestjs/common';
import { PlanLimits } from './plan-limits';
import { WorkspaceDirectory } from './workspace-directory';
import { WorkspaceEventsConsumer } from './workspace-events.consumer';

/** The workspace projection (plan, limits, time zone, members) and the plan limits built on it. */
@Global()
@Module({
  providers: [WorkspaceDirectory, PlanLimits, WorkspaceEventsConsumer],
  exports: [WorkspaceDirectory, PlanLimits],
})
export class WorkspacesModule {}
