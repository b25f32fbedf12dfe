/** Injection tokens shared by every service. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** A dependency the service needs before it can take traffic (database, Kafka, …). */
export interface ReadinessCheck {
  name: string;
  /** Resolves with details when healthy; throws when not. */
  check(): Promise<Record<string, unknown> | void>;
}
