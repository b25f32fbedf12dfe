import { v7 as uuidv7 } from 'uuid';

/** Who caused an event: a signed-in user, a service acting on its own, or the system clock. */
export interface EventActor {
  type: 'user' | 'service' | 'system';
  /** User id for `user`, service name for `service`, job name for `system`. */
  id: string;
}

// CloudEvents extension attributes must be scalars, so the actor travels as `type:id`.
export function formatActor(actor: EventActor): string {
  return `${actor.type}:${actor.id}`;
}

export function parseActor(value: string): EventActor {
  const i = value.indexOf(':');
  const type = value.slice(0, i);
  if (i < 1 || (type !== 'user' && type !== 'service' && type !== 'system')) {
    throw new Error(`malformed actor '${value}'`);
  }
  return { type, id: value.slice(i + 1) };
}

/**
 * The one envelope every event travels in: CloudEvents 1.0 attributes (structured mode, JSON)
 * plus the platform's extensions. Consumers de-duplicate on `id`.
 */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  /** UUIDv7: unique per event, time-ordered. The de-duplication key. */
  id: string;
  /** The topic name, e.g. `post.published`. */
  type: string;
  /** The producing service, as a URI reference: `/services/publishing`. */
  source: string;
  /** RFC 3339 time the event happened. */
  time: string;
  datacontenttype: 'application/json';
  /** The aggregate id; also the Kafka message key. */
  subject: string;
  /** Payload schema version from the catalogue. */
  dataversion: number;
  /** Tenant; `null` only for platform-wide events. */
  workspaceid: string | null;
  /** Id of the originating request, carried unchanged through every hop. */
  correlationid: string;
  /** Id of the event (or request) that directly caused this one. */
  causationid: string | null;
  /** `user:<id>`, `service:<name>` or `system:<job>`. */
  actor: string;
  data: T;
}

export interface NewEvent<T> {
  type: string;
  source: string;
  subject: string;
  dataversion: number;
  workspaceId: string | null;
  correlationId: string;
  causationId?: string | null;
  actor: EventActor;
  data: T;
  /** Defaults to now; injectable for tests. */
  time?: Date;
  id?: string;
}

export function createEnvelope<T>(e: NewEvent<T>): EventEnvelope<T> {
  return {
    specversion: '1.0',
    id: e.id ?? uuidv7(),
    type: e.type,
    source: e.source,
    time: (e.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    subject: e.subject,
    dataversion: e.dataversion,
    workspaceid: e.workspaceId,
    correlationid: e.correlationId,
    causationid: e.causationId ?? null,
    actor: formatActor(e.actor),
    data: e.data,
  };
}

const REQUIRED: (keyof EventEnvelope)[] = ['specversion', 'id', 'type', 'source', 'time', 'subject', 'correlationid', 'actor'];

/** Parses a Kafka message value; throws a descriptive error for anything that is not an envelope. */
export function parseEnvelope(value: Buffer | string | null): EventEnvelope {
  if (value === null) throw new Error('empty message value (tombstone) is not an event envelope');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    throw new Error('message value is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error('message value is not a JSON object');
  const env = parsed as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => env[k] === undefined || env[k] === null);
  if (missing.length) throw new Error(`event envelope lacks ${missing.join(', ')}`);
  if (env.specversion !== '1.0') throw new Error(`unsupported CloudEvents specversion ${String(env.specversion)}`);
  return parsed as EventEnvelope;
}
