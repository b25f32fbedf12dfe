import { Migration } from '@mikro-orm/migrations';

export class Migration20261125230300_recurrence extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "post_recurrences" ("id" uuid not null, "workspaceId" uuid not null, "templatePostId" uuid not null, "rrule" text not null, "timeZone" text not null, "startsAt" text not null, "isActive" boolean not null default true, "nextOccurrenceAt" timestamptz null, "lastMaterializedAt" timestamptz null, "lastError" text null, "lastErrorAt" timestamptz null, "retryAt" timestamptz null, "createdBy" uuid not null, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "post_recurrences_pkey" primary key ("id"));`);
    this.addSql(`create index "post_recurrences_due_idx" on "post_recurrences" ("nextOccurrenceAt") where "isActive";`);
    this.addSql(`create index "post_recurrences_workspaceId_index" on "post_recurrences" ("workspaceId");`);
    this.addSql(`alter table "post_recurrences" add constraint "post_recurrences_templatePostId_unique" unique ("templatePostId");`);

    this.addSql(`create table "post_recurrence_occurrences" ("recurrenceId" uuid not null, "occurrenceAt" timestamptz not null, "localTime" text not null, "postId" uuid null, "outcome" text not null default 'scheduled', "createdAt" timestamptz not null, constraint "post_recurrence_occurrences_pkey" primary key ("recurrenceId", "occurrenceAt"));`);
    this.addSql(`create index "post_recurrence_occurrences_postId_index" on "post_recurrence_occurrences" ("postId");`);

    this.addSql(`alter table "post_recurrences" add constraint "post_recurrences_templatePostId_foreign" foreign key ("templatePostId") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "post_recurrence_occurrences" add constraint "post_recurrence_occurrences_recurrenceId_foreign" foreign key ("recurrenceId") references "post_recurrences" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "post_recurrence_occurrences" add constraint "post_recurrence_occurrences_postId_foreign" foreign key ("postId") references "posts" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "post_recurrence_occurrences" cascade;`);

    this.addSql(`drop table if exists "post_recurrences" cascade;`);
  }

}
