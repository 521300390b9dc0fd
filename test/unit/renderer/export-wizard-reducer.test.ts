import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigValidation } from '../../../main/ipc/contract';
import {
  canPlan,
  exportReducer,
  initialExportState,
  reachableSteps,
  type ExportAction,
  type ExportWizardState,
} from '../../../renderer/state/export-wizard';
import { drive, OUTCOME, PLAN } from './fixtures';

const VALID: ConfigValidation = { valid: true, archiveSizeGiB: 500, additionalImages: ['quay.io/org/app:1'], blockedImages: [], unsupported: [] };

function run(actions: readonly ExportAction[], from: ExportWizardState = initialExportState()): ExportWizardState {
  return actions.reduce(exportReducer, from);
}

/** Image set typed and validated: ready to plan. */
function validated(result: ConfigValidation = VALID): ExportWizardState {
  const typed = run([{ type: 'form/changed', form: { additionalImages: ['quay.io/org/app:1'], blockedImages: [], archiveSizeGiB: '' } }]);
  const revision = typed.draft.revision;
  return run([{ type: 'validation/started', revision }, { type: 'validation/finished', revision, result }], typed);
}

const TO_MEDIA: readonly ExportAction[] = [{ type: 'plan/requested' }, { type: 'plan/started', jobId: 'plan-1' }, { type: 'plan/finished', jobId: 'plan-1', plan: PLAN }, { type: 'media/entered' }];
const TO_TRANSFER: readonly ExportAction[] = [...TO_MEDIA, { type: 'media/selected', target: { kind: 'drive', drive: drive() } }, { type: 'transfer/requested' }, { type: 'transfer/started', jobId: 'export-1' }];

describe('exportReducer', () => {
  it('keeps the YAML in step with the form, and the form with the YAML', () => {
    const s = run([{ type: 'form/changed', form: { additionalImages: ['a:1'], blockedImages: ['b'], archiveSizeGiB: '' } }]);
    assert.equal(s.step, 'image-set');
    assert.match(s.draft.yaml, /- name: a:1/);
    const back = run([{ type: 'yaml/changed', yaml: 'mirror:\n  additionalImages:\n    - name: c:3\n' }], s);
    assert.deepEqual(back.draft.form.additionalImages, ['c:3']);
    assert.equal(back.draft.formInSync, true);
    const operators = run([{ type: 'yaml/changed', yaml: 'mirror:\n  helm: {}\n' }], back);
    assert.equal(operators.draft.formInSync, false);
    assert.deepEqual(operators.draft.form.additionalImages, ['c:3'], 'the form keeps its last state while read-only');
    assert.equal(run([{ type: 'form/changed', form: { additionalImages: ['x'], blockedImages: [], archiveSizeGiB: '' } }], operators), operators, 'a read-only form does not change the YAML');
  });

  it('takes an opened file as the configuration', () => {
    const s = run([{ type: 'file/opened', file: { path: '/home/op/isc.yaml', name: 'isc.yaml', text: 'mirror:\n  additionalImages:\n    - name: q:1\n' } }]);
    assert.equal(s.draft.configName, 'isc.yaml');
    assert.equal(s.draft.openedFrom, '/home/op/isc.yaml');
    assert.deepEqual(s.draft.form.additionalImages, ['q:1']);
  });

  it('carries cosign signatures only when asked, keeps the choice through the steps and a new transfer, and does not re-validate for it', () => {
    const start = validated();
    assert.equal(start.draft.carrySignatures, false, 'off by default, as oc-mirror');
    const on = run([{ type: 'signatures/changed', carry: true }], start);
    assert.equal(on.draft.carrySignatures, true);
    assert.equal(on.draft.revision, start.draft.revision);
    assert.equal(on.draft.validation.kind, 'valid');
    const transferring = run(TO_TRANSFER, on);
    assert.equal(transferring.step === 'transfer' && transferring.draft.carrySignatures, true);
    assert.equal(run([{ type: 'signatures/changed', carry: false }], transferring), transferring, 'not once the plan is made');
    const done = run([{ type: 'transfer/finished', jobId: 'export-1', outcome: OUTCOME }], transferring);
    assert.equal(run([{ type: 'restart' }], done).draft.carrySignatures, true);
  });

  it('drops a validation answer for an older revision', () => {
    const typed = run([{ type: 'form/changed', form: { additionalImages: ['a'], blockedImages: [], archiveSizeGiB: '' } }]);
    const stale = typed.draft.revision;
    const retyped = run([{ type: 'form/changed', form: { additionalImages: ['ab'], blockedImages: [], archiveSizeGiB: '' } }], typed);
    const answered = run([{ type: 'validation/finished', revision: stale, result: VALID }], retyped);
    assert.equal(answered.draft.validation.kind, 'idle');
  });

  const planGate: ReadonlyArray<readonly [string, ConfigValidation, boolean]> = [
    ['valid', VALID, true],
    ['invalid', { valid: false, problems: [{ line: 5, column: 7, path: 'mirror.additionalImages[0].name', message: 'bad' }] }, false],
    ['nothing to mirror', { ...VALID, additionalImages: [] }, false],
    ['unsupported sections', { ...VALID, unsupported: ['operators'] }, false],
  ];
  for (const [name, result, allowed] of planGate) {
    it(`${allowed ? 'plans' : 'does not plan'} a configuration that is ${name}`, () => {
      const s = validated(result);
      assert.equal(canPlan(s.draft), allowed);
      assert.equal(run([{ type: 'plan/requested' }], s).step, allowed ? 'plan' : 'image-set');
    });
  }

  it('goes through plan, media, transfer and done', () => {
    const media = run(TO_MEDIA, validated());
    assert.equal(media.step, 'media');
    const transfer = run([{ type: 'media/selected', target: { kind: 'drive', drive: drive() } }, { type: 'transfer/requested' }, { type: 'transfer/started', jobId: 'export-1' }], media);
    assert.equal(transfer.step, 'transfer');
    assert.deepEqual(transfer.step === 'transfer' && transfer.transfer, { kind: 'running', jobId: 'export-1' });
    const ignored = run([{ type: 'transfer/finished', jobId: 'other-job', outcome: OUTCOME }], transfer);
    assert.equal(ignored, transfer, 'another job finishing changes nothing');
    const done = run([{ type: 'transfer/finished', jobId: 'export-1', outcome: OUTCOME }], transfer);
    assert.equal(done.step, 'done');
  });

  it('needs a resolved image and a chosen target before writing', () => {
    const nothing = run([{ type: 'plan/requested' }, { type: 'plan/started', jobId: 'p' }, { type: 'plan/finished', jobId: 'p', plan: { ...PLAN, images: PLAN.images.filter((i) => i.status !== 'ok') } }, { type: 'media/entered' }], validated());
    assert.equal(nothing.step, 'plan');
    const media = run(TO_MEDIA, validated());
    assert.equal(run([{ type: 'transfer/requested' }], media), media);
  });

  it('does not go back while writing, and offers a retry after a failure', () => {
    const writing = run(TO_TRANSFER, validated());
    assert.equal(run([{ type: 'back' }], writing), writing);
    assert.deepEqual([...reachableSteps(writing)], ['transfer']);
    const failed = run([{ type: 'transfer/failed', jobId: 'export-1', error: { code: 'MEDIA_NO_SPACE', message: 'full' } }], writing);
    assert.equal(run([{ type: 'back' }], failed).step, 'media');
    const retried = run([{ type: 'transfer/requested' }], failed);
    assert.deepEqual(retried.step === 'transfer' && retried.transfer, { kind: 'starting' });
    assert.ok(reachableSteps(failed).has('image-set'));
  });

  it('tracks eject and receipt on the done step, and starts over', () => {
    const done = run([...TO_TRANSFER, { type: 'transfer/finished', jobId: 'export-1', outcome: OUTCOME }], validated());
    const ejecting = run([{ type: 'eject/started' }], done);
    assert.deepEqual(ejecting.step === 'done' && ejecting.eject, { kind: 'ejecting' });
    const ejected = run([{ type: 'eject/finished', poweredOff: true }, { type: 'receipt/started' }, { type: 'receipt/saved', path: '/tmp/r.pdf' }], ejecting);
    assert.deepEqual(ejected.step === 'done' && [ejected.eject, ejected.receipt], [{ kind: 'ejected', poweredOff: true }, { kind: 'saved', path: '/tmp/r.pdf' }]);
    assert.equal(run([{ type: 'back' }], ejected), ejected);
    const again = run([{ type: 'restart' }], ejected);
    assert.equal(again.step, 'image-set');
    assert.deepEqual(again.draft.form.additionalImages, ['']);
  });

  it('cannot eject a folder', () => {
    const folder = run(
      [...TO_MEDIA, { type: 'media/selected', target: { kind: 'folder', path: '/mnt/x', freeBytes: 1e12, totalBytes: 2e12 } }, { type: 'transfer/requested' }, { type: 'transfer/started', jobId: 'e' }, { type: 'transfer/finished', jobId: 'e', outcome: OUTCOME }],
      validated(),
    );
    assert.equal(folder.step, 'done');
    assert.equal(run([{ type: 'eject/started' }], folder), folder);
  });

  it('jumps back through the navigation only to earlier steps it may return to', () => {
    const media = run(TO_MEDIA, validated());
    assert.equal(run([{ type: 'go-to', step: 'image-set' }], media).step, 'image-set');
    assert.equal(run([{ type: 'go-to', step: 'done' }], media), media);
    assert.deepEqual([...reachableSteps(media)].sort(), ['image-set', 'media', 'plan']);
  });
});
