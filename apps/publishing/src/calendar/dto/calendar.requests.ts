import { PickType } from '@nestjs/swagger';
import { IsOptional, registerDecorator } from 'class-validator';
import { IsIanaTimeZone } from '@lib/service-kit';
import { ListPostsRequest } from '../../posts/dto/post.requests';
import { isLocalDate } from '../calendar-days';

function Check(name: string, test: (v: unknown) => boolean, message: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message }, validator: { validate: test } });
}

/** The posts list's filters (status, network, campaign, tag), validated the same way. */
export class CalendarRequest extends PickType(ListPostsRequest, ['status', 'platform', 'campaignId', 'tag'] as const) {
  /** First local date, YYYY-MM-DD, inclusive. */
  @Check('isLocalDate', isLocalDate, '$property must be a date as YYYY-MM-DD')
  from!: string;

  /** Last local date, YYYY-MM-DD, inclusive; at most 62 days from `from`. */
  @Check('isLocalDate', isLocalDate, '$property must be a date as YYYY-MM-DD')
  to!: string;

  /** IANA time zone (e.g. Europe/Berlin); the workspace's by default. */
  @IsOptional()
  @IsIanaTimeZone()
  timeZone?: string;
}
