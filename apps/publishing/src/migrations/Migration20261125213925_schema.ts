import { Migration } from '@mikro-orm/migrations';

export class Migration20261125213925_schema extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "campaign_status" as enum ('DRAFT', 'ACTIVE', 'PAUSED', 'COMPLETED');`);
    this.addSql(`create type "media_type" as enum ('IMAGE', 'VIDEO', 'GIF');`);
    this.addSql(`create type "post_status" as enum ('DRAFT', 'PENDING_APPROVAL', 'APPROVED', 'SCHEDULED', 'PUBLISHING', 'PUBLISHED', 'FAILED', 'ARCHIVED');`);
    this.addSql(`create type "approval_status" as enum ('PENDING', 'APPROVED', 'REJECTED');`);
    this.addSql(`create type "platform" as enum ('INSTAGRAM', 'FACEBOOK', 'TWITTER', 'LINKEDIN', 'TIKTOK', 'YOUTUBE', 'PINTEREST', 'THREADS', 'REDDIT');`);
    this.addSql(`create type "publish_status" as enum ('PENDING', 'PUBLISHING', 'PUBLISHED', 'FAILED');`);
    this.addSql(`create type "workflow_type" as enum ('APPROVAL', 'AUTOMATION', 'CHATBOT');`);
    this.addSql(`create table "campaigns" ("id" uuid not null, "workspaceId" uuid not null, "name" varchar(255) not null, "description" text null, "startDate" timestamptz not null, "endDate" timestamptz not null, "goals" jsonb not null, "budget" double precision null, "tags" text[] not null, "utmParams" jsonb not null, "status" "campaign_status" not null default 'DRAFT', "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "campaigns_pkey" primary key ("id"));`);
    this.addSql(`create index "campaigns_workspaceId_status_index" on "campaigns" ("workspaceId", "status");`);
    this.addSql(`create index "campaigns_workspaceId_startDate_index" on "campaigns" ("workspaceId", "startDate");`);
    this.addSql(`create index "campaigns_status_index" on "campaigns" ("status");`);
    this.addSql(`create index "campaigns_workspaceId_index" on "campaigns" ("workspaceId");`);

    this.addSql(`create table "media_assets" ("id" uuid not null, "workspaceId" uuid not null, "type" "media_type" not null, "url" text not null, "thumbnailUrl" text null, "filename" varchar(255) not null, "size" int not null, "dimensions" jsonb null, "duration" int null, "metadata" jsonb not null, "tags" text[] not null, "folder" varchar(255) null, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "media_assets_pkey" primary key ("id"));`);
    this.addSql(`create index "media_assets_workspaceId_createdAt_index" on "media_assets" ("workspaceId", "createdAt");`);
    this.addSql(`create index "media_assets_folder_index" on "media_assets" ("folder");`);
    this.addSql(`create index "media_assets_type_index" on "media_assets" ("type");`);
    this.addSql(`create index "media_assets_workspaceId_index" on "media_assets" ("workspaceId");`);

    this.addSql(`create table "posts" ("id" uuid not null, "workspaceId" uuid not null, "authorId" uuid not null, "content" jsonb not null, "status" "post_status" not null default 'DRAFT', "scheduledAt" timestamptz null, "publishedAt" timestamptz null, "campaignId" uuid null, "tags" text[] not null, "aiGenerated" boolean not null default false, "aiMetadata" jsonb null, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "posts_pkey" primary key ("id"));`);
    this.addSql(`create index "posts_workspaceId_createdAt_index" on "posts" ("workspaceId", "createdAt");`);
    this.addSql(`create index "posts_workspaceId_status_scheduledAt_index" on "posts" ("workspaceId", "status", "scheduledAt");`);
    this.addSql(`create index "posts_campaignId_index" on "posts" ("campaignId");`);
    this.addSql(`create index "posts_publishedAt_index" on "posts" ("publishedAt");`);
    this.addSql(`create index "posts_scheduledAt_index" on "posts" ("scheduledAt");`);
    this.addSql(`create index "posts_status_index" on "posts" ("status");`);
    this.addSql(`create index "posts_authorId_index" on "posts" ("authorId");`);
    this.addSql(`create index "posts_workspaceId_index" on "posts" ("workspaceId");`);

    this.addSql(`create table "approvals" ("id" uuid not null, "postId" uuid not null, "approverId" uuid not null, "status" "approval_status" not null default 'PENDING', "comments" text null, "level" int not null, "approvedAt" timestamptz null, "createdAt" timestamptz not null, constraint "approvals_pkey" primary key ("id"));`);
    this.addSql(`create index "approvals_approverId_status_index" on "approvals" ("approverId", "status");`);
    this.addSql(`create index "approvals_postId_status_index" on "approvals" ("postId", "status");`);
    this.addSql(`create index "approvals_approverId_index" on "approvals" ("approverId");`);
    this.addSql(`create index "approvals_postId_index" on "approvals" ("postId");`);

    this.addSql(`create table "post_media" ("postId" uuid not null, "mediaId" uuid not null, "order" int not null, constraint "post_media_pkey" primary key ("postId", "mediaId"));`);

    this.addSql(`create table "social_accounts" ("id" uuid not null, "workspaceId" uuid not null, "platform" "platform" not null, "platformAccountId" varchar(255) not null, "username" varchar(255) not null, "displayName" varchar(255) not null, "avatar" varchar(255) null, "accessToken" text not null, "refreshToken" text null, "tokenExpiry" timestamptz null, "isActive" boolean not null default true, "metadata" jsonb not null, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "social_accounts_pkey" primary key ("id"));`);
    this.addSql(`create index "social_accounts_isActive_index" on "social_accounts" ("isActive");`);
    this.addSql(`create index "social_accounts_platform_index" on "social_accounts" ("platform");`);
    this.addSql(`create index "social_accounts_workspaceId_index" on "social_accounts" ("workspaceId");`);
    this.addSql(`alter table "social_accounts" add constraint "social_accounts_workspaceId_platform_platformAccountId_unique" unique ("workspaceId", "platform", "platformAccountId");`);

    this.addSql(`create table "platform_posts" ("id" uuid not null, "postId" uuid not null, "accountId" uuid not null, "platform" "platform" not null, "customContent" jsonb null, "platformPostId" varchar(255) null, "publishStatus" "publish_status" not null default 'PENDING', "error" text null, "publishedAt" timestamptz null, constraint "platform_posts_pkey" primary key ("id"));`);
    this.addSql(`create index "platform_posts_platform_publishStatus_index" on "platform_posts" ("platform", "publishStatus");`);
    this.addSql(`create index "platform_posts_publishStatus_index" on "platform_posts" ("publishStatus");`);
    this.addSql(`create index "platform_posts_accountId_index" on "platform_posts" ("accountId");`);
    this.addSql(`create index "platform_posts_postId_index" on "platform_posts" ("postId");`);

    this.addSql(`create table "workflows" ("id" uuid not null, "workspaceId" uuid not null, "name" varchar(255) not null, "description" text null, "type" "workflow_type" not null, "config" jsonb not null, "isActive" boolean not null default true, "createdAt" timestamptz not null, "updatedAt" timestamptz not null, constraint "workflows_pkey" primary key ("id"));`);
    this.addSql(`create index "workflows_workspaceId_type_isActive_index" on "workflows" ("workspaceId", "type", "isActive");`);
    this.addSql(`create index "workflows_workspaceId_index" on "workflows" ("workspaceId");`);

    this.addSql(`alter table "posts" add constraint "posts_campaignId_foreign" foreign key ("campaignId") references "campaigns" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "approvals" add constraint "approvals_postId_foreign" foreign key ("postId") references "posts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "post_media" add constraint "post_media_postId_foreign" foreign key ("postId") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "post_media" add constraint "post_media_mediaId_foreign" foreign key ("mediaId") references "media_assets" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "platform_posts" add constraint "platform_posts_postId_foreign" foreign key ("postId") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "platform_posts" add constraint "platform_posts_accountId_foreign" foreign key ("accountId") references "social_accounts" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "posts" drop constraint "posts_campaignId_foreign";`);

    this.addSql(`alter table "post_media" drop constraint "post_media_mediaId_foreign";`);

    this.addSql(`alter table "approvals" drop constraint "approvals_postId_foreign";`);

    this.addSql(`alter table "post_media" drop constraint "post_media_postId_foreign";`);

    this.addSql(`alter table "platform_posts" drop constraint "platform_posts_postId_foreign";`);

    this.addSql(`alter table "platform_posts" drop constraint "platform_posts_accountId_foreign";`);

    this.addSql(`drop table if exists "campaigns" cascade;`);

    this.addSql(`drop table if exists "media_assets" cascade;`);

    this.addSql(`drop table if exists "posts" cascade;`);

    this.addSql(`drop table if exists "approvals" cascade;`);

    this.addSql(`drop table if exists "post_media" cascade;`);

    this.addSql(`drop table if exists "social_accounts" cascade;`);

    this.addSql(`drop table if exists "platform_posts" cascade;`);

    this.addSql(`drop table if exists "workflows" cascade;`);

    this.addSql(`drop type "campaign_status";`);
    this.addSql(`drop type "media_type";`);
    this.addSql(`drop type "post_status";`);
    this.addSql(`drop type "approval_status";`);
    this.addSql(`drop type "platform";`);
    this.addSql(`drop type "publish_status";`);
    this.addSql(`drop type "workflow_type";`);
  }

}
