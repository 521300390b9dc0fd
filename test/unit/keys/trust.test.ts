import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAirlockError } from '../../../src/errors';
import { listTrusted, loadOrCreateStationKey, publicKeyPem, sign, trustedDir, trustKey, untrustKey, verifySignature, type StationKey } from '../../../src/keys';

const run = promisify(execFile);

describe('trust store', () => {
  let connected: string;
  let enclave: string;
  let station: StationKey;
  beforeEach(async () => {
    connected = mkdtempSync(join(tmpdir(), 'airlock-connected-'));
    enclave = mkdtempSync(join(tmpdir(), 'airlock-enclave-'));
    station = await loadOrCreateStationKey(connected);
  });
  afterEach(() => {
    rmSync(connected, { recursive: true, force: true });
    rmSync(enclave, { recursive: true, force: true });
  });

  it('trusts, lists, verifies and untrusts a key', async () => {
    const data = Buffer.from('{"parts":[]}');
    const signature = sign(station, data);
    assert.deepEqual(await listTrusted(enclave), []);
    const none = await verifySignature(enclave, data, signature);
    assert.equal(!none.trusted && none.reason, 'no-trusted-keys');

    const trusted = await trustKey(enclave, publicKeyPem(station), 'connected station,\nbuilding 4');
    assert.equal(trusted.fingerprint, station.fingerprint);
    assert.equal(trusted.label, 'connected station, building 4');
    assert.ok(trusted.path.startsWith(trustedDir(enclave)));
    assert.match(trusted.path, /sha256-[0-9a-f]{64}\.pem$/);
    assert.deepEqual(await listTrusted(enclave), [trusted]);

    assert.deepEqual(await verifySignature(enclave, data, signature), { trusted: true, fingerprint: station.fingerprint, label: 'connected station, building 4' });
    assert.deepEqual(await verifySignature(enclave, data, signature, { fingerprint: station.fingerprint }), { trusted: true, fingerprint: station.fingerprint, label: 'connected station, building 4' });

    const changed = await verifySignature(enclave, Buffer.from('{"parts":[1]}'), signature);
    assert.equal(changed.trusted, false);
    assert.equal(!changed.trusted && changed.reason, 'unknown-signer');
    const tampered = await verifySignature(enclave, Buffer.from('{"parts":[1]}'), signature, { fingerprint: station.fingerprint });
    assert.equal(!tampered.trusted && tampered.reason, 'bad-signature');
    const short = await verifySignature(enclave, data, signature.subarray(0, 10));
    assert.equal(!short.trusted && short.reason, 'malformed-signature');

    const removed = await untrustKey(enclave, station.fingerprint.slice('SHA256:'.length));
    assert.equal(removed.fingerprint, station.fingerprint);
    assert.deepEqual(await listTrusted(enclave), []);
    await assert.rejects(untrustKey(enclave, station.fingerprint), (err: unknown) => isAirlockError(err, 'KEY_NOT_TRUSTED'));
  });

  it('keeps the date when trusting again, and updates the label only when one is given', async () => {
    const first = await trustKey(enclave, publicKeyPem(station), 'one');
    assert.deepEqual(await trustKey(enclave, publicKeyPem(station)), first);
    const relabelled = await trustKey(enclave, publicKeyPem(station), 'two');
    assert.deepEqual(relabelled, { ...first, label: 'two' });
    assert.equal((await listTrusted(enclave)).length, 1);
  });

  it('tells a stranger\'s signature from a trusted one', async () => {
    await trustKey(enclave, publicKeyPem(station));
    const otherDir = mkdtempSync(join(tmpdir(), 'airlock-other-'));
    try {
      const other = await loadOrCreateStationKey(otherDir);
      const data = Buffer.from('payload');
      const result = await verifySignature(enclave, data, sign(other, data), { fingerprint: other.fingerprint });
      assert.equal(!result.trusted && result.reason, 'unknown-signer');
      assert.match(!result.trusted ? result.message : '', new RegExp(other.fingerprint.replace(/[+/]/g, '\\$&')));
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('accepts a key and a signature made by openssl', async () => {
    const priv = join(enclave, 'openssl.key');
    const pub = join(enclave, 'openssl.pem');
    const dataFile = join(enclave, 'data');
    const sigFile = join(enclave, 'sig');
    await run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', priv]);
    await run('openssl', ['pkey', '-in', priv, '-pubout', '-out', pub]);
    writeFileSync(dataFile, 'signed by openssl');
    await run('openssl', ['pkeyutl', '-sign', '-inkey', priv, '-rawin', '-in', dataFile, '-out', sigFile]);
    const trusted = await trustKey(enclave, readFileSync(pub, 'utf8'), 'openssl');
    const result = await verifySignature(enclave, readFileSync(dataFile), readFileSync(sigFile));
    assert.deepEqual(result, { trusted: true, fingerprint: trusted.fingerprint, label: 'openssl' });
  });

  it('lists a bare .pem dropped into the directory by hand', async () => {
    await trustKey(enclave, publicKeyPem(station), 'via airlock');
    const manual = join(trustedDir(enclave), 'by-hand.pem');
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(manual, other);
    const listed = await listTrusted(enclave);
    assert.equal(listed.length, 2);
    assert.equal(listed.find((k) => k.path === manual)?.label, '');
  });

  it('refuses a damaged file in the trust store, naming it', async () => {
    const trusted = await trustKey(enclave, publicKeyPem(station));
    const broken = join(trustedDir(enclave), 'broken.pem');
    copyFileSync(trusted.path, broken);
    writeFileSync(broken, readFileSync(broken, 'utf8').replace(/[A-Za-z]{8}/, 'AAAAAAAA!'));
    await assert.rejects(listTrusted(enclave), (err: unknown) => isAirlockError(err, 'KEY_TRUST_INVALID') && err.context.file === broken);
  });

  const refused: Array<[string, () => string, RegExp]> = [
    ['garbage', () => 'not a key at all', /no -----BEGIN PUBLIC KEY----- block/],
    ['an empty string', () => '', /not a PEM public key/],
    ['a corrupted PEM body', () => '-----BEGIN PUBLIC KEY-----\nAAAAAAAAAAAA\n-----END PUBLIC KEY-----\n', /not a valid public key/],
    ['an RSA public key', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), /an rsa key; Airlock signs with ed25519 only/],
    ['an EC public key', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString(), /an ec key/],
    ['an ed25519 private key', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /is a private key/],
    [
      'two keys at once',
      () => {
        const pem = (): string => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
        return pem() + pem();
      },
      /2 PEM blocks/,
    ],
  ];
  for (const [name, pem, message] of refused) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(trustKey(enclave, pem()), (err: unknown) => isAirlockError(err, 'KEY_INVALID') && message.test(err.message) && err.hint !== undefined);
      assert.deepEqual(await listTrusted(enclave), []);
    });
  }
});
