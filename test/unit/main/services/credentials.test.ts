import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CredentialVault, type SecretCipher } from '../../../../main/services/credentials';
import { isAirlockError } from '../../../../src/errors';

/** Reversible but not plain text, so the file test can tell the two apart. */
const ROT: SecretCipher = {
  isAvailable: () => true,
  encrypt: (plain) => Buffer.from([...Buffer.from(plain, 'utf8')].map((b) => b ^ 0x5a)),
  decrypt: (data) => Buffer.from([...data].map((b) => b ^ 0x5a)).toString('utf8'),
};

describe('CredentialVault', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-vault-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps a session credential in memory only', async () => {
    const vault = new CredentialVault(() => join(dir, 'session'), ROT);
    assert.deepEqual(await vault.save({ registry: 'Registry.Example:5000', username: 'admin', password: 'pw-1', persist: false }), { registry: 'registry.example:5000', username: 'admin', persisted: false });
    assert.deepEqual(await vault.lookup('registry.example:5000'), { username: 'admin', password: 'pw-1', source: 'credentials entered in Airlock' });
    await assert.rejects(readFile(join(dir, 'session', 'credentials.json')), /ENOENT/);
    assert.deepEqual(await vault.list(), [{ registry: 'registry.example:5000', username: 'admin', persisted: false }]);
  });

  it('persists encrypted, and a new vault (a restart) reads it back', async () => {
    const data = join(dir, 'persist');
    await new CredentialVault(() => data, ROT).save({ registry: 'r.example', username: 'bob', password: 'pw-2-secret', persist: true });
    const file = await readFile(join(data, 'credentials.json'), 'utf8');
    assert.doesNotMatch(file, /pw-2-secret/);
    const restarted = new CredentialVault(() => data, ROT);
    assert.deepEqual(await restarted.list(), [{ registry: 'r.example', username: 'bob', persisted: true }]);
    assert.equal((await restarted.lookup('r.example'))?.password, 'pw-2-secret');
    assert.equal(await restarted.forget('r.example'), true);
    assert.equal(await restarted.lookup('r.example'), undefined);
    assert.equal(await restarted.forget('r.example'), false);
  });

  it('refuses to persist without real encryption, and says what to do', async () => {
    for (const cipher of [undefined, { ...ROT, isAvailable: () => false }]) {
      const vault = new CredentialVault(() => join(dir, 'none'), cipher);
      assert.equal(vault.canPersist(), false);
      await assert.rejects(vault.save({ registry: 'r.example', username: 'a', password: 'p', persist: true }), (err: unknown) => isAirlockError(err, 'CREDENTIALS_NO_ENCRYPTION') && /session only/.test(err.hint ?? ''));
    }
  });

  it('replaces a kept credential when the operator saves it for the session only', async () => {
    const data = join(dir, 'replace');
    const vault = new CredentialVault(() => data, ROT);
    await vault.save({ registry: 'r.example', username: 'a', password: 'old', persist: true });
    await vault.save({ registry: 'r.example', username: 'a', password: 'new', persist: false });
    assert.doesNotMatch(await readFile(join(data, 'credentials.json'), 'utf8'), /r\.example/);
    assert.equal((await vault.lookup('r.example'))?.password, 'new');
  });

  it('reports a damaged file or a key from another account', async () => {
    const data = join(dir, 'damaged');
    await new CredentialVault(() => data, ROT).save({ registry: 'r.example', username: 'a', password: 'p', persist: true });
    const other = new CredentialVault(() => data, { ...ROT, decrypt: () => { throw new Error('bad key'); } });
    await assert.rejects(other.lookup('r.example'), (err: unknown) => isAirlockError(err, 'CREDENTIALS_UNREADABLE'));
    await writeFile(join(data, 'credentials.json'), 'not json');
    await assert.rejects(new CredentialVault(() => data, ROT).list(), (err: unknown) => isAirlockError(err, 'CREDENTIALS_INVALID'));
  });
});
