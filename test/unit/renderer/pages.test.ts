import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { HistoryEntry } from '../../../main/ipc/contract';
import { App } from '../../../renderer/App';
import { HistoryPage, sortEntries } from '../../../renderer/pages/HistoryPage';
import { SettingsPage } from '../../../renderer/pages/SettingsPage';
import { followSystemTheme } from '../../../renderer/theme';
import { FakeApi, fail, ok } from './fake-api';
import { h, renderWithApi } from './render';

afterEach(cleanup);

const ENTRIES: HistoryEntry[] = [
  { id: 'export:set-a', kind: 'export', setId: 'set-a', time: '2025-03-01T10:00:00.000Z', status: 'complete', operator: 'alice', host: 'conn', bytes: 300, images: 2 },
  { id: 'event:1', kind: 'verify', setId: 'set-a', time: '2025-03-02T10:00:00.000Z', status: 'ok', operator: 'bob', host: 'enclave', bytes: 310 },
  { id: 'event:2', kind: 'import', setId: 'set-a', time: '2025-03-02T11:00:00.000Z', status: 'failed', operator: 'bob', host: 'enclave', registry: 'r.example/m', bytes: 10, insecureAccepted: true },
];

describe('sortEntries', () => {
  it('sorts by any column, both ways', () => {
    assert.deepEqual(sortEntries(ENTRIES, 'time', 'desc').map((e) => e.id), ['event:2', 'event:1', 'export:set-a']);
    assert.deepEqual(sortEntries(ENTRIES, 'bytes', 'asc').map((e) => e.id), ['event:2', 'export:set-a', 'event:1']);
    assert.deepEqual(sortEntries(ENTRIES, 'operator', 'asc').map((e) => e.operator), ['alice', 'bob', 'bob']);
  });
});

describe('HistoryPage', () => {
  it('lists, filters, sorts, shows details and exports', async () => {
    const api = new FakeApi()
      .answer('history.list', (filter) => ok(ENTRIES.filter((e) => !(filter as { kind?: string }).kind || e.kind === (filter as { kind?: string }).kind)))
      .answer('history.detail', () => ok({ entry: ENTRIES[0], fields: [{ label: 'Manifest SHA-256', value: 'abc123' }], images: [{ source: 'quay.io/a:1', destination: 'a:1', digest: `sha256:${'a'.repeat(64)}`, status: 'ok' }], configYaml: 'kind: ImageSetConfiguration\n' }))
      .answer('history.export', () => ok({ kind: 'saved', path: '/home/op/history.csv' }));
    renderWithApi(h(HistoryPage, {}), api);
    const table = await screen.findByRole('grid', { name: 'Transfers on this station' });
    assert.equal(within(table).getAllByRole('row').length, 4);
    within(table).getByText('accepted untrusted');

    fireEvent.click(screen.getByRole('button', { name: 'Imports' }));
    await waitFor(() => assert.equal(within(screen.getByRole('grid', { name: 'Transfers on this station' })).getAllByRole('row').length, 2));
    assert.deepEqual(api.callsTo('history.list').at(-1)?.args, [{ kind: 'import' }]);
    fireEvent.click(screen.getByRole('button', { name: 'All' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Filter by set, operator, host or registry' }), { target: { value: 'bob' } });
    await waitFor(() => assert.deepEqual(api.callsTo('history.list').at(-1)?.args, [{ text: 'bob' }]));

    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await screen.findByText('Saved to /home/op/history.csv');
    assert.deepEqual(api.callsTo('history.export')[0]?.args, ['csv', { text: 'bob' }]);

    fireEvent.click(screen.getAllByRole('button', { name: 'Details of set-a' })[0] as HTMLElement);
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('abc123');
    within(dialog).getByText('quay.io/a:1');
  });

  it('says when there is nothing yet, and shows an error', async () => {
    renderWithApi(h(HistoryPage, {}), new FakeApi().answer('history.list', () => ok([])));
    await screen.findByText('Nothing in the history yet.');
    cleanup();
    renderWithApi(h(HistoryPage, {}), new FakeApi().answer('history.list', () => fail('HISTORY_CORRUPT', 'history.db is damaged')));
    await screen.findByText('The history database cannot be used.');
  });
});

describe('SettingsPage', () => {
  it('shows the station key, trusts a key, forgets a credential and saves settings', async () => {
    const api = new FakeApi()
      .answer('app.info', () => ok({ version: '0.1.0', platform: 'linux', stationFingerprint: 'SHA256:me', hostname: 'station-1', credentialEncryption: true }))
      .answer('settings.get', () => ok({ dataDir: '/data', cacheDir: '/cache', parallelImages: 4, parallelLayers: 5, retryTimes: 2, retryDelayMs: 1000, operator: '', registriesDir: '' }))
      .answer('settings.set', (patch) => ok(patch))
      .answer('keys.station', () => ok({ fingerprint: 'SHA256:me', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n' }))
      .answer('keys.listTrusted', () => ok([{ fingerprint: 'SHA256:them', label: 'conn', addedAt: '2025-03-01T10:00:00.000Z' }]))
      .answer('keys.trust', () => ok({ fingerprint: 'SHA256:new', label: 'other', addedAt: '2025-03-01T10:00:00.000Z' }))
      .answer('credentials.list', () => ok([{ registry: 'r.example', username: 'admin', persisted: true }]))
      .answer('credentials.forget', () => ok({ forgotten: true }));
    renderWithApi(h(SettingsPage, {}), api);
    await screen.findByText('Airlock 0.1.0 on station-1');
    assert.equal((await screen.findByTestId('station-fingerprint')).textContent, 'SHA256:me');
    await screen.findByText('SHA256:them');
    await screen.findByText('encrypted on disk');

    fireEvent.change(screen.getByLabelText(/Public key \(PEM\)/), { target: { value: '-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----' } });
    fireEvent.change(screen.getByLabelText('Label'), { target: { value: 'other' } });
    fireEvent.click(screen.getByRole('button', { name: 'Trust key' }));
    await screen.findByText('Now trusting SHA256:new.');
    assert.deepEqual(api.callsTo('keys.trust')[0]?.args, ['-----BEGIN PUBLIC KEY-----\nX\n-----END PUBLIC KEY-----', 'other']);

    fireEvent.click(screen.getByRole('button', { name: 'Forget credentials for r.example' }));
    await waitFor(() => assert.deepEqual(api.callsTo('credentials.forget')[0]?.args, ['r.example']));

    fireEvent.change(await screen.findByLabelText('Operator name'), { target: { value: 'alice' } });
    const registriesDir = screen.getByLabelText('registries.d folder') as HTMLInputElement;
    assert.equal(registriesDir.value, '', 'empty: where containers tools look');
    assert.match(document.getElementById(String(registriesDir.getAttribute('aria-describedby')))?.textContent ?? '', /use-sigstore-attachments/);
    api.answer('dialogs.chooseFolder', () => ok({ kind: 'chosen', path: '/etc/airlock/registries.d' }));
    fireEvent.click(within(registriesDir.closest('.pf-v6-c-input-group') as HTMLElement).getByRole('button', { name: 'Browse…' }));
    await waitFor(() => assert.equal((screen.getByLabelText('registries.d folder') as HTMLInputElement).value, '/etc/airlock/registries.d'));
    assert.deepEqual(api.callsTo('dialogs.chooseFolder')[0]?.args, ['registries-d']);
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByText('Settings saved.');
    const saved = api.callsTo('settings.set')[0]?.args[0] as { operator: string; registriesDir: string };
    assert.deepEqual([saved.operator, saved.registriesDir], ['alice', '/etc/airlock/registries.d']);
    fireEvent.click(screen.getByRole('button', { name: 'Use the default' }));
    assert.equal((screen.getByLabelText('registries.d folder') as HTMLInputElement).value, '');
  });
});

describe('App', () => {
  it('shows the version and switches sections from the navigation, keeping the wizards mounted', async () => {
    const api = new FakeApi()
      .answer('app.version', () => ok({ airlock: '0.1.0' }))
      .answer('drives.list', () => ok([]))
      .answer('history.list', () => ok([]))
      .answer('app.info', () => ok({ version: '0.1.0', platform: 'linux', stationFingerprint: 'SHA256:me', hostname: 'station-1', credentialEncryption: true }))
      .answer('credentials.list', () => ok([]));
    renderWithApi(h(App, {}), api);
    await screen.findByText('v0.1.0');
    const nav = screen.getByRole('navigation', { name: 'Sections' });
    fireEvent.click(within(nav).getByRole('link', { name: 'History' }));
    await screen.findByRole('heading', { level: 1, name: 'History' });
    assert.ok(document.querySelector('[aria-label="Export"]'), 'the export wizard stays mounted');
    fireEvent.click(within(nav).getByRole('link', { name: 'Import' }));
    await screen.findByRole('heading', { level: 1, name: 'Import' });
  });
});

describe('followSystemTheme', () => {
  it('follows prefers-color-scheme with PatternFly\'s dark class', () => {
    const root = document.createElement('html');
    let listener: ((e: { matches: boolean }) => void) | undefined;
    followSystemTheme(root, { matches: true, addEventListener: (_type: string, l: (e: { matches: boolean }) => void) => (listener = l) } as unknown as MediaQueryList);
    assert.equal(root.classList.contains('pf-v6-theme-dark'), true);
    listener?.({ matches: false });
    assert.equal(root.classList.contains('pf-v6-theme-dark'), false);
  });
});
