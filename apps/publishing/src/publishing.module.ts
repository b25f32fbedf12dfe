import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PermissionsGuard } from '@lib/permissions';
import { postgresServiceModules, type ServiceRuntime } from '@lib/service-kit';
import type { PublishingConfig } from './config/publishing.config';
import { publishingOrmOptions } from './orm.config';
import { AccountsModule } from './accounts/accounts.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { BulkModule } from './bulk/bulk.module';
import { CalendarModule } from './calendar/calendar.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { MediaModule } from './media/media.module';
import { NetworksModule } from './networks/networks.module';
import { PostsModule } from './posts/posts.module';
import { RecurrenceModule } from './recurrence/recurrence.module';
import { PUBLISHER_OPTIONS } from './scheduler/publisher.service';
import { PUBLISHER_WORKER_OPTIONS } from './scheduler/publisher.worker';
import { SchedulerModule } from './scheduler/scheduler.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

@Module({})
export class PublishingModule {
  static register(rt: ServiceRuntime<PublishingConfig>): DynamicModule {
    return {
      module: PublishingModule,
      imports: [
        ...postgresServiceModules(rt, publishingOrmOptions(rt.config.databaseUrl)),
        WorkspacesModule,
        NetworksModule,
        AccountsModule,
        PostsModule,
        CalendarModule,
        CampaignsModule,
        MediaModule,
        SchedulerModule,
        ApprovalsModule,
        RecurrenceModule,
        BulkModule,
      ],
      // Role matrix and per-user overrides on every route (after the global token check).
      providers: [
        { provide: APP_GUARD, useClass: PermissionsGuard },
        { provide: PUBLISHER_OPTIONS, useValue: { leaseMs: rt.config.publisher.leaseMs, maxAttempts: rt.config.publisher.maxAttempts, perNetworkConcurrency: rt.config.publisher.perNetworkConcurrency } },
        { provide: PUBLISHER_WORKER_OPTIONS, useValue: { pollMs: rt.config.publisher.pollMs, reconcileMs: rt.config.publisher.reconcileMs, stallMs: rt.config.publisher.stallMs, maxRounds: rt.config.publisher.maxRounds } },
      ],
      exports: [PUBLISHER_OPTIONS, PUBLISHER_WORKER_OPTIONS],
      global: true,
    };
  }
}
