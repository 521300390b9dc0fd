import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { useReducer } from 'react';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import type { CatalogSummaryView, ReleaseChannelOffer } from '../../../main/ipc/contract';
import { exportReducer, initialExportState } from '../../../renderer/state/export-wizard';
import { ImageSetStep } from '../../../renderer/wizards/export/ImageSetStep';
import { fail, FakeApi, ok } from './fake-api';
import { h, renderWithApi } from './render';

afterEach(cleanup);

/** The image-set step over the real reducer, so the YAML view shows what the pickers wrote. */
function Station() {
  const [state, dispatch] = useReducer(exportReducer, initialExportState());
  return state.step === 'image-set' ? h(ImageSetStep, { draft: state.draft, dispatch, onOpenFile: () => undefined }) : null;
}

function yaml(): string {
  return (screen.getByLabelText('ImageSetConfiguration YAML') as HTMLTextAreaElement).value;
}

function choose(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

const CATALOG = 'registry.example.com/redhat/redhat-operator-index:v4.19';

const SUMMARY: CatalogSummaryView = {
  catalog: CATALOG,
  pinned: `registry.example.com/redhat/redhat-operator-index@sha256:${'a'.repeat(64)}`,
  truncated: false,
  packages: [
    {
      name: 'compliance-operator',
      defaultChannel: 'stable',
      channels: [
        { name: 'stable', headVersion: '6.1.0', minVersion: '5.5.0', maxVersion: '6.1.0', bundles: 5 },
        { name: 'stable-5.5', headVersion: '5.5.2', minVersion: '5.5.0', maxVersion: '5.5.2', bundles: 3 },
      ],
    },
    { name: 'elasticsearch-operator', defaultChannel: 'stable', channels: [{ name: 'stable', headVersion: '5.8.1', minVersion: '5.8.0', maxVersion: '5.8.1', bundles: 2 }] },
    { name: 'file-integrity-operator', defaultChannel: 'stable', channels: [{ name: 'stable', headVersion: '1.2.0', minVersion: '1.0.0', maxVersion: '1.2.0', bundles: 4 }] },
  ],
};

describe('Operators section', () => {
  it('lists the packages and channels read from the catalog and writes the picks into the YAML', async () => {
    const api = new FakeApi().answer('catalogs.summary', () => ok(SUMMARY));
    renderWithApi(h(Station), api);
    fireEvent.click(screen.getByRole('button', { name: 'Add operator catalog' }));
    fireEvent.change(screen.getByLabelText('Catalog 1'), { target: { value: CATALOG } });
    fireEvent.click(screen.getByRole('button', { name: 'Load packages' }));
    await screen.findByText('3 packages in the catalog.');
    assert.deepEqual(api.callsTo('catalogs.summary').map((c) => c.args), [[{ catalog: CATALOG, tlsVerify: true }]]);

    // Typeahead: the filter narrows the package select.
    fireEvent.change(screen.getByLabelText('Filter the packages of catalog 1'), { target: { value: 'integ' } });
    const select = screen.getByLabelText('Package to add from catalog 1') as HTMLSelectElement;
    assert.deepEqual([...select.options].map((o) => o.value), ['file-integrity-operator']);
    fireEvent.click(screen.getByRole('button', { name: 'Add package' }));

    fireEvent.change(screen.getByLabelText('Filter the packages of catalog 1'), { target: { value: '' } });
    choose('Package to add from catalog 1', 'compliance-operator');
    fireEvent.click(screen.getByRole('button', { name: 'Add package' }));
    const channels = screen.getByLabelText('Channel of compliance-operator') as HTMLSelectElement;
    assert.deepEqual([...channels.options].map((o) => o.value), ['', 'stable', 'stable-5.5']);
    assert.match(channels.options[1]?.textContent ?? '', /stable \(default\) — head 6\.1\.0, 5\.5\.0 to 6\.1\.0/);
    choose('Channel of compliance-operator', 'stable-5.5');
    fireEvent.change(screen.getByLabelText('Minimum version of compliance-operator'), { target: { value: '5.5.1' } });
    fireEvent.change(screen.getByLabelText('Maximum version of file-integrity-operator'), { target: { value: '1.1.0' } });

    assert.equal(
      yaml(),
      [
        'kind: ImageSetConfiguration',
        'apiVersion: mirror.openshift.io/v2alpha1',
        'mirror:',
        '  operators:',
        `    - catalog: ${CATALOG}`,
        '      packages:',
        '        - name: file-integrity-operator',
        '          maxVersion: 1.1.0',
        '        - name: compliance-operator',
        '          defaultChannel: stable-5.5',
        '          channels:',
        '            - name: stable-5.5',
        '              minVersion: 5.5.1',
        '  additionalImages: []',
        '',
      ].join('\n'),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Remove package file-integrity-operator' }));
    assert.doesNotMatch(yaml(), /file-integrity-operator/);
  });

  it('fills the pickers from YAML typed by hand, and shows a catalog that cannot be read', async () => {
    const api = new FakeApi().answer('catalogs.summary', () => fail('CATALOG_UNAVAILABLE', 'cannot read the catalog directory /srv/none'));
    renderWithApi(h(Station), api);
    fireEvent.change(screen.getByLabelText('ImageSetConfiguration YAML'), {
      target: { value: 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\nmirror:\n  operators:\n    - catalog: oci:///srv/none\n      packages:\n        - name: p\n' },
    });
    assert.equal((screen.getByLabelText('Catalog 1') as HTMLInputElement).value, 'oci:///srv/none');
    screen.getByRole('group', { name: 'Package p' });
    fireEvent.click(screen.getByRole('button', { name: 'Load packages' }));
    await screen.findByText('The catalog could not be read');
    screen.getByText('The operator catalog cannot be read.');
    assert.deepEqual(api.callsTo('catalogs.summary')[0]?.args, [{ catalog: 'oci:///srv/none', tlsVerify: true }]);
  });
});

const OFFER: ReleaseChannelOffer = {
  channel: 'stable-4.19',
  type: 'ocp',
  architecture: 'amd64',
  versions: ['4.18.3', '4.18.4', '4.18.5', '4.19.0', '4.19.1', '4.19.2', '4.19.3'],
  head: '4.19.3',
};

describe('Release channels section', () => {
  it('offers the versions of the graph as min/max and writes the channel into the YAML', async () => {
    const api = new FakeApi().answer('releases.channel', () => ok(OFFER));
    renderWithApi(h(Station), api);
    fireEvent.click(screen.getByRole('button', { name: 'Add release channel' }));
    fireEvent.change(screen.getByLabelText('Release channel 1'), { target: { value: 'stable-4.19' } });
    fireEvent.click(screen.getByRole('button', { name: 'Load versions' }));
    await screen.findByText('7 releases offered; the head is 4.19.3.');
    assert.deepEqual(api.callsTo('releases.channel').map((c) => c.args), [[{ channel: 'stable-4.19', type: 'ocp', architecture: 'amd64' }]]);
    const min = screen.getByLabelText('Minimum version of release channel 1') as HTMLSelectElement;
    assert.deepEqual([...min.options].map((o) => o.value), ['', ...OFFER.versions]);
    choose('Minimum version of release channel 1', '4.18.3');
    choose('Maximum version of release channel 1', '4.19.3');
    fireEvent.click(screen.getByLabelText('Shortest upgrade path only'));
    fireEvent.click(screen.getByLabelText('Include the update graph data image (for an OpenShift Update Service)'));

    assert.equal(
      yaml(),
      [
        'kind: ImageSetConfiguration',
        'apiVersion: mirror.openshift.io/v2alpha1',
        'mirror:',
        '  platform:',
        '    channels:',
        '      - name: stable-4.19',
        '        minVersion: 4.18.3',
        '        maxVersion: 4.19.3',
        '        shortestPath: true',
        '    graph: true',
        '  additionalImages: []',
        '',
      ].join('\n'),
    );

    choose('Type of release channel 1', 'okd');
    choose('Architecture', 'arm64');
    assert.match(yaml(), /architectures:\n {6}- arm64\n/);
    assert.match(yaml(), /- name: stable-4\.19\n {8}type: okd\n/);
    fireEvent.click(screen.getByRole('button', { name: 'Remove release channel 1' }));
    assert.doesNotMatch(yaml(), /platform/);
  });

  it('says when the update service does not know the channel', async () => {
    const api = new FakeApi().answer('releases.channel', () => fail('RELEASE_CHANNEL_UNKNOWN', 'the update service does not know channel stable-9.99 for amd64'));
    renderWithApi(h(Station), api);
    fireEvent.click(screen.getByRole('button', { name: 'Add release channel' }));
    fireEvent.change(screen.getByLabelText('Release channel 1'), { target: { value: 'stable-9.99' } });
    fireEvent.click(screen.getByRole('button', { name: 'Load versions' }));
    await screen.findByText('The channel could not be read');
    screen.getByText('The update service does not know that channel.');
  });
});
