import { IntersectionType, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PLATFORMS, POST_STATUSES, type Platform, type PostStatus } from '@lib/contracts';
import { DateRangeRequest, PageRequest } from '@lib/pagination';

export class PostContentRequest {
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  text!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  hashtags?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  mentions?: string[];

  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  link?: string;
}

/** Per-network overrides: any content field, replacing the post's own for that network. */
export class ContentOverrideRequest {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  text?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  hashtags?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  mentions?: string[];

  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] })
  link?: string;
}

export class PostTargetRequest {
  /** A connected social account of the workspace. */
  @IsUUID()
  accountId!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => ContentOverrideRequest)
  customContent?: ContentOverrideRequest;
}

export class CreatePostRequest {
  @ValidateNested()
  @Type(() => PostContentRequest)
  content!: PostContentRequest;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(9)
  @ValidateNested({ each: true })
  @Type(() => PostTargetRequest)
  targets?: PostTargetRequest[];

  /** Media in display order. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(35)
  @IsUUID('all', { each: true })
  mediaIds?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[];

  @IsOptional()
  @IsUUID()
  campaignId?: string;

  /** When to publish (ISO 8601 with offset); set it, then schedule. */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  scheduledAt?: Date;

  @IsOptional()
  @IsBoolean()
  aiGenerated?: boolean;
}

/** Any field of a new post; validation, nesting and transforms are the same as on create. */
export class UpdatePostRequest extends PartialType(OmitType(CreatePostRequest, ['aiGenerated'] as const)) {}

/** `from`/`to`: scheduledAt (createdAt for unscheduled posts), inclusive. */
export class ListPostsRequest extends IntersectionType(PageRequest, DateRangeRequest) {
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


  /** createdAt (default): newest first. scheduledAt: posts with a time only, soonest first. */
  @IsOptional()
  @IsIn(['createdAt', 'scheduledAt'])
  sort?: 'createdAt' | 'scheduledAt';
}

export class PostIdParam {
  @IsUUID()
  id!: string;
}

export class TransitionRequest {
  @IsIn(['ARCHIVED', 'DRAFT'])
  to!: 'ARCHIVED' | 'DRAFT';
}
