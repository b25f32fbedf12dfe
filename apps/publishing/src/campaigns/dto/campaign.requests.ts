import { IntersectionType } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { CAMPAIGN_STATUSES, type CampaignStatus } from '@lib/contracts';
import { DateRangeRequest, NotBefore, PageRequest } from '@lib/pagination';

export const MAX_GOALS = 20;
const GOAL_NAME = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
// Control characters (C0, DEL, C1) would break a URL or a log line; nothing else is refused.
const NO_CONTROL = /^[^\p{Cc}]*$/u;

/** May be left out, but not set to null: the column has no "nothing". */
const Omittable = () => ValidateIf((_o: object, v: unknown) => v !== undefined);

/**
 * `goals`: named numeric targets, e.g. `{ "impressions": 100000, "clicks": 2000 }`. Up to 20
 * names (a letter, then letters, digits or `_`), each a finite number >= 0.
 */
export function IsGoals() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isGoals',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => goalProblems(value).length === 0,
        defaultMessage: (args: ValidationArguments) => goalProblems(args.value).join('; '),
      },
    });
}

export function goalProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['goals must be an object of named numeric targets'];
  const entries = Object.entries(value as Record<string, unknown>);
  const problems: string[] = [];
  if (entries.length > MAX_GOALS) problems.push(`goals may name at most ${MAX_GOALS} targets`);
  for (const [k, v] of entries.slice(0, MAX_GOALS + 1)) {
    if (!GOAL_NAME.test(k)) problems.push(`goals.${k.slice(0, 50)}: a name is a letter, then up to 49 letters, digits or _`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e15) problems.push(`goals.${k.slice(0, 50)} must be a finite number >= 0`);
  }
  return problems;
}

const UtmValue = () => applyDecorators(IsOptional(), IsString(), MinLength(1), MaxLength(100), Matches(NO_CONTROL, { message: '$property must not contain control characters' }));

/** Only the five UTM parameters; `utm_source` defaults to the network the post goes to. */
export class UtmParamsRequest {
  @UtmValue()
  utm_source?: string;

  @UtmValue()
  utm_medium?: string;

  @UtmValue()
  utm_campaign?: string;

  @UtmValue()
  utm_term?: string;

  @UtmValue()
  utm_content?: string;
}

const Name = () => applyDecorators(IsString(), MinLength(1), MaxLength(200), Matches(/\S/, { message: '$property must not be blank' }), Matches(NO_CONTROL, { message: '$property must not contain control characters' }));
const Description = () => applyDecorators(IsOptional(), IsString(), MaxLength(5000));
const When = () => applyDecorators(Type(() => Date), IsDate());
const Budget = () => applyDecorators(IsOptional(), IsNumber({ allowNaN: false, allowInfinity: false }), Min(0), Max(1e12));
const Tags = () => applyDecorators(IsArray(), ArrayMaxSize(50), IsString({ each: true }), MinLength(1, { each: true }), MaxLength(50, { each: true }));
const Utm = () => applyDecorators(ValidateNested(), Type(() => UtmParamsRequest));

/** What create and update take alike; on update, `description` and `budget` may be null to clear them. */
class CampaignDetailsRequest {
  @Description()
  description?: string | null;

  /** None yet when omitted on create (`{}`). */
  @Omittable()
  @IsGoals()
  goals?: Record<string, number>;

  @Budget()
  budget?: number | null;

  @Omittable()
  @Tags()
  tags?: string[];

  /** On update it replaces the whole set (`{}` removes them). */
  @Omittable()
  @Utm()
  utmParams?: UtmParamsRequest;
}

export class CreateCampaignRequest extends CampaignDetailsRequest {
  @Name()
  name!: string;

  /** ISO 8601. */
  @When()
  startDate!: Date;

  /** ISO 8601; not before startDate. */
  @When()
  @NotBefore('startDate')
  endDate!: Date;
}

/**
 * Any field of a campaign, validated as on create. The status is not changed here: see
 * POST /campaigns/:id/transitions.
 */
export class UpdateCampaignRequest extends CampaignDetailsRequest {
  @Omittable()
  @Name()
  name?: string;

  @Omittable()
  @When()
  startDate?: Date;

  @Omittable()
  @When()
  @NotBefore('startDate')
  endDate?: Date;
}

/** `from`/`to`: campaigns running at some time in [from, to]. */
export class ListCampaignsRequest extends IntersectionType(PageRequest, DateRangeRequest) {
  @IsOptional()
  @IsIn([...CAMPAIGN_STATUSES])
  status?: CampaignStatus;


  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;
}

export class CampaignPostsRequest extends PageRequest {}

export class CampaignIdParam {
  @IsUUID()
  id!: string;
}

export class CampaignTransitionRequest {
  @IsIn([...CAMPAIGN_STATUSES])
  to!: CampaignStatus;
}
