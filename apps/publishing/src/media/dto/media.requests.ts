import { IntersectionType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { MEDIA_TYPES, type MediaType } from '@lib/contracts';
import { DateRangeRequest, PageRequest } from '@lib/pagination';
import { FILENAME_MAX_LENGTH, TAGS_MAX, TAG_MAX_LENGTH, folderProblems, tagProblems } from '../media-names';

/** A folder path as `folderProblems` accepts it; the message lists every problem. */
function IsFolderPath(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFolderPath',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && folderProblems(value).length === 0,
        defaultMessage: (args) => (typeof args?.value === 'string' ? folderProblems(args.value).map((p) => `$property ${p}`).join('; ') : '$property must be a string'),
      },
    },
    options,
  );
}

function IsTag(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTag',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && tagProblems(value).length === 0,
        defaultMessage: (args) => (typeof args?.value === 'string' ? tagProblems(args.value).join('; ') : 'each tag must be a string'),
      },
    },
    options,
  );
}

/** `from`/`to`: upload time, inclusive. */
export class ListMediaRequest extends IntersectionType(PageRequest, DateRangeRequest) {
  @IsOptional()
  @IsIn([...MEDIA_TYPES])
  type?: MediaType;

  /** Exactly this folder. */
  @IsOptional()
  @IsFolderPath()
  folder?: string;

  /** This folder and every folder below it. */
  @IsOptional()
  @IsFolderPath()
  folderPrefix?: string;

  @IsOptional()
  @IsString()
  @MaxLength(TAG_MAX_LENGTH)
  tag?: string;

  /** Part of the file name, case-insensitive. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

}

export class UpdateMediaRequest {
  /** Display name; the stored file keeps its own key. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(FILENAME_MAX_LENGTH)
  // eslint-disable-next-line no-control-regex
  @Matches(/^(?=.*[^\s.])[^/\\\u0000-\u001f\u007f]+$/u, { message: '$property must be a file name (no slashes or control characters, not only dots or spaces)' })
  filename?: string;

  /** Folder path (`a/b/c`); null moves the asset out of every folder. */
  @IsOptional()
  @IsFolderPath()
  // The custom check documents as a reference to the property's runtime type: say what it is.
  @JSONSchema(() => ({ type: 'string', nullable: true, maxLength: 255, description: 'Folder path (`a/b/c`); null moves the asset out of every folder' }))
  folder?: string | null;

  /** Replaces the tags. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TAGS_MAX)
  @IsTag({ each: true })
  @JSONSchema(() => ({ type: 'array', maxItems: TAGS_MAX, items: { type: 'string', minLength: 1, maxLength: TAG_MAX_LENGTH }, description: 'Replaces the tags' }))
  tags?: string[];
}

export class MediaIdParam {
  @IsUUID()
  id!: string;
}
