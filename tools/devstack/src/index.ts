export * from './kafka-mock';
export * from './postgres';
export * from './stack';
