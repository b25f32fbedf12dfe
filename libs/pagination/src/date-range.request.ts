import { Type } from 'class-transformer';
import { IsDate, IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';

/** A date that is not before the object's `other` date (either missing passes). */
export function NotBefore(other: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notBefore',
      constraints: [other],
      validator: {
        validate: (value: unknown, args) => {
          const start = (args?.object as Record<string, unknown> | undefined)?.[other];
          return !(value instanceof Date) || !(start instanceof Date) || value.getTime() >= start.getTime();
        },
        defaultMessage: (args) => `${args?.property ?? 'value'} must not be before ${other}`,
      },
    },
    options,
  );
}

/**
 * The time window of a list query, both bounds inclusive and optional, ISO 8601. What time it
 * filters on is the list's (a post's scheduledAt, an upload's createdAt, …); `to` before `from`
 * is refused rather than answered with nothing.
 */
export class DateRangeRequest {
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  from?: Date;

  @IsOptional()
  @Type(() => Date)
  @IsDate()
  @NotBefore('from')
  to?: Date;
}
