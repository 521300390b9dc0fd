/**
 * The IPC server with the real handlers and services (temp data directory, in-memory cipher, no
 * Electron): calls from unknown senders are refused on every channel before any handler runs, and
 * no result of any channel ever carries a saved registry password.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IpcChannel } from '../../../../main/ipc/contract';
import { createIpcHandlers, type IpcHandlers } from '../../../../main/ipc/handlers';
import { createIpcServer } from '../../../../main/ipc/server';
import { AppServices } from '../../../../main/services/app-services';
import type { SecretCipher } from '../../../../main/services/credentials';
import type { JobHost } from '../../../../main/services/jobs/host';
import { CHANNEL_CASES } from './channel-cases';

const TRUSTED = 'app://airlock/index.html';
const SECRET = 'hunter2-very-secret-registry-password';

function cipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    isAvailable: () => true,
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      const d = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

/** Jobs never reach a worker here: the host records what it was asked to run. */
function recordingHost(specs: unknown[]): JobHost {
  return {
    spawn() {
      return {
        post: (message) => void specs.push(message),
        onMessage: () => undefined,
        onExit: () => undefined,
        terminate: async () => undefined,
      };
    },
  };
}

describe('IPC server', () => {
  let dir: string;
  let services: AppServices;
  let handlers: IpcHandlers;
  const specs: unknown[] = [];
  const logged: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-ipc-'));
    services = await AppServices.create({
      stationDir: join(dir, 'data'),
      defaultCacheDir: join(dir, 'cache'),
      dialogs: { openFile: async () => undefined, chooseFolder: async () => undefined, saveFile: async () => undefined },
      printer: { toPdf: async () => new Uint8Array([37, 80, 68, 70]) },
      clipboard: { writeText: () => undefined },
      drives: { list: async () => [], eject: async () => ({ ejected: '', poweredOff: false }) },
      jobHost: recordingHost(specs),
      notify: () => undefined,
      cipher: cipher(),
      hostname: 'test-station',
      log: (line) => logged.push(line),
      // releases:channel must not reach api.openshift.com from a unit test: a closed loopback port.
      env: { UPDATE_URL_OVERRIDE: 'http://127.0.0.1:9/api/upgrades_info/v1/graph' },
    });
    handlers = createIpcHandlers(services);
  });

  after(async () => {
    await services.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  const channels = Object.keys(CHANNEL_CASES) as IpcChannel[];

  for (const sender of ['https://evil.example/', 'file:///etc/passwd', 'app://airlock.evil/index.html', null]) {
    it(`refuses every channel from ${String(sender)} without running a handler`, async () => {
      let ran = 0;
      const spied = Object.fromEntries(channels.map((c) => [c, () => void ran++])) as unknown as IpcHandlers;
      const server = createIpcServer(spied);
      for (const channel of channels) {
        const result = await server.invoke(channel, sender, CHANNEL_CASES[channel].valid);
        assert.deepEqual(result.ok ? 'ok' : result.error.code, 'IPC_UNTRUSTED_SENDER', channel);
      }
      const unknown = await server.invoke('shell:exec', sender, ['rm -rf /']);
      assert.equal(!unknown.ok && unknown.error.code, 'IPC_UNTRUSTED_SENDER');
      assert.equal(ran, 0);
    });
  }

  it('refuses a channel that does not exist', async () => {
    const result = await createIpcServer(handlers).invoke('shell:exec', TRUSTED, []);
    assert.equal(!result.ok && result.error.code, 'IPC_UNKNOWN_CHANNEL');
  });

  it('refuses malformed arguments before the handler runs', async () => {
    let ran = 0;
    const spied = Object.fromEntries(channels.map((c) => [c, () => void ran++])) as unknown as IpcHandlers;
    const server = createIpcServer(spied);
    for (const channel of channels) {
      for (const [why, args] of CHANNEL_CASES[channel].malformed) {
        const result = await server.invoke(channel, TRUSTED, args);
        assert.equal(!result.ok && result.error.code, 'IPC_INVALID_ARGS', `${channel}: ${why}`);
      }
    }
    assert.equal(ran, 0);
  });

  it('never returns a saved password, from any channel', async () => {
    const server = createIpcServer(handlers, { log: (line) => logged.push(line) });
    const saved = await server.invoke('credentials:save', TRUSTED, [{ registry: 'registry.example:5000', username: 'admin', password: SECRET, persist: true }]);
    assert.deepEqual(saved, { ok: true, value: { registry: 'registry.example:5000', username: 'admin', persisted: true } });
    await server.invoke('credentials:save', TRUSTED, [{ registry: 'other.example', username: 'bob', password: SECRET, persist: false }]);

    const results: unknown[] = [];
    for (const channel of channels) results.push(await server.invoke(channel, TRUSTED, CHANNEL_CASES[channel].valid));
    results.push(await server.invoke('credentials:list', TRUSTED, []));
    results.push(await server.invoke('registry:test', TRUSTED, [{ target: '127.0.0.1:9/mirror', tlsVerify: false }]));
    const everything = JSON.stringify(results);
    assert.doesNotMatch(everything, new RegExp(SECRET));
    assert.match(everything, /"username":"admin"/, 'the results were really collected');
    // Nor is it on disk in the clear, nor in main's log.
    assert.doesNotMatch(await readFile(join(dir, 'data', 'credentials.json'), 'utf8'), new RegExp(SECRET));
    assert.doesNotMatch(logged.join('\n'), new RegExp(SECRET));
  });

  it('hands a saved credential to the import worker, never anything else', async () => {
    specs.length = 0;
    const server = createIpcServer(handlers);
    // (The test above ran credentials:forget for this registry too.)
    await server.invoke('credentials:save', TRUSTED, [{ registry: 'registry.example:5000', username: 'admin', password: SECRET, persist: false }]);
    const from = await mkdtemp(join(dir, 'set-'));
    const started = await server.invoke('jobs:start', TRUSTED, [{ kind: 'import', from, target: 'registry.example:5000/mirror', tlsVerify: true, insecureAcceptUntrusted: false }]);
    assert.equal(started.ok, true);
    const run = specs.find((m): m is { type: 'run'; spec: { kind: string; credentials: unknown[] } } => (m as { type?: string }).type === 'run');
    assert.deepEqual(run?.spec.credentials, [{ registry: 'registry.example:5000', username: 'admin', password: SECRET }]);
    const snapshot = await server.invoke('jobs:get', TRUSTED, [started.ok ? (started.value as { jobId: string }).jobId : '']);
    assert.doesNotMatch(JSON.stringify(snapshot), new RegExp(SECRET));
  });
});
