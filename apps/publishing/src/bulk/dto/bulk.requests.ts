import { PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageRequest } from '@lib/pagination';
import { ListPostsRequest } from '../../posts/dto/post.requests';
import { IMPORT_MODES, type ImportMode } from '../post-import.entity';
import { ROW_STATUSES, type RowStatus } from '../post-import-row.entity';

/** Query of POST /posts/imports (the body is the CSV itself). */
export class StartImportRequest {
  /** all-or-nothing (default): any invalid row and nothing is created. valid-only: the valid rows are created. */
  @IsOptional()
  @IsIn([...IMPORT_MODES])
  mode?: ImportMode;

  /** Validate and report only; nothing is created. */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  dryRun?: boolean;
}

export class ImportIdParam {
  @IsUUID()
  id!: string;
}

/** The row report of one import, a page at a time. */
export class ImportRowsRequest extends PageRequest {
  /** Only rows with this status (INVALID: the problems). */
  @IsOptional()
  @IsIn([...ROW_STATUSES])
  rowStatus?: RowStatus;
}

export class ListImportsRequest extends PageRequest {}

/** The posts list's filters; the export walks every page itself. */
export class ExportPostsRequest extends PickType(ListPostsRequest, ['status', 'platform', 'campaignId', 'tag', 'from', 'to'] as const) {}
