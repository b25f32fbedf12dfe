import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { RESOURCES } from '@lib/permissions';

export const PLATFORMS = ['INSTAGRAM', 'FACEBOOK', 'TWITTER', 'LINKEDIN', 'TIKTOK', 'YOUTUBE', 'PINTEREST', 'THREADS', 'REDDIT'] as const;

export class PermissionConditionsRequest {
  /** `true` removes the action from the user whatever their role gives. */
  @IsOptional()
  @IsIn([true], { message: 'deny must be true when present' })
  deny?: true;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PLATFORMS.length)
  @ArrayUnique()
  @IsIn(PLATFORMS, { each: true, message: `platforms must contain only ${PLATFORMS.join(', ')}` })
  platforms?: string[];

  @IsOptional()
  @IsBoolean()
  ownOnly?: boolean;
}

export class PermissionRowRequest {
  @IsIn(RESOURCES, { message: `resource must be one of ${RESOURCES.join(', ')}` })
  resource!: string;

  /** An action of the resource in the matrix, or `*` for all of them. */
  @IsString()
  @MaxLength(50)
  action!: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PermissionConditionsRequest)
  conditions?: PermissionConditionsRequest;
}

export class ReplacePermissionsRequest {
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PermissionRowRequest)
  permissions!: PermissionRowRequest[];
}
