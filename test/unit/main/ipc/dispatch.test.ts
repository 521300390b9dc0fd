import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispatch, toIpcError } from '../../../../main/ipc/dispatch';
import { IPC_VALIDATORS } from '../../../../main/ipc/validate';
import { AirlockError } from '../../../../src/errors';
import { AIRLOCK_VERSION } from '../../../../src/version';

const TRUSTED = 'app://airlock/index.html';
const validate = IPC_VALIDATORS['app:version'];

describe('dispatch', () => {
  it('answers app:version from a trusted sender', async () => {
    const result = await dispatch('app:version', TRUSTED, [], validate, () => ({ airlock: AIRLOCK_VERSION }));
    assert.deepEqual(result, { ok: true, value: { airlock: AIRLOCK_VERSION } });
  });

  it('refuses an untrusted sender without running the handler', async () => {
    let ran = false;
    const result = await dispatch('app:version', 'https://evil.example/', [], validate, () => {
      ran = true;
      return { airlock: 'x' };
    });
    assert.equal(ran, false);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'IPC_UNTRUSTED_SENDER');
  });

  it('refuses a destroyed sender frame', async () => {
    const result = await dispatch('app:version', null, [], validate, () => ({ airlock: 'x' }));
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'IPC_UNTRUSTED_SENDER');
  });

  it('refuses arguments the channel does not take', async () => {
    let ran = false;
    const result = await dispatch('app:version', TRUSTED, ['surprise'], validate, () => {
      ran = true;
      return { airlock: 'x' };
    });
    assert.equal(ran, false);
    assert.deepEqual(result, {
      ok: false,
      error: {
        code: 'IPC_INVALID_ARGS',
        message: 'invalid arguments for app:version: expected no arguments, got 1',
        details: { context: { channel: 'app:version' } },
      },
    });
  });

  it('carries an AirlockError code, context and hint through the envelope', async () => {
    const result = await dispatch('app:version', TRUSTED, [], validate, async () => {
      throw new AirlockError('REGISTRY_AUTH', 'quay.io refused the credentials', {
        context: { registry: 'quay.io' },
        hint: 'log in again',
      });
    });
    assert.deepEqual(result, {
      ok: false,
      error: {
        code: 'REGISTRY_AUTH',
        message: 'quay.io refused the credentials',
        details: { context: { registry: 'quay.io' }, hint: 'log in again' },
      },
    });
  });

  it('hides unexpected errors behind INTERNAL and logs them in main', async () => {
    const logged: string[] = [];
    const result = await dispatch(
      'app:version',
      TRUSTED,
      [],
      validate,
      () => {
        throw new Error('ENOENT /home/alice/.secret');
      },
      { log: (line) => logged.push(line) },
    );
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.code, 'INTERNAL');
      assert.doesNotMatch(result.error.message, /alice/);
    }
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /app:version failed: .*ENOENT/);
  });
});

describe('toIpcError', () => {
  it('omits empty details', () => {
    assert.deepEqual(toIpcError(new AirlockError('X', 'm')), { code: 'X', message: 'm' });
  });

  it('turns a non-Error throw into INTERNAL', () => {
    assert.equal(toIpcError('boom').code, 'INTERNAL');
  });
});
