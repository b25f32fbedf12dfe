import { Module } from '@nestjs/common';
import { AuthHttpController } from './auth.http-controller';
import { LoginService } from './login.service';
import { LogoutService } from './logout.service';
import { RefreshSessionService } from './refresh-session.service';
import { RegisterService } from './register.service';

@Module({
  controllers: [AuthHttpController],
  providers: [RegisterService, LoginService, RefreshSessionService, LogoutService],
})
export class SessionsModule {}
