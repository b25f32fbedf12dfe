import { Migration } from '@mikro-orm/migrations';

export class Migration20261125220523_scheduler extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "oauth_states" ("id" uuid not null, "stateHash" varchar(64) not null, "workspaceId" uuid not null, "userId" uuid not null, "platform" "platform" not null, "codeVerifier" text null, "redirectUri" text not null, "expiresAt" timestamptz not null, "usedAt" timestamptz null, "createdAt" timestamptz not null, constraint "oauth_states_pkey" primary key ("id"));`);
    this.addSql(`alter table "oauth_states" add constraint "oauth_states_stateHash_unique" unique ("stateHash");`);
    this.addSql(`create index "oauth_states_expiresAt_index" on "oauth_states" ("expiresAt");`);

    this.addSql(`create table "publish_jobs" ("platformPostId" uuid not null, "postId" uuid not null, "workspaceId" uuid not null, "state" text not null default 'pending', "dueAt" timestamptz not null, "nextAttemptAt" timestamptz not null, "attempts" int not null default 0, "leaseUntil" timestamptz null, "leasedBy" text null, "firstAttemptAt" timestamptz null, "mustReconcile" boolean not null default false, "sentText" text null, "lastError" text null, constraint "publish_jobs_pkey" primary key ("platformPostId"));`);
    this.addSql(`create index "publish_jobs_lease_idx" on "publish_jobs" ("leaseUntil") where "state" = 'in_flight';`);
    this.addSql(`create index "publish_jobs_due_idx" on "publish_jobs" ("nextAttemptAt") where "state" = 'pending';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oauth_states" cascade;`);

    this.addSql(`drop table if exists "publish_jobs" cascade;`);
  }

}
