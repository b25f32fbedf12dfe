export * from './env';
export * from './strict-mock';
