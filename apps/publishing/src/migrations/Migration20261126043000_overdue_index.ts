import { Migration } from '@mikro-orm/migrations';

export class Migration20261126043000_overdue_index extends Migration {

  override async up(): Promise<void> {
    // The publisher's overdue count (health and metrics) reads the open jobs by due time.
    this.addSql(`create index "publish_jobs_open_due_idx" on "publish_jobs" ("dueAt") where "state" <> 'done';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "publish_jobs_open_due_idx";`);
  }

}
