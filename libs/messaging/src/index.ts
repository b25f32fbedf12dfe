export * from './backoff';
export * from './dedupe.store';
export * from './event.consumer';
export * from './kafka';
export * from './outbox.entities';
export * from './outbox.relay';
export * from './outbox.writer';
export * from './mongo-dedupe.store';
