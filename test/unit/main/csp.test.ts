import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../../../main/csp';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

describe('content security policy', () => {
  it('is the strict policy', () => {
    assert.equal(
      CONTENT_SECURITY_POLICY,
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  it('drops only header-only directives for the meta tag', () => {
    assert.equal(META_CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'; ", ''));
  });

  it('is stated in renderer/index.html', () => {
    const html = readFileSync(path.join(repoRoot, 'renderer', 'index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    assert.ok(meta, 'renderer/index.html has no CSP meta tag');
    assert.equal(meta[1], META_CONTENT_SECURITY_POLICY);
  });
});
