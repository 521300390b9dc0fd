import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where history, keys and settings live: $AIRLOCK_DATA_DIR, else the XDG data directory. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRLOCK_DATA_DIR) return env.AIRLOCK_DATA_DIR;
  return join(env.XDG_DATA_HOME ?? join(env.HOME ?? homedir(), '.local', 'share'), 'airlock');
}

/** Where pulled blobs are cached: $AIRLOCK_CACHE_DIR, else the XDG cache directory. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIRLOCK_CACHE_DIR) return env.AIRLOCK_CACHE_DIR;
  return join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'airlock');
}

export function historyFile(dataDir: string): string {
  return join(dataDir, 'history.db');
}

/** The run's own files inside a workspace; never part of a transfer set. */
export function workingDir(workspace: string): { root: string; logs: string; dryRun: string; state: string; clusterResources: string } {
  const root = join(workspace, 'working-dir');
  return { root, logs: join(root, 'logs'), dryRun: join(root, 'dry-run'), state: join(root, 'state'), clusterResources: join(root, 'cluster-resources') };
}
