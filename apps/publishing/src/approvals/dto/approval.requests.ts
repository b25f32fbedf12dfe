import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { APPROVAL_STATUSES, type ApprovalStatus } from '@lib/contracts';
import { PageRequest } from '@lib/pagination';

/** Query-string booleans: only the words true and false. */
export const queryBoolean = () => Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));

export class SubmitPostRequest {
  /** A note for the approvers. */
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comments?: string;
}

export class ApproveRequest {
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comments?: string;
}

export class RejectRequest {
  /** Why: the author sees it on the post's approvals. */
  @IsString()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsNotEmpty()
  @MaxLength(5000)
  comments!: string;
}

export class ListApprovalsRequest extends PageRequest {
  /** PENDING lists only rows that can still be acted on (closed ones are left out). */
  @IsOptional()
  @IsIn([...APPROVAL_STATUSES])
  status?: ApprovalStatus;

  @IsOptional()
  @IsUUID()
  postId?: string;

  /** Only the caller's own rows (their approval inbox with status=PENDING). */
  @IsOptional()
  @queryBoolean()
  @IsBoolean()
  mine?: boolean;
}

export class ApprovalIdParam {
  @IsUUID()
  id!: string;
}
