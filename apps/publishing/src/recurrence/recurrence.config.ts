/** The materializer's settings (RECURRENCE_* variables, read in config/publishing.config.ts). */
export interface RecurrenceConfig {
  /** How often due series are looked for. */
  pollMs: number;
  /** Occurrences up to this far ahead exist as scheduled posts (visible in the calendar and lists). */
  horizonHours: number;
  /** After a failed materialization, a series waits this long before it is tried again. */
  retryMs: number;
}

export const DEFAULT_RECURRENCE_CONFIG: RecurrenceConfig = { pollMs: 30_000, horizonHours: 72, retryMs: 300_000 };
