export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening hours of the team, in the workspace time zone. */
export interface BusinessHours {
  /** Days the team works. */
  days: Weekday[];
  /** `HH:mm`, 24-hour. */
  start: string;
  end: string;
}

/** Stored in `workspaces.settings`. */
export interface WorkspaceSettings {
  /** IANA time zone, e.g. `Europe/Paris`. */
  timezone: string;
  businessHours: BusinessHours;
  /** First-response target per conversation priority, in minutes. */
  slaTargets: Record<Priority, number>;
  defaults: {
    /** Language of generated content, BCP 47. */
    language: string;
    /** New posts need approval before they can be scheduled. */
    requireApproval: boolean;
  };
}

/** Stored in `workspaces.branding`. */
export interface WorkspaceBranding {
  logoUrl?: string | null;
  primaryColor?: string | null;
  accentColor?: string | null;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  timezone: 'UTC',
  businessHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  slaTargets: { LOW: 1440, MEDIUM: 480, HIGH: 120, URGENT: 30 },
  defaults: { language: 'en', requireApproval: false },
};
