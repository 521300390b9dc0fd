import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNavigationAllowed, isPermissionAllowed, secureWebPreferences } from '../../../main/security';

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the renderer', () => {
    const prefs = secureWebPreferences('/app/dist/main/preload/index.js');
    assert.equal(prefs.preload, '/app/dist/main/preload/index.js');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
  });
});

describe('isNavigationAllowed', () => {
  const table: readonly (readonly [string, boolean])[] = [
    ['app://airlock/index.html', true],
    ['app://airlock/', true],
    ['app://airlock/index.html#/export', true],
    ['app://evil/index.html', false],
    ['app://airlock:8080/index.html', false],
    ['app://user@airlock/index.html', false],
    ['https://airlock/index.html', false],
    ['file:///etc/passwd', false],
    ['http://localhost:5173/', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
    ['', false],
  ];
  for (const [url, allowed] of table) {
    it(`${allowed ? 'allows' : 'denies'} ${JSON.stringify(url)}`, () => {
      assert.equal(isNavigationAllowed(url), allowed);
    });
  }
});

describe('isPermissionAllowed', () => {
  for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen']) {
    it(`denies ${permission} by default, even to the app origin`, () => {
      assert.equal(isPermissionAllowed(permission, 'app://airlock/index.html'), false);
    });
  }
});
