import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** The most items one page may hold. */
export const MAX_PAGE_LIMIT = 100;

/**
 * The paging fields of a list query. A list's request DTO extends it (class-validator and
 * class-transformer metadata are inherited) and adds its filters; each list picks its own
 * default page size.
 */
export class PageRequest {
  /** Items per page, 1 to 100. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit?: number;

  /** Opaque: the `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
