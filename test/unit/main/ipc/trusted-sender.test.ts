import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrustedSender } from '../../../../main/ipc/trusted-sender';

describe('isTrustedSender', () => {
  const table: readonly (readonly [string | null | undefined, boolean])[] = [
    ['app://airlock/index.html', true],
    ['app://airlock/index.html#/settings', true],
    ['app://airlock.evil/index.html', false],
    ['app://evil/index.html', false],
    ['https://example.com/', false],
    ['file:///opt/airlock/dist/renderer/index.html', false],
    ['devtools://devtools/bundled/inspector.html', false],
    ['about:blank', false],
    ['', false],
    [null, false],
    [undefined, false],
  ];
  for (const [url, trusted] of table) {
    it(`${trusted ? 'trusts' : 'refuses'} ${String(url)}`, () => assert.equal(isTrustedSender(url), trusted));
  }
});
