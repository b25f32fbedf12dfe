import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, registerDecorator, type ValidationArguments } from 'class-validator';
import { MAX_RULE_LENGTH, RecurrenceRuleError, parseRecurrenceRule } from '../recurrence-rule';
import { IsIanaTimeZone } from '@lib/service-kit';
import { parseWallTime } from '../wall-clock';

function ruleProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  try {
    parseRecurrenceRule(value);
    return null;
  } catch (err) {
    if (err instanceof RecurrenceRuleError) return err.message;
    throw err;
  }
}

/** An RRULE that parseRecurrenceRule accepts; the message says what is wrong with it. */
function IsRecurrenceRule(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRecurrenceRule',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => ruleProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => ruleProblem(args?.value) ?? 'must be an RRULE',
      },
    });
}

function IsLocalDateTime(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLocalDateTime',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseWallTime(value) !== null,
        defaultMessage: () => 'must be a local date-time without offset, YYYY-MM-DDTHH:mm[:ss] (a wall time in timeZone)',
      },
    });
}

export class SetRecurrenceRequest {
  /**
   * RFC 5545 RRULE without DTSTART or TZID, e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`. FREQ is
   * required; at most one occurrence an hour (no SECONDLY, MINUTELY or HOURLY).
   */
  @IsString()
  @MaxLength(MAX_RULE_LENGTH)
  @IsRecurrenceRule()
  rrule!: string;

  /** IANA zone whose wall clock the series follows; the workspace's zone by default. */
  @IsOptional()
  @IsString()
  @IsIanaTimeZone()
  timeZone?: string;

  /** First possible occurrence, as wall time in `timeZone` (e.g. `2027-03-01T09:00`); it also sets the time of day. */
  @IsString()
  @IsLocalDateTime()
  startsAt!: string;
}

export class RecurrenceQuery {
  /** How many upcoming occurrences to list (default 10). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
