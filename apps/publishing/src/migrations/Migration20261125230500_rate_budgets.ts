import { Migration } from '@mikro-orm/migrations';

export class Migration20261125230500_rate_budgets extends Migration {

  override async up(): Promise<void> {
    // Rate budgets read the sends of each window (newest day at most) per network and account.
    this.addSql(`create index "publish_jobs_sent_idx" on "publish_jobs" ("firstAttemptAt") where "firstAttemptAt" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "publish_jobs_sent_idx";`);
  }

}
