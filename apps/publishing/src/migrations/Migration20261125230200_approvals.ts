import { Migration } from '@mikro-orm/migrations';

export class Migration20261125230200_approvals extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "approval_requests" ("postId" uuid not null, "workspaceId" uuid not null, "workflowId" uuid not null, "workflowName" text not null, "config" jsonb not null, "levels" jsonb not null, "currentLevel" int not null default 1, "state" text not null default 'IN_REVIEW', "authorRole" text null, "submittedBy" uuid not null, "submittedAt" timestamptz not null, "comments" text null, "decidedAt" timestamptz null, "updatedAt" timestamptz not null, constraint "approval_requests_pkey" primary key ("postId"), constraint "approval_requests_state_check" check ("state" in ('IN_REVIEW', 'APPROVED', 'REJECTED', 'WITHDRAWN')));`);
    this.addSql(`create index "approval_requests_workspaceId_state_index" on "approval_requests" ("workspaceId", "state");`);
    this.addSql(`alter table "approval_requests" add constraint "approval_requests_postId_foreign" foreign key ("postId") references "posts" ("id") on update cascade on delete cascade;`);

    this.addSql(`create table "approval_closures" ("approvalId" uuid not null, "reason" text not null, "closedAt" timestamptz not null, constraint "approval_closures_pkey" primary key ("approvalId"), constraint "approval_closures_reason_check" check ("reason" in ('LEVEL_COMPLETED', 'REJECTED', 'WITHDRAWN')));`);
    this.addSql(`alter table "approval_closures" add constraint "approval_closures_approvalId_foreign" foreign key ("approvalId") references "approvals" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "approval_closures" cascade;`);

    this.addSql(`drop table if exists "approval_requests" cascade;`);
  }

}
