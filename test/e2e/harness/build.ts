/**
 * The e2e tests drive the built renderer (dist/renderer), as the app loads it. It is rebuilt here
 * when missing or older than any renderer source (or the IPC contract it is typed against).
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
export const RENDERER_DIST = join(REPO_ROOT, 'dist', 'renderer');

function newest(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((max, name) => (name === 'node_modules' ? max : Math.max(max, newest(join(path, name)))), st.mtimeMs);
}

export function rendererIsStale(): boolean {
  const built = statSync(join(RENDERER_DIST, 'index.html'), { throwIfNoEntry: false });
  if (!built) return true;
  const sources = Math.max(newest(join(REPO_ROOT, 'renderer')), newest(join(REPO_ROOT, 'main', 'ipc', 'contract.ts')));
  return sources > built.mtimeMs;
}

/** e2e files run in parallel processes: one builds while the others wait, then find it fresh. */
const LOCK = join(REPO_ROOT, 'dist', '.renderer-build.lock');
const LOCK_STALE_MS = 5 * 60_000;

async function withBuildLock(fn: () => Promise<void>): Promise<void> {
  await mkdir(join(REPO_ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = await stat(LOCK).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rmdir(LOCK).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

export async function ensureRendererBuilt(): Promise<void> {
  if (!rendererIsStale()) return;
  await withBuildLock(async () => {
    if (rendererIsStale()) await buildRenderer();
  });
}

async function buildRenderer(): Promise<void> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', join('renderer', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
  });
}
