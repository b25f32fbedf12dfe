import { runService } from '@lib/service-kit';
import { loadListeningConfig } from './config/listening.config';
import { ListeningModule } from './listening.module';

void runService(loadListeningConfig, (rt) => ListeningModule.register(rt));
