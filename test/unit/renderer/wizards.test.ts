import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import type { JobSnapshot } from '../../../main/ipc/contract';
import { ExportWizard } from '../../../renderer/wizards/export/ExportWizard';
import { ImportWizard } from '../../../renderer/wizards/import/ImportWizard';
import { FakeApi, ok } from './fake-api';
import { drive, IMPORTED, OUTCOME, PLAN, running, transferSet, VERIFIED } from './fixtures';
import { h, renderWithApi } from './render';

afterEach(cleanup);

/** The wizard follows a job once it has asked main for it; only then can pushed updates reach it. */
async function following(api: FakeApi, jobId: string): Promise<void> {
  await waitFor(() => assert.ok(api.callsTo('jobs.get').some((c) => c.args[0] === jobId), `following ${jobId}`));
}

function finished(jobId: string, kind: JobSnapshot['kind'], outcome: Extract<JobSnapshot, { status: 'succeeded' }>['outcome']): JobSnapshot {
  return { jobId, kind, startedAt: '2025-03-01T12:00:00.000Z', finishedAt: '2025-03-01T12:01:00.000Z', status: 'succeeded', outcome, images: [], warnings: [], errors: [] };
}

describe('ExportWizard', () => {
  it('validates as the operator types, plans, writes to the chosen drive, and ejects it', async () => {
    let jobs = 0;
    const api = new FakeApi()
      .answer('drives.list', () => ok([drive()]))
      .answer('config.validate', (yaml) => ok({ valid: true, archiveSizeGiB: 500, additionalImages: String(yaml).includes('quay.io') ? ['quay.io/org/app:1'] : [], blockedImages: [], unsupported: [] }))
      .answer('jobs.start', () => ok({ jobId: ++jobs === 1 ? 'plan-1' : 'export-1' }))
      .answer('jobs.get', (id) => ok(running(String(id))))
      .answer('jobs.cancel', () => ok({ cancelling: true }))
      .answer('drives.eject', () => ok({ ejected: '/dev/sdb1', poweredOff: true }));
    renderWithApi(h(ExportWizard, {}), api);

    const next = (): HTMLButtonElement => screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement;
    assert.equal(next().disabled, true);
    fireEvent.change(screen.getByLabelText('Additional image 1'), { target: { value: 'quay.io/org/app:1' } });
    await screen.findByText('Valid: 1 image to mirror.');
    assert.equal(next().disabled, false);
    fireEvent.click(next());

    await screen.findByRole('heading', { name: 'The plan' });
    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 1));
    const planRequest = api.callsTo('jobs.start')[0]?.args[0] as Record<string, unknown>;
    assert.deepEqual({ ...planRequest, configYaml: undefined }, { kind: 'export-plan', configName: 'imageset-config.yaml', srcTlsVerify: true, carrySignatures: false, configYaml: undefined });
    assert.match(String(planRequest.configYaml), /- name: quay\.io\/org\/app:1/);
    await following(api, 'plan-1');
    await act(async () => api.emit('job:update', finished('plan-1', 'export-plan', { kind: 'export-plan', plan: PLAN })));
    await screen.findByText('1 part of at most 500 GiB');
    fireEvent.click(next());

    await screen.findByRole('heading', { name: 'Where should the transfer set go?' });
    const write = (): HTMLButtonElement => screen.getByRole('button', { name: 'Write to media' }) as HTMLButtonElement;
    assert.equal(write().disabled, true);
    fireEvent.click(await screen.findByRole('radio', { name: 'AIRLOCK (/media/op/AIRLOCK)' }));
    assert.equal(write().disabled, false);
    fireEvent.click(write());

    await screen.findByRole('heading', { name: 'Transferring' });
    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 2));
    assert.deepEqual({ ...(api.callsTo('jobs.start')[1]?.args[0] as object), configYaml: undefined }, { kind: 'export', configName: 'imageset-config.yaml', srcTlsVerify: true, carrySignatures: false, workspace: '/media/op/AIRLOCK', configYaml: undefined });
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel transfer' }));
    await waitFor(() => assert.deepEqual(api.callsTo('jobs.cancel').map((c) => c.args), [['export-1']]));

    await following(api, 'export-1');

    await act(async () => api.emit('job:update', finished('export-1', 'export', { kind: 'export', export: OUTCOME })));
    await screen.findByText(/Read-back verification passed/);
    fireEvent.click(screen.getByRole('button', { name: 'Eject drive' }));
    await screen.findByText('The drive was ejected. It is safe to unplug it.');
    assert.deepEqual(api.callsTo('drives.eject').map((c) => c.args), [['/dev/sdb1']]);
  });

  it('shows a failed transfer with its error and lets the operator go back', async () => {
    const api = new FakeApi()
      .answer('drives.list', () => ok([drive()]))
      .answer('config.validate', () => ok({ valid: true, archiveSizeGiB: 500, additionalImages: ['quay.io/org/app:1'], blockedImages: [], unsupported: [] }))
      .answer('jobs.start', (r) => ok({ jobId: (r as { kind: string }).kind }))
      .answer('jobs.get', (id) => ok(running(String(id))));
    renderWithApi(h(ExportWizard, {}), api);
    fireEvent.change(screen.getByLabelText('Additional image 1'), { target: { value: 'quay.io/org/app:1' } });
    await screen.findByText('Valid: 1 image to mirror.');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 1));
    await following(api, 'export-plan');
    await act(async () => api.emit('job:update', finished('export-plan', 'export-plan', { kind: 'export-plan', plan: PLAN })));
    fireEvent.click(await screen.findByRole('button', { name: 'Next' }));
    fireEvent.click(await screen.findByRole('radio', { name: 'AIRLOCK (/media/op/AIRLOCK)' }));
    fireEvent.click(screen.getByRole('button', { name: 'Write to media' }));
    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 2));
    await following(api, 'export');
    await act(async () =>
      api.emit('job:update', { jobId: 'export', kind: 'export', startedAt: 'x', finishedAt: 'y', status: 'failed', error: { code: 'MEDIA_READBACK_FAILED', message: 'part 1 differs' }, images: [], warnings: [], errors: [] }),
    );
    await screen.findByText(/What was read back from the media differs/);
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    await screen.findByRole('heading', { name: 'Where should the transfer set go?' });
  });
});

describe('ImportWizard', () => {
  it('scans the drive, verifies, hands the password to main, pushes and shows the resources', async () => {
    let jobs = 0;
    const api = new FakeApi()
      .answer('drives.list', () => ok([drive()]))
      .answer('app.info', () => ok({ version: '0.1.0', platform: 'linux', stationFingerprint: 'SHA256:x', hostname: 'enclave', credentialEncryption: false }))
      .answer('credentials.list', () => ok([]))
      .answer('media.scan', () => ok({ sets: [transferSet()], unreadable: [] }))
      .answer('jobs.start', () => ok({ jobId: ++jobs === 1 ? 'verify-1' : 'import-1' }))
      .answer('jobs.get', (id) => ok(running(String(id))))
      .answer('credentials.save', (input) => ok({ registry: (input as { registry: string }).registry, username: 'admin', persisted: false }))
      .answer('resources.read', () => ok({ name: 'idms-airlock.yaml', path: '/x', yaml: 'kind: ImageDigestMirrorSet\n' }));
    renderWithApi(h(ImportWizard, {}), api);

    fireEvent.click(await screen.findByRole('radio', { name: 'AIRLOCK (/media/op/AIRLOCK)' }));
    await screen.findByText('Trusted (connected station)');
    assert.deepEqual(api.callsTo('media.scan').map((c) => c.args), [['/media/op/AIRLOCK']]);
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));

    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 1));
    assert.deepEqual(api.callsTo('jobs.start')[0]?.args[0], { kind: 'verify', dir: '/media/op/AIRLOCK', deep: true, insecureAcceptUntrusted: false });
    await following(api, 'verify-1');
    await act(async () => api.emit('job:update', finished('verify-1', 'verify', { kind: 'verify', verify: VERIFIED })));
    await screen.findByText('The transfer set is intact and authentic.');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));

    await screen.findByRole('heading', { name: 'Where do the images go?' });
    fireEvent.change(screen.getByRole('textbox', { name: /^Registry/ }), { target: { value: 'registry.enclave.example:5000/mirror' } });
    fireEvent.change(screen.getByLabelText('User name'), { target: { value: 'admin' } });
    fireEvent.change(screen.getByLabelText('Password or token'), { target: { value: 'pa55w0rd-xyz' } });
    fireEvent.click(screen.getByRole('switch', { name: "Verify the registry's TLS certificate" }));
    fireEvent.click(screen.getByRole('switch', { name: 'Carry cosign signatures' }));
    fireEvent.click(screen.getByRole('button', { name: 'Push images' }));

    await screen.findByRole('heading', { name: 'Pushing to the registry' });
    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 2));
    assert.deepEqual(api.callsTo('credentials.save').map((c) => c.args), [[{ registry: 'registry.enclave.example:5000', username: 'admin', password: 'pa55w0rd-xyz', persist: false }]]);
    const importRequest = api.callsTo('jobs.start')[1]?.args[0];
    assert.deepEqual(importRequest, { kind: 'import', from: '/media/op/AIRLOCK', target: 'registry.enclave.example:5000/mirror', tlsVerify: false, insecureAcceptUntrusted: false, carrySignatures: true });
    assert.doesNotMatch(JSON.stringify(importRequest), /pa55w0rd/);

    await following(api, 'import-1');

    await act(async () => api.emit('job:update', finished('import-1', 'import', { kind: 'import', import: IMPORTED })));
    await screen.findByRole('heading', { name: 'Apply these to the cluster' });
    await screen.findByText(/kind: ImageDigestMirrorSet/);
  });

  it('stops at verification and lists the bad files', async () => {
    const api = new FakeApi()
      .answer('drives.list', () => ok([drive()]))
      .answer('app.info', () => ok({ version: '0.1.0', platform: 'linux', stationFingerprint: 'SHA256:x', hostname: 'enclave', credentialEncryption: true }))
      .answer('credentials.list', () => ok([]))
      .answer('media.scan', () => ok({ sets: [transferSet()], unreadable: [] }))
      .answer('jobs.start', () => ok({ jobId: 'verify-1' }))
      .answer('jobs.get', (id) => ok(running(String(id))));
    renderWithApi(h(ImportWizard, {}), api);
    fireEvent.click(await screen.findByRole('radio', { name: 'AIRLOCK (/media/op/AIRLOCK)' }));
    await screen.findByText('Trusted (connected station)');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => assert.equal(api.callsTo('jobs.start').length, 1));
    await following(api, 'verify-1');
    await act(async () =>
      api.emit('job:update', finished('verify-1', 'verify', { kind: 'verify', verify: { ...VERIFIED, ok: false, problems: [{ code: 'SIZE_MISMATCH', message: 'truncated', file: 'mirror_000002.tar' }] } })),
    );
    await screen.findByText('mirror_000002.tar');
    assert.equal((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled, true);
  });
});
