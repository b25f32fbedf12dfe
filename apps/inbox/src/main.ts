import { runService } from '@lib/service-kit';
import { loadInboxConfig } from './config/inbox.config';
import { InboxModule } from './inbox.module';

void runService(loadInboxConfig, (rt) => InboxModule.register(rt));
