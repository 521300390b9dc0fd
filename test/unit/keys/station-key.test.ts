import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { isAirlockError } from '../../../src/errors';
import { fingerprint, loadOrCreateStationKey, publicKeyPem, sign, stationKeyPath } from '../../../src/keys';

const run = promisify(execFile);
const posix = process.platform !== 'win32';

describe('station key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'airlock-keys-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is created once and reloaded unchanged', async () => {
    const first = await loadOrCreateStationKey(dataDir);
    const second = await loadOrCreateStationKey(dataDir);
    assert.equal(first.path, stationKeyPath(dataDir));
    assert.equal(second.fingerprint, first.fingerprint);
    assert.equal(publicKeyPem(second), publicKeyPem(first));
    assert.match(readFileSync(first.path, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(first.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    // No temporaries left beside it.
    assert.deepEqual(readdirSync(join(dataDir, 'keys')), ['station.key']);
  });

  it('is stored with mode 0600 in a 0700 directory', { skip: !posix }, async () => {
    const key = await loadOrCreateStationKey(dataDir);
    assert.equal(statSync(key.path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'keys')).mode & 0o777, 0o700);
  });

  it('ends with one key when several callers create it at once', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateStationKey(dataDir)));
    assert.equal(new Set(keys.map((k) => k.fingerprint)).size, 1);
    assert.equal((await loadOrCreateStationKey(dataDir)).fingerprint, keys[0]?.fingerprint);
  });

  it('ends with one key when several processes create it at once', async () => {
    const module = resolve('src/keys/station-key.ts');
    const script = `require(${JSON.stringify(module)}).loadOrCreateStationKey(${JSON.stringify(dataDir)}).then((k) => process.stdout.write(k.fingerprint))`;
    const outputs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', '-e', script])));
    const fingerprints = new Set(outputs.map((o) => o.stdout));
    assert.equal(fingerprints.size, 1);
    assert.equal([...fingerprints][0], (await loadOrCreateStationKey(dataDir)).fingerprint);
  });

  it('refuses a key file that group or others can read, like ssh', { skip: !posix }, async () => {
    const key = await loadOrCreateStationKey(dataDir);
    for (const mode of [0o640, 0o604, 0o620]) {
      chmodSync(key.path, mode);
      await assert.rejects(
        loadOrCreateStationKey(dataDir),
        (err: unknown) => isAirlockError(err, 'KEY_PERMISSIONS_TOO_OPEN') && err.context.file === key.path && (err.hint ?? '').includes(`chmod 600 ${key.path}`),
      );
    }
    chmodSync(key.path, 0o600);
    assert.equal((await loadOrCreateStationKey(dataDir)).fingerprint, key.fingerprint);
  });

  it('refuses a key file that is not an ed25519 private key, and does not replace it', async () => {
    mkdirSync(join(dataDir, 'keys'), { mode: 0o700 });
    const file = stationKeyPath(dataDir);
    writeFileSync(file, 'garbage\n', { mode: 0o600 });
    await assert.rejects(loadOrCreateStationKey(dataDir), (err: unknown) => isAirlockError(err, 'KEY_INVALID') && err.context.file === file);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(file, rsa, { mode: 0o600 });
    await assert.rejects(loadOrCreateStationKey(dataDir), (err: unknown) => isAirlockError(err, 'KEY_INVALID') && /rsa key, not ed25519/.test(err.message));
    assert.equal(readFileSync(file, 'utf8'), rsa);
  });

  it('signs with raw 64-byte signatures that openssl verifies', async () => {
    const key = await loadOrCreateStationKey(dataDir);
    const data = Buffer.from('manifest.json contents\n');
    const signature = sign(key, data);
    assert.equal(signature.length, 64);
    const pem = join(dataDir, 'station.pem');
    const dataFile = join(dataDir, 'data');
    const sigFile = join(dataDir, 'sig');
    writeFileSync(pem, publicKeyPem(key));
    writeFileSync(dataFile, data);
    writeFileSync(sigFile, signature);
    const ok = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-in', dataFile, '-sigfile', sigFile]);
    assert.match(ok.stdout, /Signature Verified Successfully/);
    writeFileSync(dataFile, Buffer.from('manifest.json contents, changed\n'));
    await assert.rejects(run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-in', dataFile, '-sigfile', sigFile]));
  });

  it('fingerprints the raw public key the way the documented openssl pipeline does', async () => {
    const key = await loadOrCreateStationKey(dataDir);
    const pem = join(dataDir, 'station.pem');
    writeFileSync(pem, publicKeyPem(key));
    const der = (await run('openssl', ['pkey', '-pubin', '-in', pem, '-outform', 'DER'], { encoding: 'buffer' })).stdout;
    const raw = join(dataDir, 'raw');
    writeFileSync(raw, der.subarray(der.length - 32));
    const digest = (await run('openssl', ['dgst', '-sha256', '-binary', raw], { encoding: 'buffer' })).stdout;
    const expected = `SHA256:${digest.toString('base64').replace(/=+$/, '')}`;
    assert.equal(key.fingerprint, expected);
    assert.equal(fingerprint(key.publicKey), expected);
    assert.equal(fingerprint(key.privateKey), expected);
  });
});
