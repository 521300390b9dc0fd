export * from './station-key';
export * from './trust';
