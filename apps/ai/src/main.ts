import { runService } from '@lib/service-kit';
import { loadAiConfig } from './config/ai.config';
import { AiModule } from './ai.module';

void runService(loadAiConfig, (rt) => AiModule.register(rt));
