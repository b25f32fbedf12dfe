export * from './migrate';
export * from './mongo';
export * from './postgres';
