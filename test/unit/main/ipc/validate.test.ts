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

  it('returns what it checked, without fields the renderer did not send', () => {
    assert.deepEqual(IPC_VALIDATORS['jobs:start']([{ kind: 'verify', dir: '/media/x', deep: false }]), [{ kind: 'verify', dir: '/media/x', deep: false }]);
  });
});
