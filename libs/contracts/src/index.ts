export * from './envelope';
export * from './errors';
export * from './payloads';
export * from './services';
export * from './topics';
export * from './enums';
export * from './plans';
export * from './time-zone';
