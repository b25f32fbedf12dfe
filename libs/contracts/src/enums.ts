// The schema's enums (SCHEMA.md "Data Types"), shared by every service that stores or sends them.

export const PLATFORMS = ['INSTAGRAM', 'FACEBOOK', 'TWITTER', 'LINKEDIN', 'TIKTOK', 'YOUTUBE', 'PINTEREST', 'THREADS', 'REDDIT'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const POST_STATUSES = ['DRAFT', 'PENDING_APPROVAL', 'APPROVED', 'SCHEDULED', 'PUBLISHING', 'PUBLISHED', 'FAILED', 'ARCHIVED'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export const PUBLISH_STATUSES = ['PENDING', 'PUBLISHING', 'PUBLISHED', 'FAILED'] as const;
export type PublishStatus = (typeof PUBLISH_STATUSES)[number];

export const MEDIA_TYPES = ['IMAGE', 'VIDEO', 'GIF'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const CAMPAIGN_STATUSES = ['DRAFT', 'ACTIVE', 'PAUSED', 'COMPLETED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const CONVERSATION_TYPES = ['COMMENT', 'DM', 'MENTION', 'REVIEW'] as const;
export type ConversationType = (typeof CONVERSATION_TYPES)[number];

export const CONVERSATION_STATUSES = ['OPEN', 'PENDING', 'RESOLVED', 'ARCHIVED'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SENTIMENTS = ['POSITIVE', 'NEUTRAL', 'NEGATIVE'] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const MESSAGE_DIRECTIONS = ['INBOUND', 'OUTBOUND'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export const WORKFLOW_TYPES = ['APPROVAL', 'AUTOMATION', 'CHATBOT'] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];

export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
