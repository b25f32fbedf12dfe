import { MESSAGING_ENTITIES } from '@lib/messaging';
import { postgresOrmOptions } from '@lib/persistence';
import { PLATFORM_ENTITIES } from '@lib/service-kit';
import { OAuthState } from './accounts/oauth-state.entity';
import { SocialAccount } from './accounts/social-account.entity';
import { ApprovalClosure } from './approvals/approval-closure.entity';
import { ApprovalRequest } from './approvals/approval-request.entity';
import { Approval } from './approvals/approval.entity';
import { Workflow } from './approvals/workflow.entity';
import { PostImportRow } from './bulk/post-import-row.entity';
import { PostImport } from './bulk/post-import.entity';
import { Campaign } from './campaigns/campaign.entity';
import { MediaAsset } from './media/media-asset.entity';
import { PUBLISHING_MIGRATIONS } from './migrations';
import { PlatformPost } from './posts/platform-post.entity';
import { PostMedia } from './posts/post-media.entity';
import { Post } from './posts/post.entity';
import { PostRecurrence } from './recurrence/post-recurrence.entity';
import { RecurrenceOccurrence } from './recurrence/recurrence-occurrence.entity';
import { PublishJob } from './scheduler/publish-job.entity';
import { WorkspaceMemberRow } from './workspaces/workspace-member.entity';
import { WorkspaceProfileRow } from './workspaces/workspace-profile.entity';

/** Every entity publishing owns; migrations are generated from these (npm run migration:create -- publishing). */
export const PUBLISHING_ENTITIES = [
  ...MESSAGING_ENTITIES,
  ...PLATFORM_ENTITIES,
  SocialAccount,
  OAuthState,
  Post,
  PlatformPost,
  MediaAsset,
  PostMedia,
  Campaign,
  Workflow,
  Approval,
  ApprovalRequest,
  ApprovalClosure,
  PublishJob,
  PostRecurrence,
  RecurrenceOccurrence,
  WorkspaceProfileRow,
  WorkspaceMemberRow,
  PostImport,
  PostImportRow,
];

export function publishingOrmOptions(clientUrl: string, migrationsPathTs?: string) {
  return postgresOrmOptions({
    service: 'publishing',
    clientUrl,
    entities: PUBLISHING_ENTITIES,
    migrations: PUBLISHING_MIGRATIONS,
    migrationsPathTs,
  });
}
