import { Type, type Static } from '@sinclair/typebox';

// Event payloads, one schema per topic and version. The TypeBox schema is both the TypeScript
// type (Static<>) and the JSON Schema the AsyncAPI document publishes. Payload changes that are
// not additive need a new version, never an edit in place.

const Uuid = (description: string) => Type.String({ format: 'uuid', description });
const Role = Type.Union(['OWNER', 'ADMIN', 'MANAGER', 'EDITOR', 'VIEWER'].map((r) => Type.Literal(r)), {
  description: 'Workspace role',
});
const Platform = Type.Union(
  ['INSTAGRAM', 'FACEBOOK', 'TWITTER', 'LINKEDIN', 'TIKTOK', 'YOUTUBE', 'PINTEREST', 'THREADS', 'REDDIT'].map((p) =>
    Type.Literal(p),
  ),
  { description: 'Social network' },
);

export const WorkspaceCreatedV1 = Type.Object({
  workspaceId: Uuid('The new workspace'),
  name: Type.String({ description: 'Display name' }),
  slug: Type.String({ description: 'Unique URL slug' }),
  plan: Type.String({ description: 'FREE, STARTER, PROFESSIONAL or ENTERPRISE' }),
  ownerId: Uuid('The user who created it and owns it'),
  limits: Type.Optional(
    Type.Object(
      {
        users: Type.Union([Type.Integer(), Type.Null()]),
        socialAccounts: Type.Union([Type.Integer(), Type.Null()]),
        scheduledPostsPerMonth: Type.Union([Type.Integer(), Type.Null()]),
        aiCreditsPerMonth: Type.Union([Type.Integer(), Type.Null()]),
      },
      { description: 'Usage limits (null = unlimited)' },
    ),
  ),
  timeZone: Type.Optional(Type.String({ description: 'IANA time zone of the workspace settings' })),
});
export type WorkspaceCreatedV1 = Static<typeof WorkspaceCreatedV1>;

export const WorkspaceUpdatedV1 = Type.Object({
  workspaceId: Uuid('The workspace'),
  changed: Type.Record(Type.String(), Type.Unknown(), { description: 'Changed fields with their new values' }),
});
export type WorkspaceUpdatedV1 = Static<typeof WorkspaceUpdatedV1>;

export const UserInvitedV1 = Type.Object({
  invitationId: Uuid('The invitation'),
  email: Type.String({ format: 'email', description: 'Invitee address' }),
  role: Role,
  invitedBy: Uuid('The inviting user'),
});
export type UserInvitedV1 = Static<typeof UserInvitedV1>;

export const UserJoinedV1 = Type.Object({
  userId: Uuid('The new member'),
  email: Type.String({ format: 'email', description: 'Member address' }),
  name: Type.String({ description: 'Member name' }),
  role: Role,
});
export type UserJoinedV1 = Static<typeof UserJoinedV1>;

export const UserRoleChangedV1 = Type.Object({
  userId: Uuid('The member'),
  from: Role,
  to: Role,
});
export type UserRoleChangedV1 = Static<typeof UserRoleChangedV1>;

export const UserDeactivatedV1 = Type.Object({ userId: Uuid('The member') });
export type UserDeactivatedV1 = Static<typeof UserDeactivatedV1>;

export const AccountConnectedV1 = Type.Object({
  accountId: Uuid('The social account'),
  platform: Platform,
  username: Type.String({ description: 'Handle on the network' }),
});
export type AccountConnectedV1 = Static<typeof AccountConnectedV1>;

export const AccountDisconnectedV1 = Type.Object({
  accountId: Uuid('The social account'),
  platform: Platform,
  reason: Type.String({ description: "The network's reason, or 'user' for a manual disconnect" }),
});
export type AccountDisconnectedV1 = Static<typeof AccountDisconnectedV1>;

export const PostScheduledV1 = Type.Object({
  postId: Uuid('The post'),
  scheduledAt: Type.String({ format: 'date-time', description: 'When it is due' }),
  platforms: Type.Array(Platform, { description: 'Target networks' }),
});
export type PostScheduledV1 = Static<typeof PostScheduledV1>;

export const PostPublishedV1 = Type.Object({
  postId: Uuid('The post'),
  platformPostId: Uuid('The platform_posts row'),
  platform: Platform,
  externalId: Type.String({ description: "The network's id for the published post" }),
  publishedAt: Type.String({ format: 'date-time', description: 'When the network accepted it' }),
});
export type PostPublishedV1 = Static<typeof PostPublishedV1>;

export const PostFailedV1 = Type.Object({
  postId: Uuid('The post'),
  platformPostId: Uuid('The platform_posts row'),
  platform: Platform,
  code: Type.String({ description: 'Stable error code, e.g. PUBLISHING.RATE_LIMITED' }),
  reason: Type.String({ description: "Human-readable reason, in the network's words where it gave one" }),
});
export type PostFailedV1 = Static<typeof PostFailedV1>;

export const MessageReceivedV1 = Type.Object({
  conversationId: Uuid('The conversation'),
  messageId: Uuid('The message'),
  platform: Platform,
  content: Type.String({ description: 'Message text' }),
});
export type MessageReceivedV1 = Static<typeof MessageReceivedV1>;

export const MessageSentV1 = Type.Object({
  conversationId: Uuid('The conversation'),
  messageId: Uuid('The message'),
  platform: Platform,
  authorId: Uuid('The replying user'),
});
export type MessageSentV1 = Static<typeof MessageSentV1>;

export const ConversationAssignedV1 = Type.Object({
  conversationId: Uuid('The conversation'),
  assignedToId: Type.Union([Uuid('The assignee'), Type.Null()]),
});
export type ConversationAssignedV1 = Static<typeof ConversationAssignedV1>;

export const MentionFoundV1 = Type.Object({
  mentionId: Type.String({ description: 'The stored mention' }),
  platform: Platform,
  sentiment: Type.String({ description: 'positive, neutral or negative' }),
});
export type MentionFoundV1 = Static<typeof MentionFoundV1>;

export const MetricsCollectedV1 = Type.Object({
  accountId: Uuid('The social account'),
  postId: Type.Union([Uuid('The post, for post metrics'), Type.Null()]),
  platform: Platform,
  collectedAt: Type.String({ format: 'date-time', description: 'Collection time' }),
  values: Type.Record(Type.String(), Type.Number(), { description: 'Metric name to value' }),
});
export type MetricsCollectedV1 = Static<typeof MetricsCollectedV1>;

export const AuditRecordedV1 = Type.Object({
  action: Type.String({ description: 'What happened, e.g. post.updated' }),
  resourceType: Type.String({ description: 'Kind of resource changed' }),
  resourceId: Type.String({ description: 'Its id' }),
  userId: Type.Union([Type.String(), Type.Null()], { description: 'Acting user, if any' }),
  userName: Type.Union([Type.String(), Type.Null()], { description: 'Acting user name' }),
  userEmail: Type.Union([Type.String(), Type.Null()], { description: 'Acting user email' }),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Before/after diff of the changed fields, secrets redacted',
  }),
  ipAddress: Type.Union([Type.String(), Type.Null()], { description: 'Client address' }),
  userAgent: Type.Union([Type.String(), Type.Null()], { description: 'Client user agent' }),
});
export type AuditRecordedV1 = Static<typeof AuditRecordedV1>;
