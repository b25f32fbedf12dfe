export * from './jwt.guard';
export * from './jwt.verifier';
