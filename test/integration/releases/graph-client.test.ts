import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { UpdateGraphClient } from '../../../src/releases/graph';
import { makeCertificates } from '../../fixtures/tls';
import { startUpdateGraphServer, type UpdateGraphServer } from '../../fixtures/update-graph';

const FAST = { times: 2, delayMs: 1 };

describe('UpdateGraphClient against a loopback update service', () => {
  let server: UpdateGraphServer;
  before(async () => {
    server = await startUpdateGraphServer();
  });
  after(async () => {
    await server.stop();
  });

  const client = (extra: Partial<ConstructorParameters<typeof UpdateGraphClient>[0]> = {}): UpdateGraphClient =>
    new UpdateGraphClient({ url: server.url, env: {}, retry: FAST, ...extra });

  it('asks GET ?channel=&arch= with Accept: application/json and parses the graph', async () => {
    const c = client();
    try {
      const g = await c.fetchGraph('stable-4.19', 'arm64');
      assert.equal(g.nodes.length, 7);
      assert.equal(g.arch, 'arm64');
      const last = server.requests[server.requests.length - 1];
      assert.deepEqual(last, { path: '/api/upgrades_info/v1/graph', channel: 'stable-4.19', arch: 'arm64', accept: 'application/json' });
      // Fetched once per client.
      const before = server.requests.length;
      await c.fetchGraph('stable-4.19', 'arm64');
      assert.equal(server.requests.length, before);
    } finally {
      await c.close();
    }
  });

  it('takes UPDATE_URL_OVERRIDE from the environment it is given', async () => {
    const c = new UpdateGraphClient({ env: { UPDATE_URL_OVERRIDE: server.url }, retry: FAST });
    try {
      const g = await c.fetchGraph('stable-4.18', 'multi', { type: 'okd' });
      assert.equal(g.type, 'okd');
      assert.equal(server.requests[server.requests.length - 1]?.arch, 'multi');
    } finally {
      await c.close();
    }
  });

  it('an unknown channel (200, empty graph) is an error naming the channel', async () => {
    const c = client();
    try {
      await assert.rejects(c.fetchGraph('stabel-4.19', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_CHANNEL_UNKNOWN') && err.message.includes('stabel-4.19'));
    } finally {
      await c.close();
    }
  });

  it('an unknown channel (404) is an error naming the channel', async () => {
    server.unknownAs404(true);
    const c = client();
    try {
      await assert.rejects(c.fetchGraph('stable-9.99', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_CHANNEL_UNKNOWN') && /stable-9\.99/.test(err.message) && /404/.test(err.message));
    } finally {
      server.unknownAs404(false);
      await c.close();
    }
  });

  it('an architecture the channel lacks is an unknown channel for that architecture', async () => {
    const c = client();
    try {
      await assert.rejects(c.fetchGraph('stable-4.19', 's390x'), (err: unknown) => isAirlockError(err, 'RELEASE_CHANNEL_UNKNOWN') && /s390x/.test(err.message));
    } finally {
      await c.close();
    }
  });

  it('retries 503 and succeeds; gives up after the retries with the status', async () => {
    server.setChannel('flaky', { kind: 'raw', status: 503, body: 'busy', times: 2 });
    const c = client();
    try {
      // Two failures, then the empty graph of an unknown channel: the retries reached it.
      await assert.rejects(c.fetchGraph('flaky', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_CHANNEL_UNKNOWN'));
      server.setChannel('down', { kind: 'raw', status: 503, body: 'busy' });
      await assert.rejects(c.fetchGraph('down', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_SERVICE_HTTP') && err.context.status === 503);
      assert.equal(server.requests.filter((r) => r.channel === 'down').length, 3);
    } finally {
      await c.close();
    }
  });

  it('does not retry a 400, and says what the service said', async () => {
    server.setChannel('bad', { kind: 'raw', status: 400, body: '{"kind":"invalid_params","value":"invalid arch"}' });
    const c = client();
    try {
      await assert.rejects(c.fetchGraph('bad', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_SERVICE_HTTP') && /invalid arch/.test(err.message));
      assert.equal(server.requests.filter((r) => r.channel === 'bad').length, 1);
    } finally {
      await c.close();
    }
  });

  it('refuses a body that is not a graph', async () => {
    server.setChannel('html', { kind: 'raw', status: 200, body: '<html>login</html>', contentType: 'text/html' });
    server.setChannel('tagged', { kind: 'raw', status: 200, body: JSON.stringify({ nodes: [{ version: '4.19.0', payload: 'quay.io/a/b:4.19.0' }] }) });
    const c = client();
    try {
      await assert.rejects(c.fetchGraph('html', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_INVALID') && /not JSON/.test(err.message));
      await assert.rejects(c.fetchGraph('tagged', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_INVALID') && /digest/.test(err.message));
    } finally {
      await c.close();
    }
  });

  it('an unreachable service is RELEASE_SERVICE_UNREACHABLE after retrying', async () => {
    const c = new UpdateGraphClient({ url: 'http://127.0.0.1:1/graph', env: {}, retry: FAST });
    try {
      await assert.rejects(c.fetchGraph('stable-4.19', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_SERVICE_UNREACHABLE'));
    } finally {
      await c.close();
    }
  });
});

describe('UpdateGraphClient over TLS', () => {
  let dir: string;
  let server: UpdateGraphServer;
  let caFile: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-graph-tls-'));
    const certs = await makeCertificates(dir);
    caFile = certs.caCert;
    server = await startUpdateGraphServer(undefined, { tls: { certFile: certs.serverCert, keyFile: certs.serverKey } });
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an untrusted certificate with a TLS error and a hint', async () => {
    const c = new UpdateGraphClient({ url: server.url, env: {}, retry: FAST });
    try {
      await assert.rejects(c.fetchGraph('stable-4.19', 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_SERVICE_TLS') && /--ca-file/.test(err.hint ?? ''));
    } finally {
      await c.close();
    }
  });

  it('trusts the service with --ca-file, or with verification off', async () => {
    for (const options of [{ caFiles: [caFile] }, { tlsVerify: false }]) {
      const c = new UpdateGraphClient({ url: server.url, env: {}, retry: FAST, ...options });
      try {
        assert.equal((await c.fetchGraph('stable-4.19', 'amd64')).nodes.length, 7);
      } finally {
        await c.close();
      }
    }
  });
});
