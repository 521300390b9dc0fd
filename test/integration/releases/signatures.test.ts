import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import {
  loadReleaseKeys,
  parseReleaseKeys,
  parseSignatureRecords,
  signatureConfigMapKey,
  signatureStoreUrl,
  SignatureStoreClient,
  toSignatureRecord,
  verifyReleaseSignatures,
  type SignedRelease,
  type TrustedReleaseKeys,
} from '../../../src/releases/signatures';
import { makeFixtureKey, signPayload, signaturePayload, startSignatureStore, type FixtureKey, type SignatureStore } from '../../fixtures/signature-store';

const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;
const release = (c: string, version = '4.19.0'): SignedRelease => ({ version, arch: 'amd64', digest: digestOf(c) });
const REF = 'quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64';
const FAST = { times: 1, delayMs: 1 };

describe('release signatures against a loopback signature store', () => {
  let dir: string;
  let store: SignatureStore;
  let key: FixtureKey;
  let other: FixtureKey;
  let trusted: TrustedReleaseKeys;
  let client: SignatureStoreClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-sigs-'));
    store = await startSignatureStore();
    key = await makeFixtureKey();
    other = await makeFixtureKey('Someone Else');
    const keyFile = join(dir, 'release.asc');
    await writeFile(keyFile, key.armoredPublicKey);
    trusted = await loadReleaseKeys({ env: { OCP_SIGNATURE_VERIFICATION_PK: keyFile } });
    client = new SignatureStoreClient({ env: { OCP_SIGNATURE_URL: store.url }, retry: FAST });
  });

  after(async () => {
    await client.close();
    await store.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies signature-1 (and -2) of a release and keeps the published bytes', async () => {
    const r = release('a');
    const one = await signPayload(key, { digest: r.digest, reference: REF });
    const two = await signPayload(key, { digest: r.digest, reference: REF });
    store.put(r.digest, 1, one);
    store.put(r.digest, 2, two);
    const verified = await verifyReleaseSignatures(r, client, trusted);
    assert.deepEqual(verified.signatures.map((s) => s.index), [1, 2]);
    assert.ok(verified.signatures[0]?.bytes.equals(one));
    assert.equal(verified.signatures[0]?.payload.dockerReference, REF);
    assert.deepEqual(verified.warnings, []);
    assert.deepEqual(store.requests.slice(-3), [`/pub/openshift-v4/signatures/openshift/release/sha256=${'a'.repeat(64)}/signature-1`, `/pub/openshift-v4/signatures/openshift/release/sha256=${'a'.repeat(64)}/signature-2`, `/pub/openshift-v4/signatures/openshift/release/sha256=${'a'.repeat(64)}/signature-3`]);
    assert.equal(signatureConfigMapKey(r.digest, 2), `sha256-${'a'.repeat(64)}-2`);
  });

  it('a release without signatures is RELEASE_SIGNATURE_MISSING naming it', async () => {
    await assert.rejects(verifyReleaseSignatures(release('b', '4.19.7'), client, trusted), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_MISSING') && /release 4\.19\.7/.test(err.message));
  });

  it('a signature for another digest is RELEASE_SIGNATURE_MISMATCH naming the release', async () => {
    const r = release('c', '4.19.1');
    store.put(r.digest, 1, await signPayload(key, { digest: digestOf('d'), reference: REF }));
    await assert.rejects(
      verifyReleaseSignatures(r, client, trusted),
      (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_MISMATCH') && /release 4\.19\.1/.test(err.message) && err.context.actual === digestOf('d'),
    );
  });

  it('a tampered signature by the trusted key is RELEASE_SIGNATURE_INVALID', async () => {
    const r = release('e', '4.19.2');
    const good = await signPayload(key, { digest: r.digest, reference: REF });
    const bad = Buffer.from(good);
    bad[bad.length - 3] = (bad[bad.length - 3] ?? 0) ^ 0xff;
    store.put(r.digest, 1, bad);
    await assert.rejects(verifyReleaseSignatures(r, client, trusted), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_INVALID') && /signature-1 of release 4\.19\.2/.test(err.message));
  });

  it('a payload altered after signing does not verify', async () => {
    const r = release('f', '4.19.3');
    const good = await signPayload(key, { digest: r.digest, reference: REF });
    // The literal data holds the JSON; change one character of the digest inside it.
    const text = Buffer.from(good);
    const at = text.indexOf(Buffer.from('f'.repeat(64)));
    assert.ok(at > 0, 'the payload is not where the test expects it');
    text[at] = 'e'.charCodeAt(0);
    store.put(r.digest, 1, text);
    await assert.rejects(verifyReleaseSignatures(r, client, trusted), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_INVALID'));
  });

  it('signatures only by an untrusted key: RELEASE_SIGNATURE_UNTRUSTED; beside a trusted one: skipped with a warning', async () => {
    const r = release('1', '4.19.4');
    store.put(r.digest, 1, await signPayload(other, { digest: r.digest, reference: REF }));
    await assert.rejects(verifyReleaseSignatures(r, client, trusted), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_UNTRUSTED') && err.message.includes(key.fingerprint));
    store.put(r.digest, 2, await signPayload(key, { digest: r.digest, reference: REF }));
    const verified = await verifyReleaseSignatures(r, client, trusted);
    assert.deepEqual(verified.signatures.map((s) => s.index), [2]);
    assert.match(verified.warnings[0] ?? '', /signature-1 .* not trusted/);
  });

  it("no key configured: Red Hat's release key is trusted, and a release signed by another key is refused with a hint for OCP and for OKD", async () => {
    const redHat = await loadReleaseKeys({ env: {} });
    const r = release('4', '4.19.7');
    store.put(r.digest, 1, await signPayload(key, { digest: r.digest, reference: REF }));
    await assert.rejects(verifyReleaseSignatures(r, client, redHat), (err: unknown) => {
      assert.ok(isAirlockError(err, 'RELEASE_SIGNATURE_UNTRUSTED'), String(err));
      assert.match(err.message, /^no signature of release 4\.19\.7 \(amd64, sha256:4{64}\) is by the trusted Red Hat release key \(567E347AD0044ADE55BA8A5F199E2F91FD431D51, built in\)/);
      assert.ok(err.message.endsWith(`its signatures are by key ${key.publicKey.getKeyID().toHex().toUpperCase()}`), err.message);
      assert.match(err.hint ?? '', /set OCP_SIGNATURE_VERIFICATION_PK/);
      return true;
    });
    // OKD is signed by the OpenShift CI key: the hint says where its store and key are, as oc-mirror's docs do.
    await assert.rejects(verifyReleaseSignatures({ ...r, type: 'okd' }, client, redHat), (err: unknown) => {
      assert.ok(isAirlockError(err, 'RELEASE_SIGNATURE_UNTRUSTED'));
      assert.match(err.hint ?? '', /OKD releases are signed by the OpenShift CI key.*OCP_SIGNATURE_URL=https:\/\/storage\.googleapis\.com\/openshift-ci-release\/.*OCP_SIGNATURE_VERIFICATION_PK.*verifier-public-key-openshift-ci-4/);
      return true;
    });
    await assert.rejects(verifyReleaseSignatures({ ...release('5', '4.19.8'), type: 'okd' }, client, redHat), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_MISSING') && /OKD releases/.test(err.hint ?? ''));
  });

  it('a signed message that is not an atomic container signature is refused', async () => {
    const r = release('2', '4.19.5');
    store.put(r.digest, 1, await signPayload(key, signaturePayload({ digest: r.digest, reference: REF, type: 'cosign container image signature' })));
    await assert.rejects(verifyReleaseSignatures(r, client, trusted), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_INVALID') && /critical\.type/.test(err.message));
    const s = release('3', '4.19.6');
    store.put(s.digest, 1, Buffer.from('not pgp at all'));
    await assert.rejects(verifyReleaseSignatures(s, client, trusted), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_INVALID') && /not an OpenPGP message/.test(err.message));
  });

  it('records travel and are read back strictly', async () => {
    const r = release('a');
    const verified = await verifyReleaseSignatures(r, client, trusted);
    const record = toSignatureRecord(verified);
    assert.deepEqual(parseSignatureRecords(JSON.parse(JSON.stringify([record])), 'transfer.json'), [record]);
    assert.throws(() => parseSignatureRecords([{ ...record, digest: 'sha256:x' }], 'transfer.json'), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_RECORD_INVALID'));
    assert.throws(() => parseSignatureRecords([{ ...record, extra: 1 }], 'transfer.json'), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_RECORD_INVALID'));
    assert.throws(() => parseSignatureRecords([{ ...record, signatures: [{ index: 1, data: '%%%' }] }], 'transfer.json'), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_RECORD_INVALID'));
  });
});

describe('release keys and store URL', () => {
  it('a key file that cannot be read is an error, not a fall back to the built-in key', async () => {
    await assert.rejects(loadReleaseKeys({ file: '/nonexistent/key.asc' }), (err: unknown) => isAirlockError(err, 'RELEASE_KEY_UNREADABLE'));
  });

  it('reads armored and binary keys, several in one file', async () => {
    const a = await makeFixtureKey('A');
    const b = await makeFixtureKey('B');
    const both = await parseReleaseKeys(`${a.armoredPublicKey}\n${b.armoredPublicKey}`, 'two.asc');
    assert.deepEqual(both.fingerprints, [a.fingerprint, b.fingerprint]);
    const binary = await parseReleaseKeys(Buffer.from(a.publicKey.write()), 'a.gpg');
    assert.deepEqual(binary.fingerprints, [a.fingerprint]);
    await assert.rejects(parseReleaseKeys('hello', 'x.asc'), (err: unknown) => isAirlockError(err, 'RELEASE_KEY_INVALID'));
  });

  it('the store URL: option, then OCP_SIGNATURE_URL, then mirror.openshift.com; a slash is added', () => {
    assert.equal(signatureStoreUrl({ env: {} }).toString(), 'https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release/');
    assert.equal(signatureStoreUrl({ env: { OCP_SIGNATURE_URL: 'http://127.0.0.1:9/sigs' } }).toString(), 'http://127.0.0.1:9/sigs/');
    assert.throws(() => signatureStoreUrl({ env: { OCP_SIGNATURE_URL: 'ftp://x/' } }), (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_URL_INVALID'));
  });
});
