import { Migration } from '@mikro-orm/migrations';

export class Migration20261125213544_identity extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "workspace_plan" as enum ('FREE', 'STARTER', 'PROFESSIONAL', 'ENTERPRISE');`);
    this.addSql(`create type "user_role" as enum ('OWNER', 'ADMIN', 'MANAGER', 'EDITOR', 'VIEWER');`);
    this.addSql(`create table "idempotency_keys" ("scope" text not null, "key" text not null, "requestHash" text not null, "status" text not null, "responseStatus" int null, "responseBody" jsonb null, "createdAt" timestamptz not null, "expiresAt" timestamptz not null, constraint "idempotency_keys_pkey" primary key ("scope", "key"));`);
    this.addSql(`create index "idempotency_keys_expires_at_idx" on "idempotency_keys" ("expiresAt");`);

    this.addSql(`create table "login_throttles" ("key" text not null, "failures" int not null default 0, "windowStartedAt" timestamptz not null, "lockedUntil" timestamptz null, constraint "login_throttles_pkey" primary key ("key"));`);

    this.addSql(`create table "workspaces" ("id" uuid not null, "name" varchar(255) not null, "slug" varchar(255) not null, "plan" "workspace_plan" not null default 'FREE', "settings" jsonb not null, "branding" jsonb not null, "limits" jsonb not null, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "workspaces_pkey" primary key ("id"));`);
    this.addSql(`alter table "workspaces" add constraint "workspaces_slug_unique" unique ("slug");`);

    this.addSql(`create table "users" ("id" uuid not null, "email" varchar(255) not null, "password" varchar(255) not null, "name" varchar(255) not null, "avatar" varchar(255) null, "role" "user_role" not null, "isActive" boolean not null default true, "workspaceId" uuid not null, "preferences" jsonb not null, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_isActive_index" on "users" ("isActive");`);
    this.addSql(`create index "users_workspaceId_role_index" on "users" ("workspaceId", "role");`);
    this.addSql(`create index "users_workspaceId_index" on "users" ("workspaceId");`);

    this.addSql(`create table "user_permissions" ("id" uuid not null, "userId" uuid not null, "resource" varchar(255) not null, "action" varchar(255) not null, "conditions" jsonb null, constraint "user_permissions_pkey" primary key ("id"));`);
    this.addSql(`alter table "user_permissions" add constraint "user_permissions_userId_resource_action_unique" unique ("userId", "resource", "action");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "userId" uuid not null, "workspaceId" uuid not null, "createdAt" timestamptz not null, "expiresAt" timestamptz not null, "revokedAt" timestamptz null, "revokedReason" text null, "ipAddress" text null, "userAgent" text null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_userId_index" on "sessions" ("userId");`);

    this.addSql(`create table "refresh_tokens" ("id" uuid not null, "sessionId" uuid not null, "tokenHash" text not null, "createdAt" timestamptz not null, "expiresAt" timestamptz not null, "usedAt" timestamptz null, constraint "refresh_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_tokenHash_unique" unique ("tokenHash");`);
    this.addSql(`create index "refresh_tokens_sessionId_index" on "refresh_tokens" ("sessionId");`);

    this.addSql(`create table "invitations" ("id" uuid not null, "workspaceId" uuid not null, "email" varchar(255) not null, "role" "user_role" not null, "tokenHash" text not null, "invitedById" uuid not null, "createdAt" timestamptz not null, "expiresAt" timestamptz not null, "acceptedAt" timestamptz null, constraint "invitations_pkey" primary key ("id"));`);
    this.addSql(`alter table "invitations" add constraint "invitations_tokenHash_unique" unique ("tokenHash");`);
    this.addSql(`create index "invitations_workspaceId_email_index" on "invitations" ("workspaceId", "email");`);

    this.addSql(`alter table "users" add constraint "users_workspaceId_foreign" foreign key ("workspaceId") references "workspaces" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "user_permissions" add constraint "user_permissions_userId_foreign" foreign key ("userId") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sessions" add constraint "sessions_userId_foreign" foreign key ("userId") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "refresh_tokens" add constraint "refresh_tokens_sessionId_foreign" foreign key ("sessionId") references "sessions" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "invitations" add constraint "invitations_workspaceId_foreign" foreign key ("workspaceId") references "workspaces" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_workspaceId_foreign";`);

    this.addSql(`alter table "invitations" drop constraint "invitations_workspaceId_foreign";`);

    this.addSql(`alter table "user_permissions" drop constraint "user_permissions_userId_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_userId_foreign";`);

    this.addSql(`alter table "refresh_tokens" drop constraint "refresh_tokens_sessionId_foreign";`);

    this.addSql(`drop table if exists "idempotency_keys" cascade;`);

    this.addSql(`drop table if exists "login_throttles" cascade;`);

    this.addSql(`drop table if exists "workspaces" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "user_permissions" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "refresh_tokens" cascade;`);

    this.addSql(`drop table if exists "invitations" cascade;`);

    this.addSql(`drop type "workspace_plan";`);
    this.addSql(`drop type "user_role";`);
  }

}
