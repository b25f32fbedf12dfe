import { runService } from '@lib/service-kit';
import { loadAnalyticsConfig } from './config/analytics.config';
import { AnalyticsModule } from './analytics.module';

void runService(loadAnalyticsConfig, (rt) => AnalyticsModule.register(rt));
