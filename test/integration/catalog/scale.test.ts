import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeCatalogImageFromDirectory, writeLargeCatalog, type LargeCatalogInfo } from '../../fixtures/catalogs';
import type { ProbeResult } from '../../fixtures/catalog-scale-probe';

// The scale goal: a catalog the size of the real redhat-operator-index (at least 300
// packages and 15,000 bundles with replaces/skips/skipRange graphs) is read and filtered in under
// 10 s with under 1 GB RSS. The reading and filtering run in a child process so that its peak RSS
// is theirs alone. `npx tsx bench/catalog.ts` prints the same numbers as a table.

const REPO = resolve(__dirname, '..', '..', '..');
const LIMIT_MS = 10_000;
const LIMIT_RSS = 1e9;

function probe(mode: 'dir' | 'oci', path: string): Promise<ProbeResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'fixtures', 'catalog-scale-probe.ts'), mode, path], { cwd: REPO, timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolvePromise(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ProbeResult);
    });
  });
}

describe('a catalog at the size of the redhat-operator-index', () => {
  let tmp: string;
  let info: LargeCatalogInfo;
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'airlock-catalog-scale-'));
    info = await writeLargeCatalog(join(tmp, 'configs'));
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  it('is generated at size, deterministically', async () => {
    assert.ok(info.packages >= 300, `${info.packages} packages`);
    assert.ok(info.bundles >= 15_000, `${info.bundles} bundles`);
    assert.ok(info.bytes >= 150e6, `${info.bytes} bytes`);
    await writeLargeCatalog(join(tmp, 'again'), { packages: 3 });
    for (const pkg of ['operator-000', 'operator-001', 'operator-002']) {
      const [a, b] = await Promise.all([readFile(join(tmp, 'configs', pkg, 'catalog.json')), readFile(join(tmp, 'again', pkg, 'catalog.json'))]);
      assert.ok(a.equals(b), `${pkg} differs between two generations`);
    }
  });

  it('is read from a directory and filtered in under 10 s with under 1 GB RSS', async () => {
    const r = await probe('dir', join(tmp, 'configs'));
    assert.equal(r.packages, info.packages);
    assert.equal(r.bundles, info.bundles);
    assert.equal(r.kept.full, info.bundles);
    assert.ok(r.kept.heads > info.packages && r.kept.heads < info.bundles / 5, `heads ${r.kept.heads}`);
    assert.ok(r.totalMs < LIMIT_MS, `took ${r.totalMs} ms`);
    assert.ok(r.maxRssBytes < LIMIT_RSS, `peak RSS ${r.maxRssBytes}`);
  });

  it('is read from a catalog image (gunzip + tar, streaming) and filtered in under 10 s with under 1 GB RSS', async () => {
    await writeCatalogImageFromDirectory(join(tmp, 'configs'), join(tmp, 'image'));
    const r = await probe('oci', join(tmp, 'image'));
    assert.equal(r.bundles, info.bundles);
    assert.ok(r.totalMs < LIMIT_MS, `took ${r.totalMs} ms`);
    assert.ok(r.maxRssBytes < LIMIT_RSS, `peak RSS ${r.maxRssBytes}`);
  });
});
