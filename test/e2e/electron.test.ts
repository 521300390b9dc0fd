/**
 * The same journeys in the real app: Playwright launches Electron on the built main process
 * (dist/main/main.js) and drives its window. Native dialogs are answered by replacing Electron's
 * dialog functions in the main process. Where the Electron binary is not installed (it cannot be
 * downloaded on every build machine) the suite is skipped with the reason, never counted as passed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { CONTENT_SECURITY_POLICY } from '../../main/csp';
import { seedRegistry, type PushedImage } from '../fixtures/images';
import { startRegistry, type RegistryFixture } from '../fixtures/registry';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../fixtures/skopeo';
import { copyStationKey, exportFlow, importFlow, trustStation, type DialogKind, type FlowStation } from './flows';
import { ensureRendererBuilt, REPO_ROOT } from './harness/build';

const KiB = 1024;

function electronBinary(): { path: string } | { reason: string } {
  let path: unknown;
  try {
    path = createRequire(__filename)('electron');
  } catch (err) {
    return { reason: `the electron package cannot be loaded (${(err as Error).message.split('\n')[0]}): its binary was not downloaded on this machine; run \`node scripts/ensure-electron.mjs\` where github.com (or ELECTRON_MIRROR) is reachable` };
  }
  if (typeof path !== 'string' || !existsSync(path)) return { reason: `the Electron binary is not installed (expected at ${String(path)})` };
  return { path };
}

const electron = electronBinary();
const skip = 'reason' in electron ? `Electron e2e not run: ${electron.reason}` : false;
if (skip) process.stdout.write(`# ${skip}\n`);

/** Answers native dialogs from the main process, in order, by replacing Electron's dialog functions. */
async function installDialogQueue(app: ElectronApplication): Promise<void> {
  await app.evaluate(({ dialog }) => {
    const queue: Array<{ kind: string; path: string }> = [];
    (globalThis as unknown as { __airlockDialogs: typeof queue }).__airlockDialogs = queue;
    const take = (kind: string): string | undefined => {
      const i = queue.findIndex((q) => q.kind === kind);
      return i < 0 ? undefined : queue.splice(i, 1)[0]?.path;
    };
    dialog.showOpenDialog = (async (...args: unknown[]) => {
      const options = args[args.length - 1] as { properties?: string[] };
      const path = take(options.properties?.includes('openDirectory') ? 'chooseFolder' : 'openFile');
      return { canceled: path === undefined, filePaths: path === undefined ? [] : [path] };
    }) as typeof dialog.showOpenDialog;
    dialog.showSaveDialog = (async () => {
      const path = take('saveFile');
      return { canceled: path === undefined, filePath: path ?? '' };
    }) as typeof dialog.showSaveDialog;
  });
}

function flowStation(app: ElectronApplication, page: Page): FlowStation {
  return {
    page,
    answerDialog: async (kind: DialogKind, path: string) => {
      await app.evaluate((_electron, [k, p]) => {
        (globalThis as unknown as { __airlockDialogs: Array<{ kind: string; path: string }> }).__airlockDialogs.push({ kind: k as string, path: p as string });
      }, [kind, path] as const);
    },
    clipboard: () => app.evaluate(({ clipboard }) => clipboard.readText()),
  };
}

describe('the real app under Electron', { skip, timeout: 300_000 }, () => {
  let source: RegistryFixture;
  let enclave: RegistryFixture;
  let pushed: PushedImage[];
  let work: string;
  let app: ElectronApplication;
  let page: Page;
  let setId = '';

  before(async () => {
    if ('reason' in electron) return;
    await ensureRendererBuilt();
    await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')], { cwd: REPO_ROOT });
    [source, enclave] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd', username: 'enclave-admin', password: 'enclave-secret-pw' })]);
    pushed = await seedRegistry(source, [
      { repo: 'org/app', tag: 'v1', spec: { seed: 'e2e-app', format: 'oci', layers: [300 * KiB] } },
      { repo: 'org/tool', tag: 'v2', spec: { kind: 'index', seed: 'e2e-tool', format: 'oci', layers: [200 * KiB] } },
      { repo: 'org/secret', tag: 'v3', spec: { seed: 'e2e-secret', format: 'oci' } },
    ]);
    work = await mkdtemp(join(tmpdir(), 'airlock-electron-'));
    await mkdir(join(work, 'drive'));
    app = await _electron.launch({
      executablePath: electron.path,
      args: [REPO_ROOT],
      env: { ...process.env, AIRLOCK_DATA_DIR: join(work, 'data'), AIRLOCK_CACHE_DIR: join(work, 'cache'), ELECTRON_DISABLE_SECURITY_WARNINGS: 'false' },
    });
    page = await app.firstWindow();
    page.setDefaultTimeout(60_000);
    await installDialogQueue(app);
    await page.getByRole('heading', { level: 1, name: 'Export' }).waitFor();
  });

  after(async () => {
    await app?.close();
    await Promise.all([source?.stop(), enclave?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows the app over app:// with the CSP and hardened webPreferences', async () => {
    assert.match(page.url(), /^app:\/\/airlock\//);
    // Isolated and sandboxed: the page sees neither Node nor Electron, only the preload's verbs.
    assert.deepEqual(await page.evaluate('[typeof require, typeof process, typeof module, Object.keys(window.airlock).length]'), ['undefined', 'undefined', 'undefined', 14]);
    const csp = await page.evaluate(`fetch(location.href).then((r) => r.headers.get('content-security-policy'))`);
    assert.equal(csp, CONTENT_SECURITY_POLICY);
  });

  it('exports to a folder and imports it back into a registry, one station trusting itself', async () => {
    const station = flowStation(app, page);
    const ref = (repo: string): string => pushed.find((p) => p.repo === repo)?.reference ?? '';
    setId = await exportFlow(station, {
      images: [ref('org/app'), ref('org/tool'), ref('org/secret')],
      blocked: `${source.host}/org/secret`,
      media: { kind: 'folder', path: join(work, 'drive') },
      receiptPath: join(work, 'export-receipt.pdf'),
    });
    await trustStation(station, await copyStationKey(station), 'this station');
    await importFlow(station, {
      setId,
      media: { kind: 'folder', path: join(work, 'drive') },
      trustedLabel: 'this station',
      target: `${enclave.host}/mirror`,
      username: enclave.username ?? '',
      password: enclave.password ?? '',
      receiptPath: join(work, 'import-receipt.pdf'),
    });
    const endpoint = skopeoEndpointFor(enclave);
    for (const image of pushed.filter((p) => p.repo !== 'org/secret')) {
      assert.equal(await skopeoInspectRawDigest(`docker://${enclave.host}/mirror/${image.repo}:${image.tag}`, endpoint), image.digest, image.repo);
    }
  });
});
