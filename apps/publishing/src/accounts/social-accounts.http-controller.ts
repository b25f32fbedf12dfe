import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentUser, Public, type AccessClaims } from '@lib/auth-verify';
import { Requires } from '@lib/permissions';
import { SensitiveResponse } from '@lib/service-kit';
import { ConnectAccountService } from './connect-account.service';
import { OAuthCallbackQuery, SocialAccountIdParam, StartConnectionRequest } from './dto/social-account.requests';
import { SocialAccountsService } from './social-accounts.service';

const actorOf = (u: AccessClaims) => ({ userId: u.sub, workspaceId: u.workspaceId });

@Controller('api/v1/social-accounts')
export class SocialAccountsHttpController {
  constructor(
    private readonly connect: ConnectAccountService,
    private readonly accounts: SocialAccountsService,
  ) {}

  /** The state is a one-time credential for the callback: never stored for Idempotency-Key replays. */
  @Post('oauth/start')
  @HttpCode(200)
  @SensitiveResponse()
  @Requires('social_accounts', 'create')
  start(@CurrentUser() u: AccessClaims, @Body() body: StartConnectionRequest) {
    return this.connect.start(actorOf(u), body.platform);
  }

  /** The network redirects the browser here: no bearer token, the one-time state says who asked. */
  @Get('oauth/callback')
  @Public()
  callback(@Query() q: OAuthCallbackQuery) {
    return this.connect.callback(q);
  }

  @Get()
  @Requires('social_accounts', 'read')
  list(@CurrentUser() u: AccessClaims) {
    return this.accounts.list(actorOf(u));
  }

  @Get(':id')
  @Requires('social_accounts', 'read')
  get(@CurrentUser() u: AccessClaims, @Param() p: SocialAccountIdParam) {
    return this.accounts.get(actorOf(u), p.id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('social_accounts', 'delete')
  disconnect(@CurrentUser() u: AccessClaims, @Param() p: SocialAccountIdParam) {
    return this.accounts.disconnect(actorOf(u), p.id);
  }
}
