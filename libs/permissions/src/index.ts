export * from './compact';
export * from './evaluate';
export * from './matrix';
export * from './requires.guard';
export * from './roles';
