import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { WORKFLOW_TYPES, type WorkflowType } from '@lib/contracts';
import { PageRequest } from '@lib/pagination';
import { queryBoolean } from './approval.requests';

export class CreateWorkflowRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsIn([...WORKFLOW_TYPES])
  type!: WorkflowType;

  /**
   * APPROVAL: `{ levels: [{ approvers: { userIds?, roles? }, mode: 'ANY' | 'ALL' }], conditions?: { platforms?, campaignIds?, authorRoles? } }`,
   * checked strictly (see approval-config.ts). AUTOMATION and CHATBOT: any JSON object up to 64 KiB.
   */
  @IsObject()
  config!: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

/** The type never changes: create another workflow instead. `description: null` clears it. */
export class UpdateWorkflowRequest {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  name?: string;

  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  /** false deactivates the workflow: it no longer applies to new submissions. */
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class ListWorkflowsRequest extends PageRequest {
  @IsOptional()
  @IsIn([...WORKFLOW_TYPES])
  type?: WorkflowType;

  @IsOptional()
  @queryBoolean()
  @IsBoolean()
  isActive?: boolean;
}

export class WorkflowIdParam {
  @IsUUID()
  id!: string;
}
