import { Migration } from '@mikro-orm/migrations';

export class Migration20261125205341_init extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "outbox" ("seq" bigserial primary key, "eventId" uuid not null, "topic" text not null, "key" text not null, "envelope" jsonb not null, "createdAt" timestamptz not null, "sentAt" timestamptz null, "attempts" int not null default 0, "lastError" text null);`);
    this.addSql(`alter table "outbox" add constraint "outbox_eventId_unique" unique ("eventId");`);
    this.addSql(`create index "outbox_sent_at_idx" on "outbox" ("sentAt");`);
    this.addSql(`create index "outbox_unsent_idx" on "outbox" ("seq") where "sentAt" is null;`);

    this.addSql(`create table "outbox_relay_state" ("id" text not null, "clusterId" text not null, "updatedAt" timestamptz not null, constraint "outbox_relay_state_pkey" primary key ("id"));`);

    this.addSql(`create table "processed_events" ("consumer" text not null, "eventId" uuid not null, "topic" text not null, "processedAt" timestamptz not null, constraint "processed_events_pkey" primary key ("consumer", "eventId"));`);
    this.addSql(`create index "processed_events_processed_at_idx" on "processed_events" ("processedAt");`);

    // Wakes the relay as soon as an outbox row commits (NOTIFY is delivered at commit).
    this.addSql(`create function outbox_notify() returns trigger language plpgsql as $$ begin perform pg_notify('outbox_new', ''); return null; end $$;`);
    this.addSql(`create trigger outbox_notify after insert on "outbox" for each statement execute function outbox_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists outbox_notify() cascade;`);
    this.addSql(`drop table if exists "outbox" cascade;`);

    this.addSql(`drop table if exists "outbox_relay_state" cascade;`);

    this.addSql(`drop table if exists "processed_events" cascade;`);
  }

}
