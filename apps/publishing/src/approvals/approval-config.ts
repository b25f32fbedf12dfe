import { plainToInstance, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsUUID, ValidateNested, validateSync } from 'class-validator';
import { PLATFORMS, type Platform, type WorkflowType } from '@lib/contracts';
import { ROLES, type Role } from '@lib/permissions';
import { fieldErrorsOf } from '@lib/service-kit';

export const APPROVAL_MODES = ['ANY', 'ALL'] as const;
/** ANY: the first approval completes the level. ALL: every approver of the level must approve. */
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const MAX_LEVELS = 10;
/** AUTOMATION and CHATBOT configs are free-form until their issues define them; bounded all the same. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** An APPROVAL workflow's config as stored (normalised: no empty or absent-but-present keys). */
export interface ApprovalConfig {
  levels: { approvers: { userIds?: string[]; roles?: Role[] }; mode: ApprovalMode }[];
  /** Every condition given must hold for the workflow to apply (a missing one always holds). */
  conditions?: { platforms?: Platform[]; campaignIds?: string[]; authorRoles?: Role[] };
}

export interface FieldError {
  field: string;
  messages: string[];
}

class ApproversInput {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  userIds?: string[];

  /** Every active member holding one of these roles, resolved when the post is submitted. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROLES.length)
  @IsIn([...ROLES], { each: true })
  roles?: Role[];
}

class LevelInput {
  @IsObject()
  @ValidateNested()
  @Type(() => ApproversInput)
  approvers!: ApproversInput;

  @IsIn([...APPROVAL_MODES])
  mode!: ApprovalMode;
}

class ConditionsInput {
  /** Applies when the post targets at least one of these networks. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PLATFORMS.length)
  @IsIn([...PLATFORMS], { each: true })
  platforms?: Platform[];

  /** Applies to posts of these campaigns. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  campaignIds?: string[];

  /** Applies to posts whose author holds one of these roles. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @IsIn([...ROLES], { each: true })
  authorRoles?: Role[];
}

class ApprovalConfigInput {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LEVELS)
  @ValidateNested({ each: true })
  @Type(() => LevelInput)
  levels!: LevelInput[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ConditionsInput)
  conditions?: ConditionsInput;
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/**
 * Validates a workflow's `config` for its type, the way the HTTP layer validates bodies (unknown
 * keys refused; every problem named by its path, e.g. `config.levels.0.mode`), and returns it
 * normalised. APPROVAL configs are checked strictly; the other types only need to be a bounded
 * JSON object for now.
 */
export function validateWorkflowConfig(type: WorkflowType, raw: unknown): { config: Record<string, unknown>; errors: FieldError[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { config: {}, errors: [{ field: 'config', messages: ['config must be an object'] }] };
  if (type !== 'APPROVAL') {
    const size = Buffer.byteLength(JSON.stringify(raw), 'utf8');
    return size > MAX_CONFIG_BYTES
      ? { config: {}, errors: [{ field: 'config', messages: [`config must be at most ${MAX_CONFIG_BYTES} bytes of JSON (got ${size})`] }] }
      : { config: raw as Record<string, unknown>, errors: [] };
  }
  const input = plainToInstance(ApprovalConfigInput, raw);
  const errors: FieldError[] = fieldErrorsOf(validateSync(input, { whitelist: true, forbidNonWhitelisted: true }), 'config');
  if (Array.isArray(input.levels)) {
    input.levels.forEach((level, i) => {
      const a = level?.approvers;
      if (a && typeof a === 'object' && (Array.isArray(a.userIds) ? a.userIds.length : 0) + (Array.isArray(a.roles) ? a.roles.length : 0) === 0) {
        errors.push({ field: `config.levels.${i}.approvers`, messages: ['name at least one approver: userIds or roles'] });
      }
    });
  }
  if (errors.length) return { config: {}, errors };
  return { config: normalise(input) as unknown as Record<string, unknown>, errors: [] };
}

function normalise(input: ApprovalConfigInput): ApprovalConfig {
  const out: ApprovalConfig = {
    levels: input.levels.map((l) => ({
      approvers: {
        ...(l.approvers.userIds?.length ? { userIds: uniq(l.approvers.userIds.map((id) => id.toLowerCase())) } : {}),
        ...(l.approvers.roles?.length ? { roles: uniq(l.approvers.roles) } : {}),
      },
      mode: l.mode,
    })),
  };
  const c = input.conditions;
  if (c && (c.platforms || c.campaignIds || c.authorRoles)) {
    out.conditions = {
      ...(c.platforms ? { platforms: uniq(c.platforms) } : {}),
      ...(c.campaignIds ? { campaignIds: uniq(c.campaignIds.map((id) => id.toLowerCase())) } : {}),
      ...(c.authorRoles ? { authorRoles: uniq(c.authorRoles) } : {}),
    };
  }
  return out;
}

/** A stored APPROVAL config, re-checked on read (null when a row holds something invalid). */
export function parseApprovalConfig(raw: unknown): ApprovalConfig | null {
  const { config, errors } = validateWorkflowConfig('APPROVAL', raw);
  return errors.length ? null : (config as unknown as ApprovalConfig);
}
