import { Migration } from '@mikro-orm/migrations';

export class Migration20261126013000_require_approval extends Migration {

  override async up(): Promise<void> {
    // The workspace setting `defaults.requireApproval`, projected from auth's workspace events.
    this.addSql(`alter table "workspace_profiles" add column "requireApproval" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "workspace_profiles" drop column "requireApproval";`);
  }

}
