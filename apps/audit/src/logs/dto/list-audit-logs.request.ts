import { IntersectionType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { DateRangeRequest, PageRequest } from '@lib/pagination';

/** Filters of GET /api/v1/audit-logs and its CSV export; `from`/`to` bound the entry time, inclusive. */
export class AuditLogFilterRequest extends DateRangeRequest {
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

}

/** The filters, paged: GET /api/v1/audit-logs. */
export class ListAuditLogsRequest extends IntersectionType(AuditLogFilterRequest, PageRequest) {}
