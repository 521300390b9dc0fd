import pkg from '../package.json';

export const AIRLOCK_VERSION: string = pkg.version;
