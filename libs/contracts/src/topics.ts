import type { TSchema } from '@sinclair/typebox';
import * as P from './payloads';

/**
 * The topic catalogue: the only place a topic name is written.
 *
 * NEVER rename a topic or change a partition count in place: consumers and the per-key order
 * depend on both. Add a new topic (or version) and migrate.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** What the message key is; one aggregate's events share a key and so stay in order. */
  key: string;
  /** Name of the payload type in `payloads.ts`. */
  payload: string;
  schema: TSchema;
  version: number;
  /** Owning (producing) service. */
  producer: string;
  description: string;
}

const topic = (
  name: string,
  partitions: number,
  key: string,
  payload: keyof typeof P,
  producer: string,
  description: string,
  version = 1,
): TopicSpec => ({ name, partitions, key, payload, schema: P[payload], version, producer, description });

export const TOPICS = {
  workspaceCreated: topic('workspace.created', 6, 'workspaceId', 'WorkspaceCreatedV1', 'auth', 'A workspace and its owner were created'),
  workspaceUpdated: topic('workspace.updated', 6, 'workspaceId', 'WorkspaceUpdatedV1', 'auth', 'Workspace name, settings, branding or plan changed'),
  userInvited: topic('user.invited', 6, 'invitationId', 'UserInvitedV1', 'auth', 'Someone was invited to a workspace'),
  userJoined: topic('user.joined', 6, 'userId', 'UserJoinedV1', 'auth', 'An invitee accepted and became a member'),
  userRoleChanged: topic('user.role_changed', 6, 'userId', 'UserRoleChangedV1', 'auth', "A member's role changed"),
  userDeactivated: topic('user.deactivated', 6, 'userId', 'UserDeactivatedV1', 'auth', 'A member was deactivated and their sessions revoked'),
  accountConnected: topic('account.connected', 6, 'accountId', 'AccountConnectedV1', 'publishing', 'A social account was connected'),
  accountDisconnected: topic('account.disconnected', 6, 'accountId', 'AccountDisconnectedV1', 'publishing', 'A social account was disconnected or its token refresh failed'),
  postScheduled: topic('post.scheduled', 12, 'postId', 'PostScheduledV1', 'publishing', 'A post was scheduled'),
  postPublished: topic('post.published', 12, 'postId', 'PostPublishedV1', 'publishing', 'A post went out on one network'),
  postFailed: topic('post.failed', 12, 'postId', 'PostFailedV1', 'publishing', 'A post failed on one network, with the reason'),
  messageReceived: topic('message.received', 12, 'conversationId', 'MessageReceivedV1', 'publishing', 'An inbound comment, DM, mention or review arrived'),
  messageSent: topic('message.sent', 12, 'conversationId', 'MessageSentV1', 'inbox', 'A reply was sent'),
  conversationAssigned: topic('conversation.assigned', 6, 'conversationId', 'ConversationAssignedV1', 'inbox', 'A conversation was (un)assigned'),
  mentionFound: topic('mention.found', 12, 'mentionId', 'MentionFoundV1', 'listening', 'Listening found a mention'),
  metricsCollected: topic('metrics.collected', 12, 'accountId', 'MetricsCollectedV1', 'publishing', 'Metrics were fetched from a network'),
  auditRecorded: topic('audit.recorded', 12, 'workspaceId', 'AuditRecordedV1', 'every service', 'A state change to record in the audit log'),
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

export const DLQ_SUFFIX = '.dlq';

/** Dead-letter topic of a topic: same partition count, so the partition of origin is kept. */
export function dlqTopic(name: string): string {
  return `${name}${DLQ_SUFFIX}`;
}

/** Every topic the platform needs, dead-letter topics included, with partition counts. */
export function allTopicsWithPartitions(): { name: string; partitions: number }[] {
  return Object.values(TOPICS).flatMap((t) => [
    { name: t.name, partitions: t.partitions },
    { name: dlqTopic(t.name), partitions: t.partitions },
  ]);
}

export function topicByName(name: string): TopicSpec | undefined {
  return Object.values(TOPICS).find((t) => t.name === name);
}
