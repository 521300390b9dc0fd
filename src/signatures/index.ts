export * from './tags';
export * from './policy';
export * from './find';
export * from './select';
