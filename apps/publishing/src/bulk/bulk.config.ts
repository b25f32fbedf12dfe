export interface BulkConfig {
  /** Largest CSV body POST /posts/imports accepts (the edge's EDGE_BODY_LIMIT_BYTES caps it too). */
  maxBytes: number;
  /** Data rows per import. */
  maxRows: number;
  /** Rows created per transaction (progress moves per batch). */
  batchSize: number;
  /** How long a running import belongs to a replica; a dead replica's import is resumed after it. */
  leaseMs: number;
  /** How often idle replicas look for queued or abandoned imports. */
  pollMs: number;
  /** Deadline of one media URL fetch (connect, headers and body). */
  mediaFetchTimeoutMs: number;
  /** Let media URLs reach private and loopback addresses (SSRF guard off: tests, intranet CDNs). */
  mediaFetchAllowPrivate: boolean;
}

export const DEFAULT_BULK_CONFIG: BulkConfig = {
  maxBytes: 10 * 1024 * 1024,
  maxRows: 10_000,
  batchSize: 500,
  leaseMs: 60_000,
  pollMs: 2_000,
  mediaFetchTimeoutMs: 30_000,
  mediaFetchAllowPrivate: false,
};
