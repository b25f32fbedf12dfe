import { runService } from '@lib/service-kit';
import { loadAuthConfig } from './config/auth.config';
import { AuthModule } from './auth.module';

void runService(loadAuthConfig, (rt) => AuthModule.register(rt));
