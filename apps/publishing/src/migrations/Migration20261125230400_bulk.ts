import { Migration } from '@mikro-orm/migrations';

export class Migration20261125230400_bulk extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "post_imports" ("id" uuid not null, "workspaceId" uuid not null, "createdBy" uuid not null, "mode" text not null default 'all-or-nothing', "dryRun" boolean not null default false, "status" text not null default 'QUEUED', "total" int not null default 0, "validated" int not null default 0, "processed" int not null default 0, "created" int not null default 0, "failed" int not null default 0, "skipped" int not null default 0, "error" jsonb null, "fetchedMedia" jsonb null, "source" text null, "grants" jsonb not null, "leasedBy" text null, "leaseUntil" timestamptz null, "attempts" int not null default 0, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, "startedAt" timestamptz null, "finishedAt" timestamptz null, constraint "post_imports_pkey" primary key ("id"));`);
    this.addSql(`create index "post_imports_workspaceId_createdAt_index" on "post_imports" ("workspaceId", "createdAt");`);
    this.addSql(`create index "post_imports_unfinished_idx" on "post_imports" ("leaseUntil") where "status" in ('QUEUED', 'VALIDATING', 'IMPORTING');`);

    this.addSql(`create table "post_import_rows" ("importId" uuid not null, "row" int not null, "line" int not null, "status" text not null, "errors" jsonb null, "data" jsonb null, "postId" uuid null, constraint "post_import_rows_pkey" primary key ("importId", "row"));`);
    this.addSql(`create index "post_import_rows_importId_status_row_index" on "post_import_rows" ("importId", "status", "row");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "post_import_rows" cascade;`);

    this.addSql(`drop table if exists "post_imports" cascade;`);
  }

}
