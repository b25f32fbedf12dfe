import { Migration } from '@mikro-orm/migrations';

export class Migration20261125230100_media extends Migration {

  override async up(): Promise<void> {
    // The library's list filters: folder (exact and prefix) within a workspace, tag containment.
    this.addSql(`create index "media_assets_workspaceId_folder_index" on "media_assets" ("workspaceId", "folder");`);
    this.addSql(`create index "media_assets_tags_idx" on "media_assets" using gin ("tags");`);
    // Deleting an asset looks up the posts that use it.
    this.addSql(`create index "post_media_mediaId_index" on "post_media" ("mediaId");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "post_media_mediaId_index";`);
    this.addSql(`drop index if exists "media_assets_tags_idx";`);
    this.addSql(`drop index if exists "media_assets_workspaceId_folder_index";`);
  }

}
