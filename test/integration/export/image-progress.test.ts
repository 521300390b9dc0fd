/**
 * Per-image byte progress from the engine, as the app draws it: a real export from the fixture
 * registry and an import into a second one, each behind a proxy that slows the bytes down to about
 * a second per image, so that the events between an image's start and its end (and their
 * throttling) can be seen at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { startFaultProxy, type FaultProxy } from '../../fixtures/fault-proxy';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { runExport } from '../../../src/jobs/export';
import { runImport } from '../../../src/jobs/import';
import type { JobEvent } from '../../../src/jobs/events';
import { loadOrCreateStationKey, publicKeyPem, trustKey } from '../../../src/keys';
import { airlock, iscLines, writeConfig } from './helpers';

const KiB = 1024;
const MiB = 1024 * KiB;
const BASE = { size: MiB, seed: 'image-progress-base' };
/** The engine's default: at most four reports a second per image while its bytes move. */
const INTERVAL_MS = 250;

type ImageProgressEvent = Extract<JobEvent, { type: 'image-progress' }>;
interface Seen {
  readonly at: number;
  readonly event: JobEvent;
}

function recorder(): { seen: Seen[]; onEvent: (event: JobEvent) => void } {
  const seen: Seen[] = [];
  return { seen, onEvent: (event) => seen.push({ at: Date.now(), event }) };
}

function progressOf(seen: readonly Seen[], source: string): Array<{ at: number; event: ImageProgressEvent }> {
  return seen.filter((s): s is { at: number; event: ImageProgressEvent } => s.event.type === 'image-progress' && s.event.source === source);
}

/** Starts at zero, ends full, keeps its total, and says nothing in between more often than allowed. */
function checkImage(seen: readonly Seen[], source: string, phase: 'pull' | 'push'): { total: number; between: number } {
  const mine = progressOf(seen, source);
  assert.ok(mine.length >= 2, `${source}: ${mine.length} image-progress events`);
  const first = mine[0]?.event;
  const last = mine.at(-1)?.event;
  assert.ok(first && last);
  assert.equal(first.done, 0, `${source} starts at zero`);
  assert.equal(last.done, last.total, `${source} ends full`);
  for (const { event } of mine) {
    assert.equal(event.phase, phase);
    assert.equal(event.total, last.total, `${source}: one total throughout`);
  }
  for (let i = 1; i < mine.length; i++) {
    const { at, event } = mine[i] as { at: number; event: ImageProgressEvent };
    if (event.done >= event.total) continue;
    const gap = at - (mine[i - 1] as { at: number }).at;
    assert.ok(gap >= INTERVAL_MS - 5, `${source}: ${gap} ms between two reports while its bytes move`);
  }
  const done = seen.findIndex((s) => s.event.type === 'image' && s.event.source === source && (s.event.status === 'pulled' || s.event.status === 'pushed'));
  assert.ok(done > seen.indexOf(mine.at(-1) as Seen), `${source}: its bytes are complete before it is reported ${phase === 'pull' ? 'pulled' : 'pushed'}`);
  return { total: last.total, between: mine.filter((m) => m.event.done > 0 && m.event.done < m.event.total).length };
}

function phaseTotal(seen: readonly Seen[], phase: 'pull' | 'push'): number {
  const event = seen.find((s) => s.event.type === 'phase' && s.event.phase === phase)?.event;
  assert.ok(event?.type === 'phase' && event.total !== undefined, `a ${phase} phase with a total`);
  return event.total;
}

describe('per-image byte progress (image-progress events)', { timeout: 120_000 }, () => {
  let source: RegistryFixture;
  let target: RegistryFixture;
  let slowSource: FaultProxy;
  let slowTarget: FaultProxy;
  let pushed: PushedImage[];
  let work: string;
  let config: string;
  const sum = (image: PushedImage): number => image.blobs.reduce((n, b) => n + b.size, 0);
  const image = (repo: string): PushedImage => pushed.find((p) => p.repo === repo) as PushedImage;
  const via = (repo: string): string => `${slowSource.host}/${repo}:${image(repo).tag}`;

  before(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry()]);
    pushed = await seedRegistry(source, [
      { repo: 'org/app', tag: 'v1', spec: { seed: 'progress-app', format: 'oci', layers: [BASE, 512 * KiB] } },
      { repo: 'org/tool', tag: 'v2', spec: { seed: 'progress-tool', format: 'docker', layers: [BASE, 256 * KiB] } },
      { repo: 'org/small', tag: 'v3', spec: { seed: 'progress-small', format: 'oci', layers: [64 * KiB] } },
    ]);
    [slowSource, slowTarget] = await Promise.all([startFaultProxy(source), startFaultProxy(target)]);
    slowSource.pace({ downloads: MiB });
    slowTarget.pace({ uploads: MiB });
    work = await mkdtemp(join(tmpdir(), 'airlock-image-progress-'));
    config = await writeConfig(work, 'isc.yaml', iscLines(['org/app', 'org/tool', 'org/small'].map(via)));
  });

  after(async () => {
    await Promise.all([slowSource?.stop(), slowTarget?.stop()]);
    await Promise.all([source?.stop(), target?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('reports each image of an export as it downloads, throttled, a shared layer counted once', async () => {
    const { seen, onEvent } = recorder();
    const report = await runExport({ configFile: config, workspace: join(work, 'drive'), cacheDir: join(work, 'cache'), dataDir: join(work, 'data'), srcTlsVerify: false, parallelImages: 4, onEvent });
    assert.equal(report.failed, 0);

    const app = checkImage(seen, via('org/app'), 'pull');
    const tool = checkImage(seen, via('org/tool'), 'pull');
    const small = checkImage(seen, via('org/small'), 'pull');
    // The first image to start owns the base layer both share; the totals add up to the phase's.
    const shared = image('org/app').blobs.find((b) => image('org/tool').blobs.some((t) => t.digest === b.digest));
    assert.ok(shared, 'the fixture shares a layer');
    assert.equal(app.total, sum(image('org/app')));
    assert.equal(tool.total, sum(image('org/tool')) - shared.size);
    assert.equal(small.total, sum(image('org/small')));
    assert.equal(app.total + tool.total + small.total, phaseTotal(seen, 'pull'));
    assert.ok(app.between >= 1, `the app image was seen part-way (${app.between} reports between start and end)`);
  });

  it('reports each image of an import as it uploads, throttled', async () => {
    const dataDir = join(work, 'enclave');
    await trustKey(dataDir, publicKeyPem(await loadOrCreateStationKey(join(work, 'data'))), 'connected station');
    const { seen, onEvent } = recorder();
    const report = await runImport({ from: join(work, 'drive'), target: `${slowTarget.host}/mirror`, dataDir, destTlsVerify: false, workspace: join(work, 'ws'), onEvent });
    assert.ok(report.images.every((i) => i.status === 'pushed'), JSON.stringify(report.images));

    // Upload progress counts bytes handed to the connection: on loopback the socket buffers take a
    // test image whole, so here (unlike the download) the reports in between are not asserted.
    const totals = report.images.map((i) => checkImage(seen, i.source, 'push'));
    assert.equal(totals.reduce((n, t) => n + t.total, 0), phaseTotal(seen, 'push'));
    assert.equal(seen.filter((s) => s.event.type === 'image-progress' && s.event.phase === 'pull').length, 0, 'an import only pushes');
  });

  it('adds image-progress lines to the CLI\'s --json output and leaves the other events as they were', async () => {
    const result = await airlock(['mirror', '-c', config, `file://${join(work, 'json-drive')}`, '--src-tls-verify=false', '--cache-dir', join(work, 'json-cache'), '--data-dir', join(work, 'json-data'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const keys = (type: string): string[] => [...new Set(lines.filter((l) => l.type === type).map((l) => Object.keys(l).sort().join(',')))];
    assert.deepEqual(keys('image-progress'), ['done,phase,source,time,total,type']);
    assert.ok(lines.some((l) => l.type === 'image-progress' && l.source === via('org/app') && l.done === l.total));
    assert.ok(keys('progress').every((k) => ['done,phase,time,total,type', 'done,item,phase,time,total,type'].includes(k)), keys('progress').join(' | '));
    assert.deepEqual(keys('image').filter((k) => k !== 'message,source,status,time,type'), ['source,status,time,type']);
    assert.equal(lines.at(-1)?.type, 'report');
  });
});
