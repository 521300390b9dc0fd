/**
 * The security settings the issue names, asserted where they take effect: the window's
 * webPreferences as main creates the window, the CSP header and meta tag as the built renderer is
 * served, no CSP violation (fonts and images included) while every section renders, nothing of Node
 * or IPC reachable from the page, and the IPC wrappers refusing a frame from another origin.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../../main/csp';
import { mainWindowOptions } from '../../main/window-options';
import { HARNESS_ENTRY_URL } from './harness/app-origin';
import { bridgeContext } from './harness/bridge';
import { ensureRendererBuilt, REPO_ROOT } from './harness/build';
import { launchChromium } from './harness/browser';
import { Station } from './harness/station';
import { AppShell } from './pages/app-shell';

describe('window security settings', () => {
  it('creates the main window isolated, sandboxed, without Node, and small enough for 1024x768', () => {
    const options = mainWindowOptions('/opt/airlock/dist/main/preload/index.js');
    const prefs = options.webPreferences ?? {};
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, '/opt/airlock/dist/main/preload/index.js');
    assert.ok((options.minWidth ?? 0) <= 1024 && (options.minHeight ?? 0) <= 768);
    // window.ts builds the window from exactly these options.
    assert.match(readFileSync(join(REPO_ROOT, 'main', 'window.ts'), 'utf8'), /new BrowserWindow\(mainWindowOptions\(PRELOAD_PATH\)\)/);
  });
});

describe('the renderer as served, in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  let work: string;
  let station: Station;

  before(async () => {
    await ensureRendererBuilt();
    browser = await launchChromium();
    work = await mkdtemp(join(tmpdir(), 'airlock-e2e-security-'));
    station = await Station.launch(browser, { name: 'security', dir: work });
  });

  after(async () => {
    await station?.close();
    await browser?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('serves the CSP header and meta tag, and nothing violates them in any section', async () => {
    const response = await station.page.goto(HARNESS_ENTRY_URL);
    assert.ok(response);
    assert.equal(response.headers()['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    assert.equal(await station.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'), META_CONTENT_SECURITY_POLICY);

    const shell = new AppShell(station.page);
    await station.page.getByRole('heading', { level: 1, name: 'Export' }).waitFor();
    for (const section of ['Import', 'Verify', 'History', 'Settings', 'Export'] as const) await shell.go(section);
    await station.page.emulateMedia({ colorScheme: 'dark' });
    await station.page.evaluate('document.fonts.ready');
    const fonts = (await station.page.evaluate('[...document.fonts].map((f) => f.family + ":" + f.status)')) as string[];
    assert.ok(fonts.some((f) => /^Red Hat Text:loaded$/.test(f)), `PatternFly's fonts load under default-src 'self': ${fonts.join(', ')}`);
    assert.deepEqual(fonts.filter((f) => f.endsWith(':error')), []);
    assert.deepEqual((await station.page.evaluate('window.__cspViolations ?? []')) as string[], []);
    assert.deepEqual(station.cspViolations, []);
    assert.deepEqual(station.pageErrors, []);
  });

  it('gives the page verbs only: no Node, no ipcRenderer, a frozen window.airlock', async () => {
    const globals = (await station.page.evaluate(`({
      require: typeof require, process: typeof process, module: typeof module, Buffer: typeof Buffer,
      groups: Object.keys(window.airlock).sort(),
      leaves: Object.values(window.airlock).flatMap((g) => Object.values(g).map((v) => typeof v)),
      frozen: Object.isFrozen(window.airlock),
      mentionsIpc: Object.keys(window).some((k) => /ipcRenderer/i.test(k)),
    })`)) as Record<string, unknown>;
    assert.deepEqual(globals, {
      require: 'undefined',
      process: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      groups: ['app', 'catalogs', 'clipboard', 'config', 'credentials', 'dialogs', 'drives', 'history', 'jobs', 'keys', 'media', 'receipts', 'registry', 'releases', 'resources', 'settings'],
      leaves: Array(35).fill('function'),
      frozen: true,
      mentionsIpc: false,
    });
  });

  it('refuses IPC from a frame of another origin, through the same handlers', async () => {
    const context = await browser.newContext();
    try {
      await bridgeContext(context, station.server, { allOrigins: true });
      await context.route('http://evil.test/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>not airlock</title>' }));
      const page = await context.newPage();
      await page.goto('http://evil.test/');
      const result = (await page.evaluate('window.airlock.settings.get()')) as { ok: boolean; error?: { code: string } };
      assert.equal(result.ok, false);
      assert.equal(result.error?.code, 'IPC_UNTRUSTED_SENDER');
    } finally {
      await context.close();
    }
  });
});
