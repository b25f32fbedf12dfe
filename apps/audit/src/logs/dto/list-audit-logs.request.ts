import { IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageRequest } from '@lib/pagination';

/** Filters of GET /api/v1/audit-logs and its CSV export. */
export class AuditLogFilterRequest {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  userId?: string;

  /** e.g. `post.updated` */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z0-9_.:-]+$/i)
  action?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  resourceType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  resourceId?: string;

  /** Inclusive lower bound, ISO 8601. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  /** Inclusive upper bound, ISO 8601. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  to?: Date;
}

/** The filters, paged: GET /api/v1/audit-logs. */
export class ListAuditLogsRequest extends IntersectionType(AuditLogFilterRequest, PageRequest) {}
