import { Body, Controller, HttpCode, Post, UseInterceptors } from '@nestjs/common';
import { Public } from '@lib/auth-verify';
import { SensitiveResponse } from '@lib/service-kit';
import { CurrentCaller, type Caller } from '../common/caller';
import { Client, type ClientInfo } from '../common/client-info';
import { RetryAfterInterceptor } from '../common/retry-after.interceptor';
import { LoginRequest, RefreshRequest, RegisterRequest } from './dto/auth.requests';
import { LoginService } from './login.service';
import { LogoutService } from './logout.service';
import { RefreshSessionService } from './refresh-session.service';
import { RegisterService } from './register.service';
import { toTokensResponse } from './sessions.mapper';

// Answers carry tokens: never stored for Idempotency-Key replays (@SensitiveResponse).
@Controller('api/v1/auth')
@UseInterceptors(RetryAfterInterceptor)
export class AuthHttpController {
  constructor(
    private readonly registerService: RegisterService,
    private readonly loginService: LoginService,
    private readonly refreshService: RefreshSessionService,
    private readonly logoutService: LogoutService,
  ) {}

  @Public()
  @SensitiveResponse()
  @Post('register')
  register(@Body() body: RegisterRequest, @Client() client: ClientInfo) {
    return this.registerService.execute(body, client);
  }

  @Public()
  @SensitiveResponse()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginRequest, @Client() client: ClientInfo) {
    return this.loginService.execute(body, client);
  }

  @Public()
  @SensitiveResponse()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: RefreshRequest, @Client() client: ClientInfo) {
    return toTokensResponse(await this.refreshService.execute(body.refreshToken, client));
  }

  @Post('logout')
  @HttpCode(204)
  logout(@CurrentCaller() caller: Caller, @Client() client: ClientInfo) {
    return this.logoutService.execute(caller, client);
  }
}
