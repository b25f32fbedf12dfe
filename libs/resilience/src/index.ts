export * from './breaker';
export * from './upstream';
