import { runService } from '@lib/service-kit';
import { loadPublishingConfig } from './config/publishing.config';
import { PublishingModule } from './publishing.module';

void runService(loadPublishingConfig, (rt) => PublishingModule.register(rt));
