import { Module } from '@nestjs/common';
import { ApprovalPolicy } from './approval-policy';

/**
 * The approval policy alone, so the scheduler can refuse to go around a review without
 * depending on the approvals module (which depends on the scheduler). WorkspaceDirectory comes
 * from the global WorkspacesModule.
 */
@Module({ providers: [ApprovalPolicy], exports: [ApprovalPolicy] })
export class ApprovalPolicyModule {}
