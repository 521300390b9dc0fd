import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import type { MediaTarget } from '../../../renderer/state/export-wizard';
import type { TargetCheck } from '../../../renderer/state/media-check';
import { DoneStep } from '../../../renderer/wizards/export/DoneStep';
import { MediaStep } from '../../../renderer/wizards/export/MediaStep';
import { PlanStep } from '../../../renderer/wizards/export/PlanStep';
import { TransferStep } from '../../../renderer/wizards/export/TransferStep';
import { FakeApi } from './fake-api';
import { drive, OUTCOME, PLAN, running } from './fixtures';
import { h, renderWithApi } from './render';

afterEach(cleanup);
const GiB = 1024 ** 3;

describe('PlanStep', () => {
  it('shows progress while the dry run resolves', () => {
    renderWithApi(h(PlanStep, { plan: { kind: 'running', jobId: 'p' }, snapshot: running('p', { kind: 'export-plan', progress: { phase: 'resolve', done: 1, total: 3, unit: 'items', overall: 0.33 } }), onRetry: () => undefined }), new FakeApi());
    screen.getByText('Resolving images');
    screen.getByText(/1 of 3/);
  });

  it('shows images, blobs, size, parts, what is new, warnings and failures', () => {
    renderWithApi(h(PlanStep, { plan: { kind: 'ready', jobId: 'p', plan: PLAN }, snapshot: undefined, onRetry: () => undefined }), new FakeApi());
    const summary = screen.getByLabelText('The plan');
    for (const text of ['Images', 'Blobs', '9', '3.00 GiB', '1 part of at most 500 GiB', '1 of 2 images']) within(summary).getByText(text);
    screen.getByText(/Compared with set set-before/);
    screen.getByText('1 image(s) blocked by mirror.blockedImages');
    screen.getByText('1 image could not be resolved');
    const rows = within(screen.getByRole('grid', { name: 'Images in the plan' })).getAllByRole('row');
    assert.equal(rows.length, 4);
    within(rows[1] as HTMLElement).getByText('new');
    within(rows[2] as HTMLElement).getByText('already sent');
    within(rows[3] as HTMLElement).getByText('manifest unknown');
  });

  it('offers a retry when planning failed', () => {
    let retried = 0;
    renderWithApi(h(PlanStep, { plan: { kind: 'failed', error: { code: 'REGISTRY_UNREACHABLE', message: 'quay.io: connection refused', details: { hint: 'check the proxy' } } }, snapshot: undefined, onRetry: () => retried++ }), new FakeApi());
    screen.getByText('The registry cannot be reached.');
    screen.getByText('quay.io: connection refused');
    screen.getByText('check the proxy');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    assert.equal(retried, 1);
  });
});

describe('MediaStep', () => {
  const show = (target: MediaTarget | undefined, drives = [drive()]) => {
    const selected: Array<[MediaTarget, TargetCheck]> = [];
    let folders = 0;
    renderWithApi(
      h(MediaStep, { plan: PLAN, target, drives: { kind: 'ready', drives }, onSelect: (t: MediaTarget, c: TargetCheck) => selected.push([t, c]), onChooseFolder: () => folders++, onRefresh: () => undefined }),
      new FakeApi(),
    );
    return { selected, folders: () => folders };
  };

  it('lists drives and selects one with its space check', () => {
    const { selected } = show(undefined);
    screen.getByText('20.0 GiB free of 32.0 GiB');
    fireEvent.click(screen.getByRole('radio', { name: 'AIRLOCK (/media/op/AIRLOCK)' }));
    assert.equal(selected.length, 1);
    assert.equal(selected[0]?.[1].usable, true);
  });

  it('says when the chosen drive is too small or read-only', () => {
    show({ kind: 'drive', drive: drive({ freeBytes: GiB, readOnly: true }) });
    screen.getByText('This drive is mounted read-only.');
    screen.getByText(/Not enough space: the set needs about 3\.00 GiB, only 1\.00 GiB is free\./);
  });

  it('tells that parts are cut smaller on FAT32', () => {
    show({ kind: 'drive', drive: drive({ fsType: 'vfat' }) });
    screen.getByText(/Enough space/);
    screen.getByText(/This drive is FAT32/);
  });

  it('offers a folder when no drive is connected', () => {
    const { folders } = show(undefined, []);
    screen.getByText(/No removable drive is connected/);
    fireEvent.click(screen.getByRole('button', { name: 'Choose a folder…' }));
    assert.equal(folders(), 1);
  });
});

describe('TransferStep', () => {
  const target: MediaTarget = { kind: 'drive', drive: drive() };

  it('shows overall and per-image progress, rate, time left and live errors', () => {
    const snapshot = running('e', {
      progress: { phase: 'pull', done: GiB, total: 3 * GiB, unit: 'bytes', overall: 0.2, rate: 50 * 1024 * 1024, etaSeconds: 41 },
      images: [
        { source: 'quay.io/org/app:1', status: 'pulled' },
        { source: 'quay.io/org/gone:3', status: 'failed', message: 'manifest unknown' },
      ],
      errors: ['quay.io/org/gone:3: manifest unknown'],
    });
    renderWithApi(h(TransferStep, { transfer: { kind: 'running', jobId: 'e' }, target, snapshot, onRetry: () => undefined }), new FakeApi());
    screen.getByText('Downloading from the registries');
    screen.getByText('20%');
    screen.getByText(/1\.00 GiB of 3\.00 GiB · 50\.0 MiB\/s · 41s left in this step/);
    screen.getByText('1 error so far');
    screen.getByText('quay.io/org/gone:3: manifest unknown');
    const images = screen.getByRole('region', { name: 'Image progress' });
    within(images).getByText('0 in progress · 1 downloaded · 1 failed');
    fireEvent.click(within(images).getByRole('button', { name: '1 downloaded, 1 failed' }));
    const finished = within(images).getByRole('grid', { name: 'Finished images' });
    within(finished).getByText('Downloaded');
    within(finished).getByText('Failed');
  });

  it('draws a bar per image in flight, first, with its bytes', () => {
    const MiB = 1024 * 1024;
    const snapshot = running('e', {
      progress: { phase: 'pull', done: 3 * MiB, total: 10 * MiB, unit: 'bytes', overall: 0.2 },
      images: [
        { source: 'quay.io/org/done:1', status: 'pulled', bytes: { phase: 'pull', done: MiB, total: MiB } },
        { source: 'quay.io/org/later:1', status: 'resolved' },
        { source: 'quay.io/org/app:1', status: 'resolved', bytes: { phase: 'pull', done: 3 * MiB, total: 4 * MiB } },
      ],
    });
    renderWithApi(h(TransferStep, { transfer: { kind: 'running', jobId: 'e' }, target, snapshot, onRetry: () => undefined }), new FakeApi());
    const images = screen.getByRole('region', { name: 'Image progress' });
    within(images).getByText('1 in progress · 1 downloaded · 1 waiting');
    const bars = within(images).getAllByRole('progressbar');
    assert.deepEqual(bars.map((b) => b.getAttribute('aria-valuetext')), ['Downloading: 75%, 3.00 MiB of 4.00 MiB']);
    within(images).getByText('quay.io/org/app:1');
    within(images).getByText('3.00 MiB of 4.00 MiB');
  });

  it('shows a failure with a retry, and a cancellation', () => {
    let retried = 0;
    renderWithApi(h(TransferStep, { transfer: { kind: 'failed', error: { code: 'MEDIA_NO_SPACE', message: 'no space left on /media/op/AIRLOCK' } }, target, snapshot: undefined, onRetry: () => retried++ }), new FakeApi());
    screen.getByText('The transfer failed');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    assert.equal(retried, 1);
    cleanup();
    renderWithApi(h(TransferStep, { transfer: { kind: 'cancelled', jobId: 'e' }, target, snapshot: undefined, onRetry: () => undefined }), new FakeApi());
    screen.getByText(/The transfer was cancelled/);
  });
});

describe('DoneStep', () => {
  it('summarises the set, the read-back verification, and offers receipt and eject', () => {
    let receipts = 0;
    let ejects = 0;
    renderWithApi(
      h(DoneStep, { outcome: OUTCOME, target: { kind: 'drive', drive: drive() }, eject: { kind: 'idle' }, receipt: { kind: 'idle' }, onEject: () => ejects++, onSaveReceipt: () => receipts++ }),
      new FakeApi(),
    );
    screen.getByText('The transfer set is on the media, with missing images');
    screen.getByText(/Read-back verification passed/);
    screen.getByText(OUTCOME.setId);
    screen.getByText('2 written, 1 missing');
    screen.getByText('c'.repeat(64));
    screen.getByText(/The missing images are listed in/);
    fireEvent.click(screen.getByRole('button', { name: 'Save receipt (PDF)' }));
    fireEvent.click(screen.getByRole('button', { name: 'Eject drive' }));
    assert.deepEqual([receipts, ejects], [1, 1]);
  });

  it('counts the cosign signatures carried apart from the images', () => {
    const signature = { source: 'quay.io/org/app:sha256-aaaa.sig', destination: 'org/app:sha256-aaaa.sig', status: 'ok' as const, digest: `sha256:${'d'.repeat(64)}`, newSinceLastTransfer: true };
    renderWithApi(
      h(DoneStep, { outcome: { ...OUTCOME, images: [...OUTCOME.images, signature], signatures: 1 }, target: { kind: 'drive', drive: drive() }, eject: { kind: 'idle' }, receipt: { kind: 'idle' }, onEject: () => undefined, onSaveReceipt: () => undefined }),
      new FakeApi(),
    );
    screen.getByText('2 written, 1 missing');
    screen.getByText('1 carried beside its image; import with "Carry cosign signatures" on to push it');
    cleanup();
    renderWithApi(h(DoneStep, { outcome: OUTCOME, target: { kind: 'drive', drive: drive() }, eject: { kind: 'idle' }, receipt: { kind: 'idle' }, onEject: () => undefined, onSaveReceipt: () => undefined }), new FakeApi());
    assert.equal(screen.queryByText('Cosign signatures'), null, 'not a line when signatures were not carried');
  });

  it('has no eject for a folder, and reports what eject and the receipt did', () => {
    renderWithApi(
      h(DoneStep, { outcome: { ...OUTCOME, failed: 0, errorLog: undefined }, target: { kind: 'folder', path: '/mnt/x', freeBytes: 1, totalBytes: 2 }, eject: { kind: 'idle' }, receipt: { kind: 'saved', path: '/tmp/r.pdf' }, onEject: () => undefined, onSaveReceipt: () => undefined }),
      new FakeApi(),
    );
    assert.equal(screen.queryByRole('button', { name: 'Eject drive' }), null);
    screen.getByText('Receipt saved to /tmp/r.pdf');
    cleanup();
    renderWithApi(
      h(DoneStep, { outcome: OUTCOME, target: { kind: 'drive', drive: drive() }, eject: { kind: 'failed', error: { code: 'DRIVE_BUSY', message: 'cannot unmount: target is busy', details: { hint: 'close any window' } } }, receipt: { kind: 'idle' }, onEject: () => undefined, onSaveReceipt: () => undefined }),
      new FakeApi(),
    );
    screen.getByText('The drive is in use.');
    screen.getByText('close any window');
  });
});
