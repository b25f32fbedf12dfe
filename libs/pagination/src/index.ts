export * from './cursor';
export * from './page.request';
export * from './date-range.request';
