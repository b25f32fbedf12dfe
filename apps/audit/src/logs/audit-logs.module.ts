import { Module } from '@nestjs/common';
import { AppendAuditEntryService } from './append-audit-entry.service';
import { AuditEventsConsumer } from './audit-events.consumer';
import { AuditLogsHttpController } from './audit-logs.http-controller';
import { AuditLogsQuery } from './audit-logs.query';
import { RetentionService } from './retention.service';

@Module({
  controllers: [AuditLogsHttpController],
  providers: [AppendAuditEntryService, AuditEventsConsumer, AuditLogsQuery, RetentionService],
  exports: [AuditEventsConsumer, RetentionService],
})
export class AuditLogsModule {}
