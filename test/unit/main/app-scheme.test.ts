import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  appResponseHeaders,
  contentTypeFor,
  resolveAppFile,
} from '../../../main/app-scheme';
import { CONTENT_SECURITY_POLICY } from '../../../main/csp';

const root = path.resolve('/opt/airlock/dist/renderer');

describe('app origin', () => {
  it('is app://airlock and the window loads its index.html', () => {
    assert.equal(APP_ORIGIN, 'app://airlock');
    assert.equal(APP_ENTRY_URL, 'app://airlock/index.html');
  });
});

describe('resolveAppFile', () => {
  const served: readonly (readonly [url: string, relative: string])[] = [
    ['app://airlock/', 'index.html'],
    ['app://airlock', 'index.html'],
    ['app://airlock/index.html', 'index.html'],
    ['app://airlock/index.html?x=1#/export', 'index.html'],
    ['app://airlock/assets/index-abc123.js', 'assets/index-abc123.js'],
    ['app://airlock/assets/a%20b.css', 'assets/a b.css'],
    // The URL parser removes dot segments before we see the path; what is left stays inside root.
    ['app://airlock/assets/../index.html', 'index.html'],
    ['app://airlock/../../etc/passwd', 'etc/passwd'],
    ['app://airlock/%2e%2e/%2e%2e/etc/passwd', 'etc/passwd'],
  ];
  for (const [url, relative] of served) {
    it(`serves ${url} from ${relative}`, () => {
      const lookup = resolveAppFile(root, url);
      assert.equal(lookup.kind, 'file');
      if (lookup.kind === 'file') assert.equal(lookup.path, path.join(root, relative));
    });
  }

  const refused: readonly (readonly [url: string, reason: string])[] = [
    ['app://airlock/..%2F..%2Fetc%2Fpasswd', 'outside-root'],
    ['app://airlock/assets/..%2F..%2F..%2Fsecret', 'outside-root'],
    ['app://airlock/%2Fetc%2Fpasswd', 'outside-root'],
    ['app://airlock/..%2F', 'outside-root'],
    ['app://airlock/assets/..%5C..%5Csecret', 'bad-path'],
    ['app://airlock/index.html%00.png', 'bad-path'],
    ['app://airlock/%E0%A4%A', 'bad-path'],
    ['app://other/index.html', 'not-app-origin'],
    ['app://airlock:1234/index.html', 'not-app-origin'],
    ['file:///opt/airlock/dist/renderer/index.html', 'not-app-origin'],
    ['https://airlock/index.html', 'not-app-origin'],
    ['garbage', 'not-app-origin'],
  ];
  for (const [url, reason] of refused) {
    it(`refuses ${url} (${reason})`, () => {
      assert.deepEqual(resolveAppFile(root, url), { kind: 'refused', reason });
    });
  }

  it('refuses a sibling directory that shares the root as a prefix', () => {
    const lookup = resolveAppFile(root, 'app://airlock/..%2Frenderer-evil%2Fx.js');
    assert.deepEqual(lookup, { kind: 'refused', reason: 'outside-root' });
  });

  it('serves a file whose name merely starts with two dots', () => {
    const lookup = resolveAppFile(root, 'app://airlock/..hidden.js');
    assert.equal(lookup.kind, 'file');
  });
});

describe('contentTypeFor', () => {
  const table: readonly (readonly [string, string])[] = [
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['A.CSS', 'text/css; charset=utf-8'],
    ['logo.svg', 'image/svg+xml'],
    ['data.bin', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ];
  for (const [file, type] of table) {
    it(`${file} -> ${type}`, () => assert.equal(contentTypeFor(file), type));
  }
});

describe('appResponseHeaders', () => {
  it('carries the CSP and nosniff', () => {
    const headers = appResponseHeaders('text/html; charset=utf-8');
    assert.equal(headers['Content-Security-Policy'], CONTENT_SECURITY_POLICY);
    assert.equal(headers['X-Content-Type-Options'], 'nosniff');
    assert.equal(headers['Content-Type'], 'text/html; charset=utf-8');
  });
});
