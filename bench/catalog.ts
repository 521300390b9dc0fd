import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { writeCatalogImageFromDirectory, writeLargeCatalog } from '../test/fixtures/catalogs';
import type { ProbeResult } from '../test/fixtures/catalog-scale-probe';

/**
 * `npx tsx bench/catalog.ts`: the operator catalog at the size of the real redhat-operator-index
 * (320 packages, ~17,000 bundles, ~230 MB of FBC JSON; see test/fixtures/catalogs.ts), read and
 * filtered (scenario 1 heads, scenario 2 everything, channel ranges) from a directory and from a
 * catalog image (OCI layout, one gzip layer), each in a process of its own. Goal: under 10 s and
 * under 1 GB peak RSS per run. Writes bench-results/catalog-<time>.json; exits 1 when a goal is missed.
 */

const REPO = resolve(__dirname, '..');
const GOALS = { totalMs: 10_000, maxRssBytes: 1e9 } as const;

const USAGE = `usage: npx tsx bench/catalog.ts [--packages N] [--tmp <dir>] [--keep]
  --packages N   packages in the generated catalog (default 320; ~53 bundles each)
  --tmp <dir>    where the catalog and its image are written (default $BENCH_TMPDIR or the system temp dir)
  --keep         keep them`;

function probe(mode: 'dir' | 'oci', path: string): Promise<ProbeResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'fixtures', 'catalog-scale-probe.ts'), mode, path], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`probe ${mode} exited with ${String(code)}`));
      else resolvePromise(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ProbeResult);
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { packages: { type: 'string', default: '320' }, tmp: { type: 'string', default: process.env.BENCH_TMPDIR ?? tmpdir() }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const packages = Number(values.packages);
  if (!Number.isSafeInteger(packages) || packages < 1) throw new Error('--packages must be a positive whole number');
  const work = await mkdtemp(join(resolve(values.tmp ?? tmpdir()), 'airlock-bench-catalog-'));
  try {
    let t = performance.now();
    const info = await writeLargeCatalog(join(work, 'configs'), { packages });
    const generateMs = Math.round(performance.now() - t);
    process.stdout.write(`catalog: ${info.packages} packages, ${info.channels} channels, ${info.bundles} bundles, ${(info.bytes / 1e6).toFixed(0)} MB of FBC (generated in ${generateMs} ms)\n`);
    t = performance.now();
    await writeCatalogImageFromDirectory(join(work, 'configs'), join(work, 'image'));
    process.stdout.write(`catalog image (OCI layout, one gzip layer) written in ${Math.round(performance.now() - t)} ms\n\n`);

    const results: ProbeResult[] = [await probe('dir', join(work, 'configs')), await probe('oci', join(work, 'image'))];
    const rows = results.map((r) => ({
      source: r.mode === 'dir' ? 'directory' : 'image (gunzip + tar)',
      read: `${r.readMs} ms`,
      filter: `${r.filterMs} ms`,
      total: `${r.totalMs} ms`,
      'peak RSS': `${(r.maxRssBytes / 1e6).toFixed(0)} MB`,
      kept: `heads ${r.kept.heads}, full ${r.kept.full}, ranges ${r.kept.ranges}`,
      goal: r.totalMs < GOALS.totalMs && r.maxRssBytes < GOALS.maxRssBytes ? 'met' : 'MISSED',
    }));
    console.table(rows);
    await mkdir(join(REPO, 'bench-results'), { recursive: true });
    const file = join(REPO, 'bench-results', `catalog-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}.json`);
    await writeFile(file, `${JSON.stringify({ catalog: info, generateMs, goals: GOALS, results }, null, 2)}\n`);
    process.stdout.write(`\nwritten ${file}\n`);
    return results.every((r) => r.totalMs < GOALS.totalMs && r.maxRssBytes < GOALS.maxRssBytes) ? 0 : 1;
  } finally {
    if (values.keep) process.stdout.write(`kept ${work}\n`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
