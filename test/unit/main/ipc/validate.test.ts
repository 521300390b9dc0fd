import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IpcChannel } from '../../../../main/ipc/contract';
import { IPC_VALIDATORS } from '../../../../main/ipc/validate';
import { isAirlockError } from '../../../../src/errors';
import { CHANNEL_CASES } from './channel-cases';

const channels = Object.keys(IPC_VALIDATORS) as IpcChannel[];

describe('IPC argument validation', () => {
  it('has cases for every channel', () => {
    assert.deepEqual(Object.keys(CHANNEL_CASES).sort(), [...channels].sort());
  });

  for (const channel of channels) {
    const cases = CHANNEL_CASES[channel];
    it(`${channel} accepts well-formed arguments`, () => {
      assert.doesNotThrow(() => IPC_VALIDATORS[channel](cases.valid));
    });
    for (const [why, args] of cases.malformed) {
      it(`${channel} refuses ${why}`, () => {
        assert.throws(
          () => IPC_VALIDATORS[channel](args),
          (err: unknown) => isAirlockError(err, 'IPC_INVALID_ARGS') && err.message.startsWith(`invalid arguments for ${channel}: `) && err.context.channel === channel,
        );
      });
    }
  }

  it('names the offending field', () => {
    assert.throws(() => IPC_VALIDATORS['jobs:start']([{ kind: 'verify', dir: 'x', deep: true }]), /argument 1\.dir must be an absolute path/);
    assert.throws(() => IPC_VALIDATORS['settings:set']([{ dataDir: '/x', evil: 1 }]), /argument 1\.evil is not a known field/);
  });

  it('passes the cosign signature choice of plans, exports and imports, and a registries.d folder or the default', () => {
    const YAML = 'mirror:\n  additionalImages:\n    - name: quay.io/org/app:1\n';
    for (const request of [
      { kind: 'export-plan', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, carrySignatures: true },
      { kind: 'export', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, workspace: '/media/x', carrySignatures: false },
      { kind: 'import', from: '/media/x', target: 'registry.example/mirror', tlsVerify: true, insecureAcceptUntrusted: false, carrySignatures: true },
    ]) {
      assert.deepEqual(IPC_VALIDATORS['jobs:start']([request]), [request], request.kind);
      const without: Record<string, unknown> = { ...request };
      delete without.carrySignatures;
      assert.deepEqual(IPC_VALIDATORS['jobs:start']([without]), [without], `${request.kind} without the choice (default: removed)`);
    }
    assert.deepEqual(IPC_VALIDATORS['settings:set']([{ registriesDir: '' }]), [{ registriesDir: '' }]);
    assert.deepEqual(IPC_VALIDATORS['settings:set']([{ registriesDir: '/etc/airlock/registries.d' }]), [{ registriesDir: '/etc/airlock/registries.d' }]);
    assert.deepEqual(IPC_VALIDATORS['dialogs:chooseFolder'](['registries-d']), ['registries-d']);
    assert.throws(() => IPC_VALIDATORS['jobs:start']([{ kind: 'import', from: '/media/x', target: 'r.example', tlsVerify: true, insecureAcceptUntrusted: false, carrySignatures: 'yes' }]), /argument 1\.carrySignatures must be true or false, got string/);
    assert.throws(() => IPC_VALIDATORS['settings:set']([{ registriesDir: 'registries.d' }]), /argument 1\.registriesDir must be an absolute path/);
  });

  it('returns what it checked, without fields the renderer did not send', () => {
    assert.deepEqual(IPC_VALIDATORS['jobs:start']([{ kind: 'verify', dir: '/media/x', deep: false }]), [{ kind: 'verify', dir: '/media/x', deep: false }]);
  });
});
