/**
 * The export form's pickers through the IPC server with the real handlers and services:
 * catalog:summary reads a small catalog (an OCI layout and a plain FBC directory, no registry), and
 * releases:channel asks the loopback update-graph fixture named by UPDATE_URL_OVERRIDE.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CatalogSummaryView, ReleaseChannelOffer, Result } from '../../../../main/ipc/contract';
import { createIpcHandlers } from '../../../../main/ipc/handlers';
import { createIpcServer, type IpcServer } from '../../../../main/ipc/server';
import { AppServices } from '../../../../main/services/app-services';
import { SMALL_CATALOG, writeCatalogDirectory, writeCatalogImageFromDirectory } from '../../../fixtures/catalogs';
import { startUpdateGraphServer, type UpdateGraphServer } from '../../../fixtures/update-graph';

const TRUSTED = 'app://airlock/index.html';

const COMPLIANCE = {
  name: 'compliance-operator',
  defaultChannel: 'stable',
  channels: [
    { name: 'stable', bundles: 5, headVersion: '6.1.0', minVersion: '5.5.0', maxVersion: '6.1.0' },
    { name: 'stable-5.5', bundles: 3, headVersion: '5.5.2', minVersion: '5.5.0', maxVersion: '5.5.2' },
  ],
};
const PACKAGES = ['cluster-logging', 'compliance-operator', 'elasticsearch-operator', 'file-integrity-operator'];

describe('catalog:summary and releases:channel', () => {
  let dir: string;
  let catalogDir: string;
  let layoutDir: string;
  let graph: UpdateGraphServer;
  let services: AppServices;
  let server: IpcServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-pickers-'));
    catalogDir = join(dir, 'catalog');
    layoutDir = join(dir, 'layout');
    await writeCatalogDirectory(catalogDir, SMALL_CATALOG);
    await writeCatalogImageFromDirectory(catalogDir, layoutDir);
    graph = await startUpdateGraphServer();
    services = await AppServices.create({
      stationDir: join(dir, 'data'),
      defaultCacheDir: join(dir, 'cache'),
      dialogs: { openFile: async () => undefined, chooseFolder: async () => undefined, saveFile: async () => undefined },
      printer: { toPdf: async () => new Uint8Array() },
      clipboard: { writeText: () => undefined },
      drives: { list: async () => [], eject: async () => ({ ejected: '', poweredOff: false }) },
      jobHost: { spawn: () => ({ post: () => undefined, onMessage: () => undefined, onExit: () => undefined, terminate: async () => undefined }) },
      notify: () => undefined,
      hostname: 'test-station',
      env: { UPDATE_URL_OVERRIDE: graph.url },
    });
    server = createIpcServer(createIpcHandlers(services));
  });

  after(async () => {
    await services.shutdown();
    await graph.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const summary = async (catalog: string): Promise<Result<CatalogSummaryView>> => (await server.invoke('catalog:summary', TRUSTED, [{ catalog }])) as Result<CatalogSummaryView>;

  it('summarises a catalog image in an OCI layout, pinned to its digest', async () => {
    const result = await summary(`oci://${layoutDir}`);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.packages.map((p) => p.name), PACKAGES);
    assert.deepEqual(result.value.packages.find((p) => p.name === 'compliance-operator'), COMPLIANCE);
    assert.equal(result.value.truncated, false);
    assert.match(result.value.pinned ?? '', new RegExp(`^oci://${layoutDir}@sha256:[0-9a-f]{64}$`));
  });

  it('summarises a file-based catalog directory', async () => {
    const result = await summary(`oci://${catalogDir}`);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.packages.map((p) => p.name), PACKAGES);
    assert.deepEqual(result.value.packages.find((p) => p.name === 'compliance-operator'), COMPLIANCE);
    assert.equal(result.value.pinned, undefined);
  });

  const refusals: ReadonlyArray<readonly [string, string, string]> = [
    ['a catalog that is not there', 'oci:///nonexistent/airlock-catalog', 'CATALOG_UNAVAILABLE'],
    ['an OCI path with dot segments', 'oci:///srv/../etc', 'CATALOG_UNAVAILABLE'],
    ['a reference without a registry', 'redhat-operator-index:v4.19', 'REFERENCE_INVALID'],
  ];
  for (const [why, catalog, code] of refusals) {
    it(`answers ${why} with ${code} in the envelope`, async () => {
      const result = await summary(catalog);
      assert.equal(result.ok ? 'ok' : result.error.code, code);
    });
  }

  it('lists what a release channel offers, from the graph UPDATE_URL_OVERRIDE names', async () => {
    const result = (await server.invoke('releases:channel', TRUSTED, [{ channel: 'stable-4.18' }])) as Result<ReleaseChannelOffer>;
    assert.deepEqual(result, {
      ok: true,
      value: { channel: 'stable-4.18', type: 'ocp', architecture: 'amd64', versions: ['4.18.0', '4.18.1', '4.18.2', '4.18.3', '4.18.4', '4.18.5'], head: '4.18.5' },
    });
    const arm = (await server.invoke('releases:channel', TRUSTED, [{ channel: 'candidate-4.20', architecture: 'arm64' }])) as Result<ReleaseChannelOffer>;
    assert.deepEqual(arm.ok && arm.value.versions, ['4.20.0-rc.0', '4.20.0-rc.1', '4.20.0']);
    assert.deepEqual(
      graph.requests.map((r) => [r.channel, r.arch, r.accept]),
      [
        ['stable-4.18', 'amd64', 'application/json'],
        ['candidate-4.20', 'arm64', 'application/json'],
      ],
    );
  });

  it('answers a channel the service does not know with RELEASE_CHANNEL_UNKNOWN', async () => {
    const result = await server.invoke('releases:channel', TRUSTED, [{ channel: 'stable-9.99' }]);
    assert.equal(result.ok ? 'ok' : result.error.code, 'RELEASE_CHANNEL_UNKNOWN');
    assert.match(result.ok ? '' : result.error.message, /stable-9\.99/);
  });
});
