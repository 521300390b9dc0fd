/**
 * Both wizards end to end in Debian's Chromium against real registries: a connected station exports
 * a generated image set to a "drive" (a temp folder), an enclave station trusts its key, verifies
 * the set and imports it into a second, password-protected registry; skopeo checks the digests.
 * Each station is the real main-process services under Node, bridged to the built renderer (see
 * harness/). Both registries sit behind a proxy that slows blob bytes down, so each image takes a
 * second or so and its own progress bar can be seen; an image carries a cosign signature, which
 * crosses only because "Carry cosign signatures" is on at both stations. Screenshots of every step
 * go to test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, open, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { pushCosignSignature, type PushedSignature } from '../fixtures/cosign-signatures';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy';
import { seedRegistry, type PushedImage } from '../fixtures/images';
import { startRegistry, type RegistryFixture } from '../fixtures/registry';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../fixtures/skopeo';
import { copyStationKey, exportFlow, importFlow, trustStation, type FlowStation } from './flows';
import { ensureRendererBuilt } from './harness/build';
import { launchChromium, screenshot } from './harness/browser';
import { Station } from './harness/station';
import { AppShell } from './pages/app-shell';

function harnessPorts(station: Station): FlowStation {
  return {
    page: station.page,
    answerDialog: async (kind, path) => station.dialogs.answer(kind, path),
    clipboard: async () => station.clipboard.at(-1) ?? '',
  };
}

const KiB = 1024;
const VIEWPORT = { width: 1024, height: 768 };
const STEP_TIMEOUT = 60_000;

describe('desktop app wizards in Chromium', { timeout: 240_000 }, () => {
  let source: RegistryFixture;
  let enclave: RegistryFixture;
  let slowSource: FaultProxy;
  let slowEnclave: FaultProxy;
  let pushed: PushedImage[];
  let signature: PushedSignature;
  let browser: Browser;
  let work: string;
  let drive: string;
  let connected: Station;
  let disconnected: Station;
  let setId = '';

  before(async () => {
    [, source, enclave] = await Promise.all([ensureRendererBuilt(), startRegistry(), startRegistry({ auth: 'htpasswd', username: 'enclave-admin', password: 'enclave-secret-pw' })]);
    pushed = await seedRegistry(source, [
      { repo: 'org/app', tag: 'v1', spec: { seed: 'e2e-app', format: 'oci', layers: [{ size: 1200 * KiB, seed: 'e2e-base' }, 600 * KiB] } },
      { repo: 'org/tool', tag: 'v2', spec: { kind: 'index', seed: 'e2e-tool', format: 'oci', layers: [400 * KiB] } },
      { repo: 'org/secret', tag: 'v3', spec: { seed: 'e2e-secret', format: 'oci' } },
    ]);
    const app = pushed.find((p) => p.repo === 'org/app');
    assert.ok(app);
    signature = await pushCosignSignature(source, 'org/app', app.digest, 'e2e-app-signature');
    [slowSource, slowEnclave] = await Promise.all([startFaultProxy(source), startFaultProxy(enclave)]);
    slowSource.pace({ downloads: 768 * KiB });
    slowEnclave.pace({ uploads: 768 * KiB });
    work = await mkdtemp(join(tmpdir(), 'airlock-e2e-'));
    drive = join(work, 'drive');
    await mkdir(drive);
    browser = await launchChromium();
    connected = await Station.launch(browser, { name: 'connected-station', dir: join(work, 'connected'), viewport: VIEWPORT });
    disconnected = await Station.launch(browser, { name: 'enclave-station', dir: join(work, 'enclave'), viewport: VIEWPORT });
    connected.drives.plug('AIRLOCK', drive);
    disconnected.drives.plug('AIRLOCK', drive);
    await Promise.all([connected.open(), disconnected.open()]);
  });

  afterEach(async (t) => {
    // What each station showed when a test failed, for the CI log's reader.
    if ((t as { passed?: boolean }).passed === false) {
      for (const station of [connected, disconnected]) if (station) await screenshot(station.page, `failed-${t.name.slice(0, 40).replace(/\W+/g, '-')}-${station.name}`).catch(() => undefined);
    }
  });

  after(async () => {
    await connected?.close();
    await disconnected?.close();
    await browser?.close();
    await Promise.all([slowSource?.stop(), slowEnclave?.stop()]);
    await Promise.all([source?.stop(), enclave?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The images are exported through the slow proxy: that is the registry the stations know. */
  const ref = (repo: string): string => {
    const image = pushed.find((p) => p.repo === repo);
    assert.ok(image, repo);
    return `${slowSource.host}/${image.repo}:${image.tag}`;
  };

  it('exports an image set to the drive: form and YAML in sync, errors at field and line, plan, media, transfer with per-image bars, cosign signatures, receipt, eject', async () => {
    connected.page.setDefaultTimeout(STEP_TIMEOUT);
    setId = await exportFlow(harnessPorts(connected), {
      images: [ref('org/app'), ref('org/tool'), ref('org/secret')],
      blocked: `${slowSource.host}/org/secret`,
      media: { kind: 'drive', label: 'AIRLOCK' },
      receiptPath: join(work, 'export-receipt.pdf'),
      shots: '',
      carrySignatures: 1,
      perImageProgress: true,
    });
    await connected.page.getByRole('button', { name: 'Eject drive' }).click();
    await connected.page.getByText('The drive was ejected. It is safe to unplug it.').waitFor();
    assert.deepEqual(connected.drives.ejected, ['/dev/sdb1']);
    const files = await readdir(drive);
    for (const name of ['transfer.json', 'transfer.json.sig', 'SHA256SUMS', 'mirror_000001.tar']) assert.ok(files.includes(name), `${name} on the drive: ${files.join(', ')}`);
    assert.deepEqual(connected.pageErrors, []);
  });

  it('trusts the connected station on the enclave station by its public key', async () => {
    const key = await copyStationKey(harnessPorts(connected));
    await trustStation(harnessPorts(disconnected), key, 'connected station, building 4', '');
  });

  it('imports the set into the enclave registry: media, verify, target with credentials and signatures, push with per-image bars, cluster resources', async () => {
    assert.ok(setId, 'the export ran');
    disconnected.page.setDefaultTimeout(STEP_TIMEOUT);
    await importFlow(harnessPorts(disconnected), {
      setId,
      media: { kind: 'drive', label: 'AIRLOCK' },
      trustedLabel: 'connected station, building 4',
      target: `${slowEnclave.host}/mirror`,
      username: enclave.username ?? '',
      password: enclave.password ?? '',
      receiptPath: join(work, 'import-receipt.pdf'),
      shots: '',
      carrySignatures: true,
      perImageProgress: [ref('org/app'), ref('org/tool'), `${slowSource.host}/org/app:${signature.tag}`],
      pushedImages: 3,
    });

    // skopeo, not Airlock, checks what arrived.
    const endpoint = skopeoEndpointFor(enclave);
    for (const repo of ['org/app', 'org/tool']) {
      const image = pushed.find((p) => p.repo === repo);
      assert.ok(image);
      assert.equal(await skopeoInspectRawDigest(`docker://${enclave.host}/mirror/${repo}:${image.tag}`, endpoint), image.digest, repo);
    }
    await assert.rejects(skopeoInspectRawDigest(`docker://${enclave.host}/mirror/org/secret:v3`, endpoint), 'the blocked image never crossed');
    // The switch reached both jobs: the signature crossed and sits beside its image, under its tag.
    assert.equal(await skopeoInspectRawDigest(`docker://${enclave.host}/mirror/org/app:${signature.tag}`, endpoint), signature.digest, 'the cosign signature');

    // The password was kept for the session only: nothing on disk holds it.
    const credentials = await readFile(join(work, 'enclave', 'data', 'credentials.json'), 'utf8').catch(() => '');
    assert.doesNotMatch(credentials, /enclave-secret-pw/);
    assert.deepEqual(disconnected.pageErrors, []);
  });

  it('shows the transfers in the history: filter, sort, detail, CSV', async () => {
    const page = disconnected.page;
    await new AppShell(page).go('History');
    const table = page.getByRole('grid', { name: 'Transfers on this station' });
    await table.waitFor();
    assert.ok((await table.locator('tbody tr').count()) >= 2, 'an import and a verification');
    await page.getByRole('button', { name: 'Imports' }).click();
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Transfers on this station"] tbody tr').length === 1);
    await page.getByRole('button', { name: 'All' }).click();
    await screenshot(page, '20-history');

    const csv = join(work, 'history.csv');
    disconnected.dialogs.answer('saveFile', csv);
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.getByText(`Saved to ${csv}`).waitFor();
    const text = await readFile(csv, 'utf8');
    assert.match(text, /^kind,setId,time,status,operator,host,registry,images,bytes,insecureAccepted\r\n/);
    assert.match(text, new RegExp(`import,${setId},`));

    await page.getByRole('button', { name: `Details of ${setId}` }).first().click();
    await page.getByRole('dialog').getByRole('heading', { name: `Details of ${setId}` }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();

    // Dark, following the operating system.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.classList.contains('pf-v6-theme-dark'));
    await screenshot(page, '21-history-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('verifies the set on the Verify page, and lists the damaged part once a byte on the drive flips', async () => {
    const page = disconnected.page;
    await new AppShell(page).go('Verify');
    await page.getByRole('radio', { name: /^AIRLOCK / }).check();
    await page.getByRole('radio', { name: `Select transfer set ${setId}` }).waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('The transfer set is intact and authentic.').waitFor();

    const part = await open(join(drive, 'mirror_000001.tar'), 'r+');
    const byte = Buffer.alloc(1);
    await part.read(byte, 0, 1, 4096);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await part.write(byte, 0, 1, 4096);
    await part.close();

    await page.getByRole('button', { name: 'Verify again' }).click();
    await page.getByText('The transfer set failed verification. Do not import it.').waitFor();
    await page.getByRole('grid', { name: 'Problems found' }).getByText('mirror_000001.tar').first().waitFor();
    await screenshot(page, '22-verify-damaged');
  });
});
