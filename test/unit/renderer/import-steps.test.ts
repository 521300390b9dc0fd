import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { TransferSetInfo } from '../../../main/ipc/contract';
import { EMPTY_TARGET, type TargetForm } from '../../../renderer/state/import-wizard';
import { ImportMediaStep } from '../../../renderer/wizards/import/MediaStep';
import { PushStep } from '../../../renderer/wizards/import/PushStep';
import { applyCommand, ResourcesStep } from '../../../renderer/wizards/import/ResourcesStep';
import { TargetStep } from '../../../renderer/wizards/import/TargetStep';
import { VerifyStep } from '../../../renderer/wizards/import/VerifyStep';
import { FakeApi, ok } from './fake-api';
import { DAMAGED, drive, IMPORTED, running, transferSet, VERIFIED } from './fixtures';
import { h, renderWithApi } from './render';

afterEach(cleanup);

describe('ImportMediaStep', () => {
  const base = {
    drives: { kind: 'ready' as const, drives: [drive()] },
    onScanDrive: () => undefined,
    onChooseFolder: () => undefined,
    onRefresh: () => undefined,
    onSelect: () => undefined,
    onAcceptUntrusted: () => undefined,
  };

  it('lists the sets found with id, origin, time, size and signature', () => {
    const selected: TransferSetInfo[] = [];
    const sets = [transferSet(), transferSet({ dir: '/media/op/AIRLOCK/older', setId: 'older-set', signature: { trusted: false, fingerprint: 'SHA256:zzz', reason: 'unknown-signer', message: 'x' } })];
    renderWithApi(
      h(ImportMediaStep, { ...base, scan: { kind: 'scanned', source: { kind: 'drive', drive: drive() }, scan: { sets, unreadable: [{ dir: '/media/op/AIRLOCK/bad', error: { code: 'TRANSFER_MANIFEST_INVALID', message: 'not json' } }] } }, selected: undefined, acceptUntrusted: false, onSelect: (s: TransferSetInfo) => selected.push(s) }),
      new FakeApi(),
    );
    const table = screen.getByRole('grid', { name: 'Transfer sets found' });
    within(table).getByText('Trusted (connected station)');
    within(table).getByText('Not trusted');
    assert.equal(within(table).getAllByText('3.00 GiB').length, 2);
    assert.equal(within(table).getAllByText('SHA256:abcdefghijkl…9ABCDEFG').length, 2);
    screen.getByText('/media/op/AIRLOCK/bad has a transfer.json that cannot be read');
    fireEvent.click(screen.getByRole('radio', { name: 'Select transfer set older-set' }));
    assert.equal(selected[0]?.setId, 'older-set');
  });

  it('asks before an untrusted set goes further', () => {
    const accepted: boolean[] = [];
    const untrusted = transferSet({ signature: { trusted: false, fingerprint: 'SHA256:zzz', reason: 'no-trusted-keys', message: 'x' } });
    renderWithApi(
      h(ImportMediaStep, { ...base, scan: { kind: 'scanned', source: { kind: 'drive', drive: drive() }, scan: { sets: [untrusted], unreadable: [] } }, selected: untrusted, acceptUntrusted: false, onAcceptUntrusted: (a: boolean) => accepted.push(a) }),
      new FakeApi(),
    );
    screen.getByText('This set is not signed by a station you trust');
    screen.getByText('This station trusts no key yet.');
    fireEvent.click(screen.getByLabelText(/Verify and import it anyway/));
    assert.deepEqual(accepted, [true]);
  });

  it('says when nothing was found', () => {
    renderWithApi(h(ImportMediaStep, { ...base, scan: { kind: 'scanned', source: { kind: 'folder', path: '/x' }, scan: { sets: [], unreadable: [] } }, selected: undefined, acceptUntrusted: false }), new FakeApi());
    screen.getByText(/No transfer set was found here/);
  });
});

describe('VerifyStep', () => {
  it('shows progress, then the verdict', () => {
    renderWithApi(h(VerifyStep, { verify: { kind: 'running', jobId: 'v' }, snapshot: running('v', { kind: 'verify', progress: { phase: 'verify', done: 5, total: 10, unit: 'bytes', overall: 0.5 } }), onRetry: () => undefined }), new FakeApi());
    screen.getByText('Verifying checksums');
    cleanup();
    renderWithApi(h(VerifyStep, { verify: { kind: 'passed', outcome: VERIFIED }, snapshot: undefined, onRetry: () => undefined }), new FakeApi());
    screen.getByText('The transfer set is intact and authentic.');
    screen.getByText(/Signed by SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG \(connected station\)/);
  });

  it('lists every bad file when the set is damaged', () => {
    renderWithApi(h(VerifyStep, { verify: { kind: 'rejected', outcome: DAMAGED }, snapshot: undefined, onRetry: () => undefined }), new FakeApi());
    screen.getByText('The transfer set failed verification. Do not import it.');
    const problems = screen.getByRole('grid', { name: 'Problems found' });
    within(problems).getByText('mirror_000001.tar');
    within(problems).getByText('HASH_MISMATCH');
  });
});

describe('TargetStep', () => {
  const show = (target: TargetForm, extra: Partial<{ canPersist: boolean; saved: { registry: string; username: string; persisted: boolean } }> = {}) => {
    const changes: Array<Partial<TargetForm>> = [];
    const carry: boolean[] = [];
    let tests = 0;
    let cas = 0;
    renderWithApi(
      h(TargetStep, {
        target,
        connection: { kind: 'untested' },
        saved: extra.saved,
        canPersist: extra.canPersist ?? true,
        onChange: (c: Partial<TargetForm>) => changes.push(c),
        onCarrySignatures: (c: boolean) => carry.push(c),
        onTest: () => tests++,
        onChooseCa: () => cas++,
      }),
      new FakeApi(),
    );
    return { changes, carry, tests: () => tests, cas: () => cas };
  };

  it('edits the target, the credentials and the TLS options', () => {
    const { changes, cas } = show(EMPTY_TARGET);
    fireEvent.change(screen.getByRole('textbox', { name: /^Registry/ }), { target: { value: 'registry.enclave.example:5000/mirror' } });
    fireEvent.change(screen.getByLabelText('User name'), { target: { value: 'admin' } });
    fireEvent.change(screen.getByLabelText('Password or token'), { target: { value: 'pw' } });
    fireEvent.click(screen.getByLabelText(/Remember these credentials/));
    fireEvent.click(screen.getByRole('switch', { name: "Verify the registry's TLS certificate" }));
    fireEvent.click(screen.getByRole('button', { name: 'Browse…' }));
    assert.deepEqual(changes, [{ registry: 'registry.enclave.example:5000/mirror' }, { username: 'admin' }, { password: 'pw' }, { remember: true }, { tlsVerify: false }]);
    assert.equal(cas(), 1);
    assert.equal((screen.getByLabelText('Password or token') as HTMLInputElement).type, 'password');
  });

  it('flags a target with a scheme and tests only a valid one', () => {
    const bad = show({ ...EMPTY_TARGET, registry: 'https://registry.example' });
    screen.getByText('Give a host name with an optional port and path, without https://');
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    assert.equal(bad.tests(), 0);
    cleanup();
    const good = show({ ...EMPTY_TARGET, registry: 'registry.example' });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    assert.equal(good.tests(), 1);
  });

  it('offers to carry cosign signatures, off by default, and says the export must have carried them', () => {
    const off = show(EMPTY_TARGET);
    const toggle = screen.getByRole('switch', { name: 'Carry cosign signatures' }) as HTMLInputElement;
    assert.equal(toggle.checked, false);
    const help = document.getElementById(String(toggle.getAttribute('aria-describedby')));
    assert.match(help?.textContent ?? '', /only if the export carried them: the switch is needed on both sides of the gap/);
    fireEvent.click(toggle);
    assert.deepEqual(off.carry, [true]);
    assert.deepEqual(off.changes, [], 'not a change of target');
    cleanup();
    const on = show({ ...EMPTY_TARGET, carrySignatures: true });
    fireEvent.click(screen.getByRole('switch', { name: 'Carry cosign signatures' }));
    assert.deepEqual(on.carry, [false]);
  });

  it('says when a password is already saved, and when it cannot be kept', () => {
    show({ ...EMPTY_TARGET, registry: 'registry.example' }, { canPersist: false, saved: { registry: 'registry.example', username: 'admin', persisted: false } });
    screen.getByText(/A password is saved for this registry/);
    screen.getByText(/credentials are kept until Airlock closes/);
    assert.equal((screen.getByLabelText(/Remember these credentials/) as HTMLInputElement).disabled, true);
  });
});

describe('PushStep', () => {
  it('shows a bar for each image being uploaded and counts the pushed ones', () => {
    const snapshot = running('i', {
      kind: 'import',
      progress: { phase: 'push', done: 3 * 1024 * 1024, total: 8 * 1024 * 1024, unit: 'bytes', overall: 0.5 },
      images: [
        { source: 'quay.io/org/app:1', status: 'pushed', bytes: { phase: 'push', done: 1024 * 1024, total: 1024 * 1024 } },
        { source: 'quay.io/org/tool:2', status: 'pending', bytes: { phase: 'push', done: 2 * 1024 * 1024, total: 4 * 1024 * 1024 } },
      ],
    });
    renderWithApi(h(PushStep, { push: { kind: 'running', jobId: 'i' }, registry: 'r.example/m', snapshot, onRetry: () => undefined }), new FakeApi());
    const region = screen.getByRole('region', { name: 'Image progress' });
    within(region).getByText('1 in progress · 1 pushed');
    const bar = within(region).getByRole('progressbar', { name: 'quay.io/org/tool:2' });
    assert.equal(bar.getAttribute('aria-valuenow'), '50');
    assert.equal(bar.getAttribute('aria-valuetext'), 'Uploading: 50%, 2.00 MiB of 4.00 MiB');
    assert.equal(within(region).queryByRole('progressbar', { name: 'quay.io/org/app:1' }), null, 'a pushed image is counted, not drawn');
  });

  it('shows push progress and a cancellation', () => {
    renderWithApi(h(PushStep, { push: { kind: 'running', jobId: 'i' }, registry: 'r.example/m', snapshot: running('i', { kind: 'import', progress: { phase: 'push', done: 1, total: 4, unit: 'bytes', overall: 0.6 } }), onRetry: () => undefined }), new FakeApi());
    screen.getByRole('heading', { name: 'Pushing to the registry' });
    screen.getByText('60%');
    cleanup();
    renderWithApi(h(PushStep, { push: { kind: 'cancelled', jobId: 'i' }, registry: 'r.example/m', snapshot: undefined, onRetry: () => undefined }), new FakeApi());
    screen.getByText(/The push was cancelled/);
  });
});

describe('ResourcesStep', () => {
  it('shows each generated file, copies and saves it, and gives the oc apply command', async () => {
    const api = new FakeApi()
      .answer('resources.read', () => ok({ name: 'idms-airlock.yaml', path: IMPORTED.clusterResources[0]?.path, yaml: 'apiVersion: config.openshift.io/v1\nkind: ImageDigestMirrorSet\n' }))
      .answer('clipboard.write', (text) => ok({ written: String(text).length }))
      .answer('resources.save', () => ok({ kind: 'saved', path: '/home/op/idms.yaml' }));
    let receipts = 0;
    renderWithApi(h(ResourcesStep, { jobId: 'i', outcome: IMPORTED, receipt: { kind: 'idle' }, onSaveReceipt: () => receipts++ }), api);
    screen.getByText('2 images pushed, 1.00 GiB uploaded.');
    assert.equal(applyCommand(IMPORTED), 'oc apply -f /data/imports/x/working-dir/cluster-resources');
    screen.getByText('oc apply -f /data/imports/x/working-dir/cluster-resources');
    await screen.findByText(/kind: ImageDigestMirrorSet/);
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy the oc apply command' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save as… idms-airlock.yaml' }));
    await screen.findByText('Saved to /home/op/idms.yaml');
    await waitFor(() => assert.equal(api.callsTo('clipboard.write').length, 2));
    assert.deepEqual(api.callsTo('clipboard.write').map((c) => String(c.args[0]).split('\n')[0]), ['apiVersion: config.openshift.io/v1', 'oc apply -f /data/imports/x/working-dir/cluster-resources']);
    assert.deepEqual(api.callsTo('resources.read').map((c) => c.args), [['i', 0]]);
    fireEvent.click(screen.getByRole('button', { name: 'Save receipt (PDF)' }));
    assert.equal(receipts, 1);
  });
});
