export * from './jwt.guard';
export * from './jwt.verifier';
export * from './jwt.strategy';
