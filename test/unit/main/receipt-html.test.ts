import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, renderReceiptHtml, type ReceiptData } from '../../../main/receipt/receipt-html';

const RECEIPT: ReceiptData = {
  kind: 'export',
  setId: '7c9b4561-c325-4256-b5eb-40086bc20214',
  manifestSha256: 'f'.repeat(64),
  signature: { fingerprint: 'SHA256:abc' },
  operator: 'alice <script>alert(1)</script>',
  station: { host: 'connected-1', fingerprint: 'SHA256:abc' },
  airlockVersion: '0.1.0',
  finishedAt: '2025-03-01T10:00:00.000Z',
  destination: '/media/op/AIRLOCK',
  images: [{ source: 'quay.io/a:1"><img src=x onerror=alert(1)>', destination: 'a:1', digest: `sha256:${'1'.repeat(64)}`, status: 'ok' }],
  parts: [{ name: 'mirror_000001.tar', size: 4096, sha256: '3'.repeat(64) }],
  totalBytes: 4096,
  verification: { ok: true, summary: 'read back from the media' },
  generatedAt: '2025-03-01T10:01:00.000Z',
};

describe('renderReceiptHtml', () => {
  const html = renderReceiptHtml(RECEIPT);

  it('holds what an air-gap site files: set, manifest hash, signer, images with digests, operator, station, times, verification', () => {
    for (const text of [RECEIPT.setId, 'f'.repeat(64), 'SHA256:abc', `sha256:${'1'.repeat(64)}`, 'connected-1', '2025-03-01T10:00:00.000Z', 'Verification passed', 'mirror_000001.tar', '4,096 bytes']) {
      assert.ok(html.includes(text), text);
    }
  });

  it('escapes everything that came from media, registries or the operator', () => {
    assert.ok(!html.includes('<script>alert'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('alice &lt;script&gt;'));
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('is self-contained: no script, no external resource, its own CSP', () => {
    const plain = renderReceiptHtml({ ...RECEIPT, operator: 'alice', images: [{ source: 'quay.io/a:1', destination: 'a:1', status: 'ok' }] });
    assert.doesNotMatch(plain, /<script|src=|href=|url\(|@import/i);
    assert.match(plain, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
  });

  it('says so loudly when verification failed', () => {
    const failed = renderReceiptHtml({ ...RECEIPT, verification: { ok: false, summary: '1 problem', problems: ['mirror_000001.tar HASH_MISMATCH'] } });
    assert.match(failed, /Verification FAILED/);
    assert.match(failed, /<li>mirror_000001\.tar HASH_MISMATCH<\/li>/);
  });
});
