import { runService } from '@lib/service-kit';
import { loadAuditConfig } from './config/audit.config';
import { AuditModule } from './audit.module';

void runService(loadAuditConfig, (rt) => AuditModule.register(rt));
