import { Migration } from '@mikro-orm/migrations';

export class Migration20261125212310_idempotency extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_keys" ("scope" text not null, "key" text not null, "requestHash" text not null, "status" text not null, "responseStatus" int null, "responseBody" jsonb null, "createdAt" timestamptz not null, "expiresAt" timestamptz not null, constraint "idempotency_keys_pkey" primary key ("scope", "key"));`);
    this.addSql(`create index "idempotency_keys_expires_at_idx" on "idempotency_keys" ("expiresAt");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);
  }

}
