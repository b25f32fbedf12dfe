import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PLANS, type Plan } from '@lib/contracts';
import { IsIanaTimeZone } from '@lib/service-kit';
import { WEEKDAYS, type Weekday } from '../workspace-settings';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const SLA_MAX_MINUTES = 30 * 24 * 60;

export class BusinessHoursRequest {
  @IsArray()
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true, message: `days must contain only ${WEEKDAYS.join(', ')}` })
  days!: Weekday[];

  @Matches(HHMM, { message: 'start must be HH:mm' })
  start!: string;

  @Matches(HHMM, { message: 'end must be HH:mm' })
  end!: string;
}

/** First-response targets in minutes; any priority left out keeps its current target. */
export class SlaTargetsRequest {
  @IsOptional() @IsInt() @Min(1) @Max(SLA_MAX_MINUTES) LOW?: number;
  @IsOptional() @IsInt() @Min(1) @Max(SLA_MAX_MINUTES) MEDIUM?: number;
  @IsOptional() @IsInt() @Min(1) @Max(SLA_MAX_MINUTES) HIGH?: number;
  @IsOptional() @IsInt() @Min(1) @Max(SLA_MAX_MINUTES) URGENT?: number;
}

export class WorkspaceDefaultsRequest {
  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'language must be a BCP 47 tag such as en or fr-CA' })
  language?: string;

  @IsOptional()
  @IsBoolean()
  requireApproval?: boolean;
}

export class WorkspaceSettingsRequest {
  @IsOptional()
  @IsIanaTimeZone()
  timezone?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BusinessHoursRequest)
  businessHours?: BusinessHoursRequest;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SlaTargetsRequest)
  slaTargets?: SlaTargetsRequest;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WorkspaceDefaultsRequest)
  defaults?: WorkspaceDefaultsRequest;
}

export class WorkspaceBrandingRequest {
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'logoUrl must be an https URL' })
  logoUrl?: string;

  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'primaryColor must be a #rrggbb colour' })
  primaryColor?: string;

  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'accentColor must be a #rrggbb colour' })
  accentColor?: string;
}

export class UpdateWorkspaceRequest {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WorkspaceSettingsRequest)
  settings?: WorkspaceSettingsRequest;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WorkspaceBrandingRequest)
  branding?: WorkspaceBrandingRequest;
}

export class TransferOwnershipRequest {
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId!: string;
}

export class ChangePlanRequest {
  /** FREE, STARTER, PROFESSIONAL or ENTERPRISE. The workspace's limits become that plan's. */
  @IsIn([...PLANS])
  plan!: Plan;
}
