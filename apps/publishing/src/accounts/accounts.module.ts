import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { ConnectAccountService } from './connect-account.service';
import { SocialAccountsHttpController } from './social-accounts.http-controller';
import { SocialAccountsService } from './social-accounts.service';
import { TokenCipher } from './token-cipher';
import { TokenRefreshLoop } from './token-refresh.loop';
import { TokenRefresher } from './token-refresher';

/** Connecting, listing, refreshing and disconnecting social accounts. */
@Module({
  controllers: [SocialAccountsHttpController],
  providers: [
    { provide: TokenCipher, inject: [APP_CONFIG], useFactory: (c: PublishingConfig) => new TokenCipher(c.tokenKeys.current, c.tokenKeys.others) },
    ConnectAccountService,
    SocialAccountsService,
    TokenRefresher,
    TokenRefreshLoop,
  ],
  exports: [TokenCipher, TokenRefresher],
})
export class AccountsModule {}
