export * from './cursor';
export * from './page.request';
