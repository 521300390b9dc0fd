import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

/**
 * Child process of the benchmark: `node -r tsx/cjs bench/verify-set.ts <media module> <set dir>`
 * runs the engine's deep verifier (what `airlock mirror` does after writing) over a transfer set
 * and prints one JSON line. The media module is src/media (through tsx) or the built dist/src/media,
 * whichever engine the benchmark measures.
 */

interface VerifyModule {
  verifyTransferSet(dir: string, options: { deep: boolean; direct?: boolean }): Promise<{ ok: boolean; bytesVerified: number; problems: ReadonlyArray<{ message: string }> }>;
}

async function main(): Promise<void> {
  const [modulePath, dir] = process.argv.slice(2);
  if (!modulePath || !dir) throw new Error('usage: verify-set.ts <media module> <set dir>');
  const media = createRequire(__filename)(modulePath) as VerifyModule;
  const started = performance.now();
  const report = await media.verifyTransferSet(dir, { deep: true, direct: true });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ok: report.ok, bytesVerified: report.bytesVerified, seconds, problems: report.problems.slice(0, 5).map((p) => p.message) })}\n`);
  if (!report.ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 2;
});
