import { runService } from '@lib/service-kit';
import { loadEdgeConfig } from './config/edge.config';
import { EdgeModule } from './edge.module';

void runService(loadEdgeConfig, (rt) => EdgeModule.register(rt), {
  bodyLimit: 64 * 1024,
  configure: (app, rt) => {
    if (rt.config.corsOrigins.length) app.enableCors({ origin: rt.config.corsOrigins, credentials: true });
  },
});
