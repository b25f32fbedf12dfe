import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PLATFORMS, type Platform } from '@lib/contracts';

export class StartConnectionRequest {
  /** The network to connect an account on. */
  @IsIn([...PLATFORMS])
  platform!: Platform;
}

/** What the network appends to the redirect URI. */
export class OAuthCallbackQuery {
  @IsString()
  @MaxLength(200)
  state!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  code?: string;

  /** Set by the network when the user refused or the request was bad. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  error?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  error_description?: string;

  // Facebook and LinkedIn add these on a refusal; accepted so the refusal is reported, not a 400.
  @IsOptional()
  @IsString()
  @MaxLength(200)
  error_reason?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  error_code?: string;
}

export class SocialAccountIdParam {
  @IsUUID()
  id!: string;
}
