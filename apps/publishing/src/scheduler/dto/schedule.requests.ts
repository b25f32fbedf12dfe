import { Type } from 'class-transformer';
import { IsDate, IsOptional } from 'class-validator';

export class SchedulePostRequest {
  /** When to publish, ISO 8601 with an offset; defaults to the post's own scheduledAt. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  scheduledAt?: Date;
}
