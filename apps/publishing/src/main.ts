import { runService } from '@lib/service-kit';
import { loadPublishingConfig } from './config/publishing.config';
import { registerMultipart } from './media/media.multipart';
import { PublishingModule } from './publishing.module';

void runService(loadPublishingConfig, (rt) => PublishingModule.register(rt), {
  configure: (app, rt) => registerMultipart(app, rt.config.media),
});
