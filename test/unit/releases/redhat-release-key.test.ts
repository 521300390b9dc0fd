import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { REDHAT_RELEASE_KEY, REDHAT_RELEASE_KEY_FINGERPRINT } from '../../../src/releases/redhat-release-key';
import { loadReleaseKeys } from '../../../src/releases/signatures';

describe("Red Hat's release key, built in", () => {
  it('parses with openpgp as exactly one key: release key 2, 567E 347A D004 4ADE 55BA 8A5F 199E 2F91 FD43 1D51', async () => {
    const keys = await openpgp.readKeys({ armoredKeys: REDHAT_RELEASE_KEY });
    assert.equal(keys.length, 1);
    const [key] = keys as [openpgp.Key];
    assert.equal(key.isPrivate(), false);
    assert.equal(key.getFingerprint().toUpperCase(), '567E347AD0044ADE55BA8A5F199E2F91FD431D51');
    assert.equal(REDHAT_RELEASE_KEY_FINGERPRINT, '567E347AD0044ADE55BA8A5F199E2F91FD431D51');
    assert.deepEqual(key.getUserIDs(), ['Red Hat, Inc. (release key 2) <security@redhat.com>']);
    assert.deepEqual(key.getAlgorithmInfo(), { algorithm: 'rsaEncryptSign', bits: 4096 });
    // The self-signature holds (openpgp rejects a damaged or SHA-1-only key here).
    await key.verifyPrimaryKey();
  });

  it('is what loadReleaseKeys trusts without OCP_SIGNATURE_VERIFICATION_PK, and only then', async () => {
    const trusted = await loadReleaseKeys({ env: {} });
    assert.deepEqual(trusted.fingerprints, [REDHAT_RELEASE_KEY_FINGERPRINT]);
    assert.equal(trusted.builtIn, true);
    assert.match(trusted.source, /built-in Red Hat release key 2/);
    const empty = await loadReleaseKeys({ env: { OCP_SIGNATURE_VERIFICATION_PK: '' } });
    assert.equal(empty.builtIn, true);
  });
});
