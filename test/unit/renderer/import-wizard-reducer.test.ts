import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canVerify,
  importReducer,
  initialImportState,
  isValidTarget,
  verificationPassed,
  type ImportAction,
  type ImportWizardState,
  type MediaSource,
} from '../../../renderer/state/import-wizard';
import { DAMAGED, drive, IMPORTED, transferSet, VERIFIED } from './fixtures';

const SOURCE: MediaSource = { kind: 'drive', drive: drive() };
const SET = transferSet();
const UNTRUSTED = transferSet({ signature: { trusted: false, fingerprint: 'SHA256:x', reason: 'unknown-signer', message: 'not trusted' } });

function run(actions: readonly ImportAction[], from: ImportWizardState = initialImportState()): ImportWizardState {
  return actions.reduce(importReducer, from);
}

const SCANNED: readonly ImportAction[] = [{ type: 'scan/started', source: SOURCE }, { type: 'scan/finished', source: SOURCE, scan: { sets: [SET], unreadable: [] } }];
const VERIFIED_STEPS: readonly ImportAction[] = [...SCANNED, { type: 'verify/requested' }, { type: 'verify/started', jobId: 'v' }, { type: 'verify/finished', outcome: VERIFIED }];
const AT_TARGET: readonly ImportAction[] = [...VERIFIED_STEPS, { type: 'target/entered' }];

describe('importReducer', () => {
  it('preselects the only set on the media', () => {
    const s = run(SCANNED);
    assert.equal(s.step === 'media' && s.selected?.setId, SET.setId);
  });

  it('ignores a scan answer for a drive no longer chosen', () => {
    const other: MediaSource = { kind: 'folder', path: '/elsewhere' };
    const s = run([{ type: 'scan/started', source: other }, { type: 'scan/finished', source: SOURCE, scan: { sets: [SET], unreadable: [] } }]);
    assert.equal(s.step === 'media' && s.scan.kind, 'scanning');
  });

  const gate: ReadonlyArray<readonly [string, Parameters<typeof canVerify>[0], boolean, boolean]> = [
    ['a trusted, complete set', SET, false, true],
    ['an untrusted set', UNTRUSTED, false, false],
    ['an untrusted set the operator accepted', UNTRUSTED, true, true],
    ['an incomplete set', transferSet({ complete: false }), true, false],
    ['no set', undefined, true, false],
  ];
  for (const [name, set, accept, allowed] of gate) it(`${allowed ? 'verifies' : 'does not verify'} ${name}`, () => assert.equal(canVerify(set, accept), allowed));

  it('stops at verification when the set is damaged or not trusted', () => {
    const damaged = run([...SCANNED, { type: 'verify/requested' }, { type: 'verify/started', jobId: 'v' }, { type: 'verify/finished', outcome: DAMAGED }]);
    assert.equal(damaged.step === 'verify' && damaged.verify.kind, 'rejected');
    assert.equal(run([{ type: 'target/entered' }], damaged), damaged);
    assert.equal(verificationPassed({ ...VERIFIED, signature: { trusted: false } }, false), false);
    assert.equal(verificationPassed({ ...VERIFIED, signature: { trusted: false } }, true), true);
  });

  it('moves on to the target after a clean verification', () => {
    const s = run(AT_TARGET);
    assert.equal(s.step, 'target');
  });

  it('will not push while a typed password is still in the page', () => {
    const typed = run([{ type: 'target/changed', target: { registry: 'registry.example:5000/mirror', username: 'u', password: 'p' } }], run(AT_TARGET));
    assert.equal(run([{ type: 'push/requested' }], typed), typed);
    const stored = run([{ type: 'credentials/stored' }], typed);
    assert.equal(stored.step === 'target' && stored.target.password, '');
    assert.equal(run([{ type: 'push/requested' }], stored).step, 'push');
  });

  it('needs a valid registry target', () => {
    for (const [target, valid] of [
      ['registry.example:5000/mirror', true],
      ['registry.example', true],
      ['10.0.0.5:5000/a/b', true],
      ['https://registry.example', false],
      ['user:pw@registry', false],
      ['', false],
      ['registry.example/UPPER', false],
    ] as const) {
      assert.equal(isValidTarget(target), valid, target);
    }
  });

  it('pushes, then shows the cluster resources; a change of target resets the connection test', () => {
    const target = run([{ type: 'target/changed', target: { registry: 'r.example/m' } }, { type: 'connection/testing' }, { type: 'connection/tested', authenticated: true }], run(AT_TARGET));
    assert.equal(target.step === 'target' && target.connection.kind, 'ok');
    const changed = run([{ type: 'target/changed', target: { tlsVerify: false } }], target);
    assert.equal(changed.step === 'target' && changed.connection.kind, 'untested');
    const pushing = run([{ type: 'push/requested' }, { type: 'push/started', jobId: 'i' }], target);
    assert.equal(run([{ type: 'back' }], pushing), pushing, 'no going back while pushing');
    const done = run([{ type: 'push/finished', jobId: 'i', outcome: IMPORTED }], pushing);
    assert.equal(done.step, 'resources');
    assert.equal(run([{ type: 'restart' }], done).step, 'media');
  });

  it('carries cosign signatures only when asked; the switch keeps the connection test and survives a way back', () => {
    const tested = run([{ type: 'target/changed', target: { registry: 'r.example/m' } }, { type: 'connection/testing' }, { type: 'connection/tested', authenticated: false }], run(AT_TARGET));
    assert.equal(tested.step === 'target' && tested.target.carrySignatures, false, 'off by default, as oc-mirror');
    const on = run([{ type: 'signatures/changed', carry: true }], tested);
    assert.equal(on.step === 'target' && on.target.carrySignatures, true);
    assert.equal(on.step === 'target' && on.connection.kind, 'ok');
    const failed = run([{ type: 'push/requested' }, { type: 'push/started', jobId: 'i' }, { type: 'push/failed', jobId: 'i', error: { code: 'REGISTRY_AUTH', message: 'no' } }], on);
    assert.equal(run([{ type: 'signatures/changed', carry: false }], failed), failed, 'only on the target step');
    const back = run([{ type: 'back' }], failed);
    assert.equal(back.step === 'target' && back.target.carrySignatures, true);
  });

  it('offers a retry and a way back after a failed push', () => {
    const failed = run([{ type: 'target/changed', target: { registry: 'r.example' } }, { type: 'push/requested' }, { type: 'push/started', jobId: 'i' }, { type: 'push/failed', jobId: 'i', error: { code: 'REGISTRY_AUTH', message: 'no' } }], run(AT_TARGET));
    assert.equal(run([{ type: 'back' }], failed).step, 'target');
    const retried = run([{ type: 'push/requested' }], failed);
    assert.equal(retried.step === 'push' && retried.push.kind, 'starting');
  });
});
