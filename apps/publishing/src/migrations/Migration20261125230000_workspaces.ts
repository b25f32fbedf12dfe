import { Migration } from '@mikro-orm/migrations';

export class Migration20261125230000_workspaces extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "workspace_profiles" ("workspaceId" uuid not null, "plan" text not null, "timeZone" text not null default 'UTC', "limits" jsonb not null, "updatedAt" timestamptz not null, constraint "workspace_profiles_pkey" primary key ("workspaceId"));`);

    this.addSql(`create table "workspace_members" ("workspaceId" uuid not null, "userId" uuid not null, "role" text not null, "isActive" boolean not null default true, "updatedAt" timestamptz not null, constraint "workspace_members_pkey" primary key ("workspaceId", "userId"));`);
    this.addSql(`create index "workspace_members_workspaceId_role_index" on "workspace_members" ("workspaceId", "role");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "workspace_profiles" cascade;`);

    this.addSql(`drop table if exists "workspace_members" cascade;`);
  }

}
