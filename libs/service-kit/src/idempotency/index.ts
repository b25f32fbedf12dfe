export * from './idempotency.entities';
export * from './idempotency.interceptor';
export * from './idempotency.store';
export * from './mongo-idempotency.store';
export * from './idempotency.replay';
