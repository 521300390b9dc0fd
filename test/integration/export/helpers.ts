import { execFile, spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'bin', 'airlock.js');

export async function writeConfig(dir: string, name: string, lines: readonly string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** An ImageSetConfiguration with these additional and blocked images. */
export function iscLines(images: readonly string[], blocked: readonly string[] = [], archiveSize?: number): string[] {
  return [
    'kind: ImageSetConfiguration',
    'apiVersion: mirror.openshift.io/v2alpha1',
    ...(archiveSize === undefined ? [] : [`archiveSize: ${archiveSize}`]),
    'mirror:',
    '  additionalImages:',
    ...images.map((i) => `    - name: ${i}`),
    ...(blocked.length > 0 ? ['  blockedImages:', ...blocked.map((b) => `    - name: ${b}`)] : []),
  ];
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the airlock CLI as an operator would, in its own process. */
export function airlock(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the CLI without waiting, for tests that kill it. */
export function startAirlock(args: readonly string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function listCache(cacheDir: string): Promise<string[]> {
  try {
    return (await readdir(join(cacheDir, 'blobs', 'sha256'))).map((hex) => `sha256:${hex}`);
  } catch {
    return [];
  }
}

/**
 * Blobs the cache has downloaded completely: its entries, and the downloads that wait for their
 * part's read-back to be proven (pending/<hex>.<pid>.<random>), which a re-run checks and keeps.
 */
export async function listDownloaded(cacheDir: string): Promise<string[]> {
  const pending = await readdir(join(cacheDir, 'pending')).catch(() => [] as string[]);
  return [...new Set([...(await listCache(cacheDir)), ...pending.map((name) => `sha256:${name.split('.')[0]}`)])];
}
