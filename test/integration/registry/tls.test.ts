import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage } from '../../fixtures/images';
import { RegistryClient } from '../../../src/registry';
import { isAirlockError } from '../../../src/errors';

const FAST = { times: 1, delayMs: 10 };
const IMAGE = { repo: 'secure/app', tag: 'v1', spec: { seed: 'tls-app', format: 'oci' as const } };

describe('TLS registry', () => {
  let registry: RegistryFixture;
  let image: PushedImage;
  before(async () => {
    registry = await startRegistry({ tls: true });
    [image] = (await seedRegistry(registry, [IMAGE])) as [PushedImage];
  });
  after(() => registry.stop());

  it('verifies the certificate against an extra CA file', async () => {
    assert.ok(registry.caFile);
    const c = new RegistryClient({ registry: registry.host, caFiles: [registry.caFile], retry: FAST });
    assert.equal((await c.getManifest('secure/app', 'v1')).digest, image.digest);
    await c.close();
  });

  it('refuses an unknown CA with a hint naming the flag', async () => {
    const c = new RegistryClient({ registry: registry.host, retry: FAST, tlsFlag: '--src-tls-verify' });
    await assert.rejects(c.getManifest('secure/app', 'v1'), (err: unknown) => {
      assert.ok(isAirlockError(err, 'REGISTRY_TLS'));
      assert.match(err.message, new RegExp(`TLS connection to ${registry.host} failed`));
      assert.match(err.hint ?? '', /--src-tls-verify=false/);
      return true;
    });
    await c.close();
  });

  it('accepts the certificate with verification off', async () => {
    const c = new RegistryClient({ registry: registry.host, tlsVerify: false, retry: FAST });
    assert.equal((await c.getManifest('secure/app', image.digest)).digest, image.digest);
    await c.close();
  });

  it('goes through HTTPS_PROXY with CONNECT, and around it for NO_PROXY hosts', async () => {
    const tunnels: string[] = [];
    const proxy: Server = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const address = proxy.address();
    assert.ok(address && typeof address === 'object');
    const saved = { https: process.env.HTTPS_PROXY, no: process.env.NO_PROXY, lower: process.env.no_proxy };
    try {
      process.env.HTTPS_PROXY = `http://127.0.0.1:${address.port}`;
      delete process.env.no_proxy;
      process.env.NO_PROXY = '';
      const viaProxy = new RegistryClient({ registry: registry.host, caFiles: [registry.caFile ?? ''], retry: FAST });
      assert.equal((await viaProxy.getManifest('secure/app', 'v1')).digest, image.digest);
      await viaProxy.close();
      assert.deepEqual(tunnels, [registry.host]);

      process.env.NO_PROXY = '127.0.0.1';
      const direct = new RegistryClient({ registry: registry.host, caFiles: [registry.caFile ?? ''], retry: FAST });
      assert.equal((await direct.getManifest('secure/app', 'v1')).digest, image.digest);
      await direct.close();
      assert.equal(tunnels.length, 1);
    } finally {
      for (const [key, value] of [['HTTPS_PROXY', saved.https], ['NO_PROXY', saved.no], ['no_proxy', saved.lower]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});

describe('plain-HTTP registry', () => {
  let registry: RegistryFixture;
  let image: PushedImage;
  before(async () => {
    registry = await startRegistry();
    [image] = (await seedRegistry(registry, [IMAGE])) as [PushedImage];
  });
  after(() => registry.stop());

  it('is reached over HTTP when TLS verification is off, as skopeo does', async () => {
    const c = new RegistryClient({ registry: registry.host, tlsVerify: false, retry: FAST });
    assert.equal((await c.getManifest('secure/app', 'v1')).digest, image.digest);
    assert.equal(await c.transport.baseUrl(), `http://${registry.host}`);
    await c.close();
  });

  it('is refused when TLS verification is on', async () => {
    const c = new RegistryClient({ registry: registry.host, retry: FAST });
    await assert.rejects(c.getManifest('secure/app', 'v1'), (err: unknown) => isAirlockError(err, 'REGISTRY_TLS') || isAirlockError(err, 'REGISTRY_UNREACHABLE'));
    await c.close();
  });
});
