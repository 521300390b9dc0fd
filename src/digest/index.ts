export * from './digest';
export * from './verify-stream';
