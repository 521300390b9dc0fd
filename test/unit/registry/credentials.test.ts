import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthFileStore, defaultAuthFiles } from '../../../src/registry/credentials';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('AuthFileStore', () => {
  let dir: string;
  let podman: string;
  let docker: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-auth-'));
    podman = join(dir, 'auth.json');
    docker = join(dir, 'config.json');
    await writeFile(podman, JSON.stringify({ auths: { 'quay.io/team': { auth: b64('team:t1') }, 'quay.io': { auth: b64('me:p:with:colons') } } }));
    await writeFile(docker, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hub:h') }, 'quay.io': { auth: b64('other:o') }, 'http://r.local:5000': { auth: b64('l:l') } } }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prefers the most specific entry of the first file', async () => {
    const store = new AuthFileStore([podman, docker]);
    assert.equal((await store.lookup('quay.io', 'team/app'))?.username, 'team');
    const c = await store.lookup('quay.io', 'other/app');
    assert.equal(c?.username, 'me');
    assert.equal(c?.password, 'p:with:colons');
    assert.match(c?.source ?? '', /auth\.json/);
  });
  it('normalises Docker-style keys', async () => {
    const store = new AuthFileStore([docker]);
    assert.equal((await store.lookup('docker.io'))?.username, 'hub');
    assert.equal((await store.lookup('r.local:5000'))?.username, 'l');
    assert.equal(await store.lookup('nowhere.io'), undefined);
  });
  it('ignores missing default files but not a missing --authfile', async () => {
    assert.equal(await new AuthFileStore([join(dir, 'missing.json')]).lookup('quay.io'), undefined);
    await assert.rejects(new AuthFileStore([join(dir, 'missing.json')], true).lookup('quay.io'), /cannot read auth file .*missing\.json/);
  });
  it('names a broken file', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"auths": ');
    await assert.rejects(new AuthFileStore([bad]).lookup('quay.io'), (err: Error) => err.message.includes(bad) && /not valid JSON/.test(err.message));
  });
  it('searches the containers order', () => {
    assert.deepEqual(defaultAuthFiles({ XDG_RUNTIME_DIR: '/run/user/1', HOME: '/home/u' }), ['/run/user/1/containers/auth.json', '/home/u/.docker/config.json']);
    assert.deepEqual(defaultAuthFiles({ REGISTRY_AUTH_FILE: '/x.json', HOME: '/h', DOCKER_CONFIG: '/d' }), ['/x.json', '/d/config.json']);
  });
});
