import type { Occurrence } from './expand-occurrences';
import type { PostRecurrence } from './post-recurrence.entity';

export interface OccurrenceResponse {
  /** Wall time in the series' zone ('YYYY-MM-DDTHH:mm'). */
  local: string;
  /** The instant, ISO 8601 UTC. */
  at: string;
  /** The scheduled copy once materialized. */
  postId: string | null;
}

export interface RecurrenceResponse {
  postId: string;
  rrule: string;
  timeZone: string;
  startsAt: string;
  isActive: boolean;
  nextOccurrences: OccurrenceResponse[];
  lastMaterializedAt: string | null;
  /** Why occurrences could not be scheduled, until they can; retried at retryAt. */
  lastError: { message: string; at: string; retryAt: string | null } | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Allow-listed fields of a series and its upcoming occurrences. */
export function toRecurrenceResponse(series: PostRecurrence, upcoming: Occurrence[], postIds: ReadonlyMap<number, string>): RecurrenceResponse {
  return {
    postId: series.templatePost.id,
    rrule: series.rrule,
    timeZone: series.timeZone,
    startsAt: series.startsAt,
    isActive: series.isActive,
    nextOccurrences: upcoming.map((o) => ({ local: o.local, at: o.at.toISOString(), postId: postIds.get(o.at.getTime()) ?? null })),
    lastMaterializedAt: series.lastMaterializedAt?.toISOString() ?? null,
    lastError: series.lastError ? { message: series.lastError, at: (series.lastErrorAt ?? series.updatedAt).toISOString(), retryAt: series.retryAt?.toISOString() ?? null } : null,
    createdBy: series.createdBy,
    createdAt: series.createdAt.toISOString(),
    updatedAt: series.updatedAt.toISOString(),
  };
}
