export * from './types';
export { ConfigError, CONFIG_INVALID, configEntryError, formatProblem } from './problems';
export {
  CONFIG_UNREADABLE,
  loadConfigFile,
  loadDeleteConfigFile,
  parseAnyConfig,
  parseConfig,
  parseDeleteConfig,
  unsupportedSections,
  type UnsupportedSection,
} from './load';
export { compileBlockPattern, isBlocked, type BlockDecision, type BlockPattern, type BlockPatternInput } from './blocked';
export { describeMigration, migrateConfig, migrateConfigWithReport, type MigrationResult } from './migrate';
export { MIGRATION_HINT } from './validate';
