import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { AuthFileStore, RegistryClient, StaticCredentialStore, type CredentialStore } from '../../../src/registry';
import { isAirlockError } from '../../../src/errors';

const FAST = { times: 2, delayMs: 10 };

function client(registry: RegistryFixture, credentials?: CredentialStore): RegistryClient {
  return new RegistryClient({
    registry: registry.host,
    tlsVerify: false,
    retry: FAST,
    ...(credentials ? { credentials } : {}),
  });
}

function creds(registry: RegistryFixture, username: string, password: string): CredentialStore {
  return new StaticCredentialStore(new Map([[registry.host, { username, password }]]), 'test credentials');
}

const IMAGE = { repo: 'team/app', tag: 'v1', spec: { seed: 'auth-app', format: 'oci' as const } };

describe('anonymous registry', () => {
  let registry: RegistryFixture;
  let image: PushedImage;
  before(async () => {
    registry = await startRegistry();
    [image] = (await seedRegistry(registry, [IMAGE])) as [PushedImage];
  });
  after(() => registry.stop());

  it('reads a manifest by tag and by digest, checking its digest', async () => {
    const c = client(registry);
    const byTag = await c.getManifest('team/app', 'v1');
    assert.equal(byTag.digest, image.digest);
    assert.deepEqual(byTag.bytes, image.manifestBytes);
    const byDigest = await c.getManifest('team/app', image.digest);
    assert.equal(byDigest.mediaType, image.mediaType);
    assert.deepEqual(await c.headManifest('team/app', 'v1'), { digest: image.digest, mediaType: image.mediaType, size: image.size });
    await c.close();
  });

  it('says clearly when an image is missing', async () => {
    const c = client(registry);
    await assert.rejects(c.getManifest('team/app', 'nope'), (err: unknown) => {
      assert.ok(isAirlockError(err, 'REGISTRY_NOT_FOUND'));
      assert.match(err.message, new RegExp(`manifest ${registry.host}/team/app:nope not found on ${registry.host}`));
      assert.equal(err.context.image, `${registry.host}/team/app:nope`);
      return true;
    });
    await assert.rejects(c.getManifest('team/missing', 'v1'), (err: unknown) => isAirlockError(err, 'REGISTRY_NOT_FOUND'));
    assert.equal(await c.headManifest('team/app', 'nope'), undefined);
    await c.close();
  });
});

describe('htpasswd (Basic) registry', () => {
  let registry: RegistryFixture;
  let dir: string;
  before(async () => {
    registry = await startRegistry({ auth: 'htpasswd', username: 'alice', password: 's3cret-basic' });
    await seedRegistry(registry, [IMAGE]);
    dir = await mkdtemp(join(tmpdir(), 'airlock-authfile-'));
  });
  after(async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with credentials from an auth file', async () => {
    const file = join(dir, 'auth.json');
    await writeFile(file, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('alice:s3cret-basic').toString('base64') } } }));
    const c = client(registry, new AuthFileStore([file], true));
    assert.equal((await c.getManifest('team/app', 'v1')).bytes.length > 0, true);
    await c.close();
  });

  it('names the user and the auth file on bad credentials, never the password', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('alice:wrong-password').toString('base64') } } }));
    const c = client(registry, new AuthFileStore([file], true));
    await assert.rejects(c.getManifest('team/app', 'v1'), (err: unknown) => {
      assert.ok(isAirlockError(err, 'REGISTRY_AUTH'));
      assert.match(err.message, new RegExp(`${registry.host} refused GET manifest .* for user "alice" from auth file ${file}`));
      assert.doesNotMatch(JSON.stringify(err.toJSON()), /wrong-password/);
      assert.ok(err.hint);
      return true;
    });
    await c.close();
  });

  it('says which files it searched when it has no credentials', async () => {
    const c = client(registry, new AuthFileStore([join(dir, 'none.json')]));
    await assert.rejects(c.getManifest('team/app', 'v1'), /anonymous access \(no credentials for 127\.0\.0\.1:\d+ in auth file .*none\.json\)/);
    await c.close();
  });
});

describe('token (Bearer) registry', () => {
  let registry: RegistryFixture;
  let image: PushedImage;
  before(async () => {
    registry = await startRegistry({
      auth: 'token',
      username: 'bob',
      password: 'token-pass',
      token: { users: { reader: { password: 'read-only', access: 'pull' } } },
    });
    [image] = (await seedRegistry(registry, [IMAGE])) as [PushedImage];
  });
  after(() => registry.stop());

  it('fetches a token per scope and reuses it', async () => {
    const tokens = registry.tokenServer;
    assert.ok(tokens);
    tokens.clearRequests();
    const c = client(registry, creds(registry, 'bob', 'token-pass'));
    await c.getManifest('team/app', 'v1');
    await c.getManifest('team/app', image.digest);
    const config = JSON.parse((await c.getManifest('team/app', 'v1')).bytes.toString()) as { config: { digest: string; size: number } };
    for await (const _ of c.openBlob('team/app', config.config.digest, { size: config.config.size })) void _;
    const granted = tokens.requests.filter((r) => r.status === 200);
    assert.equal(granted.length, 1, `one token for one scope, got ${JSON.stringify(tokens.requests)}`);
    assert.deepEqual(granted[0]?.scopes, ['repository:team/app:pull']);
    assert.equal(granted[0]?.username, 'bob');
    await c.close();
  });

  it('pushes with a pull,push token', async () => {
    const c = client(registry, creds(registry, 'bob', 'token-pass'));
    const m = await c.getManifest('team/app', 'v1');
    await c.putManifest('team/app', 'v1-copy', m.bytes, m.mediaType);
    assert.equal((await c.headManifest('team/app', 'v1-copy'))?.digest, image.digest);
    assert.ok(registry.tokenServer?.requests.some((r) => r.scopes.includes('repository:team/app:pull,push')));
    await c.close();
  });

  it('refuses wrong credentials at the token server, naming the user', async () => {
    const c = client(registry, creds(registry, 'bob', 'not-it'));
    await assert.rejects(c.getManifest('team/app', 'v1'), (err: unknown) => {
      assert.ok(isAirlockError(err, 'REGISTRY_AUTH'));
      assert.match(err.message, /token server of 127\.0\.0\.1:\d+ .* refused user "bob" from test credentials/);
      assert.doesNotMatch(err.message, /not-it/);
      return true;
    });
    await c.close();
  });

  it('reports a push by a read-only user as denied', async () => {
    const c = client(registry, creds(registry, 'reader', 'read-only'));
    const m = await c.getManifest('team/app', 'v1');
    await assert.rejects(c.putManifest('team/app', 'v2', m.bytes, m.mediaType), (err: unknown) => {
      assert.ok(isAirlockError(err, 'REGISTRY_AUTH'));
      assert.match(err.message, /PUT manifest .*team\/app:v2 for user "reader"/);
      return true;
    });
    await c.close();
  });
});
