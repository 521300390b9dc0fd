export * from './database';
export * from './history';
export * from './migrations';
