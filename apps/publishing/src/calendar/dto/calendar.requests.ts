import { IsIn, IsOptional, IsString, IsUUID, MaxLength, registerDecorator } from 'class-validator';
import { PLATFORMS, POST_STATUSES, type Platform, type PostStatus } from '@lib/contracts';
import { isLocalDate, isTimeZone } from '../calendar-days';

function Check(name: string, test: (v: unknown) => boolean, message: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message }, validator: { validate: test } });
}

export class CalendarRequest {
  /** First local date, YYYY-MM-DD, inclusive. */
  @Check('isLocalDate', isLocalDate, '$property must be a date as YYYY-MM-DD')
  from!: string;

  /** Last local date, YYYY-MM-DD, inclusive; at most 62 days from `from`. */
  @Check('isLocalDate', isLocalDate, '$property must be a date as YYYY-MM-DD')
  to!: string;

  /** IANA time zone (e.g. Europe/Berlin); the workspace's by default. */
  @IsOptional()
  @Check('isTimeZone', isTimeZone, '$property must be an IANA time zone such as Europe/Berlin')
  timeZone?: string;

  @IsOptional()
  @IsIn([...POST_STATUSES])
  status?: PostStatus;

  /** A network the post targets. */
  @IsOptional()
  @IsIn([...PLATFORMS])
  platform?: Platform;

  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;
}
