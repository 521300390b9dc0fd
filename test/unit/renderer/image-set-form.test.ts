import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_FORM, formToYaml, offsetOfLine, problemField, problemsFor, yamlToForm, type ImageSetForm } from '../../../renderer/state/image-set-form';

describe('formToYaml', () => {
  it('writes an ImageSetConfiguration, leaving out rows still empty', () => {
    assert.equal(
      formToYaml({ additionalImages: ['quay.io/a:1', '  ', 'quay.io/b@sha256:' + 'a'.repeat(64)], blockedImages: ['quay.io/b'], archiveSizeGiB: '4' }),
      [
        'kind: ImageSetConfiguration',
        'apiVersion: mirror.openshift.io/v2alpha1',
        'archiveSize: 4',
        'mirror:',
        '  additionalImages:',
        '    - name: quay.io/a:1',
        `    - name: quay.io/b@sha256:${'a'.repeat(64)}`,
        '  blockedImages:',
        '    - name: quay.io/b',
        '',
      ].join('\n'),
    );
  });

  it('keeps a non-numeric archive size as typed, for the validator to report', () => {
    assert.match(formToYaml({ ...EMPTY_FORM, archiveSizeGiB: 'lots' }), /^archiveSize: lots$/m);
  });
});

describe('yamlToForm', () => {
  const table: ReadonlyArray<readonly [string, string, ReturnType<typeof yamlToForm>]> = [
    [
      'names as mappings',
      'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\narchiveSize: 2\nmirror:\n  additionalImages:\n    - name: a:1\n  blockedImages:\n    - name: b\n',
      { kind: 'form', form: { additionalImages: ['a:1'], blockedImages: ['b'], archiveSizeGiB: '2' } },
    ],
    ['plain strings in lists', 'mirror:\n  additionalImages: [a:1, c:2]\n', { kind: 'form', form: { additionalImages: ['a:1', 'c:2'], blockedImages: [], archiveSizeGiB: '' } }],
    ['no images yet: one empty row', 'kind: ImageSetConfiguration\n', { kind: 'form', form: { additionalImages: [''], blockedImages: [], archiveSizeGiB: '' } }],
    [
      'operators',
      'mirror:\n  operators:\n    - catalog: x\n      packages:\n        - name: p\n          defaultChannel: fast\n          channels:\n            - name: fast\n              minVersion: 1.0.0\n        - name: q\n          maxVersion: 2.0.0\n',
      {
        kind: 'form',
        form: {
          additionalImages: [''],
          blockedImages: [],
          archiveSizeGiB: '',
          operators: [
            {
              catalog: 'x',
              packages: [
                { name: 'p', channel: 'fast', defaultChannel: 'fast', minVersion: '1.0.0', maxVersion: '' },
                { name: 'q', channel: '', defaultChannel: '', minVersion: '', maxVersion: '2.0.0' },
              ],
            },
          ],
        },
      },
    ],
    [
      'platform',
      'mirror:\n  platform:\n    architectures: [arm64]\n    graph: true\n    channels:\n      - name: stable-4.19\n        type: okd\n        minVersion: 4.19.1\n        shortestPath: true\n',
      {
        kind: 'form',
        form: {
          additionalImages: [''],
          blockedImages: [],
          archiveSizeGiB: '',
          platform: { architecture: 'arm64', graph: true, channels: [{ name: 'stable-4.19', type: 'okd', minVersion: '4.19.1', maxVersion: '', shortestPath: true }] },
        },
      },
    ],
    ['an empty platform', 'mirror:\n  platform: {}\n', { kind: 'form', form: { additionalImages: [''], blockedImages: [], archiveSizeGiB: '', platform: { architecture: 'amd64', graph: false, channels: [] } } }],
    ['several channels for one package', 'mirror:\n  operators:\n    - catalog: x\n      packages:\n        - name: p\n          channels: [{ name: a }, { name: b }]\n', { kind: 'yaml-only', reason: 'shape' }],
    ['a catalog target', 'mirror:\n  operators:\n    - catalog: x\n      targetCatalog: y\n', { kind: 'yaml-only', reason: 'shape' }],
    ['several architectures', 'mirror:\n  platform:\n    architectures: [amd64, arm64]\n', { kind: 'yaml-only', reason: 'shape' }],
    ['helm', 'mirror:\n  helm: {}\n', { kind: 'yaml-only', reason: 'sections' }],
    ['unknown top-level key', 'kind: ImageSetConfiguration\nstorageConfig: {}\n', { kind: 'yaml-only', reason: 'sections' }],
    ['extra fields on an image', 'mirror:\n  additionalImages:\n    - name: a\n      extra: 1\n', { kind: 'yaml-only', reason: 'shape' }],
    ['a syntax error', 'mirror: [\n', { kind: 'yaml-only', reason: 'syntax' }],
    ['not a mapping', '- a\n- b\n', { kind: 'yaml-only', reason: 'shape' }],
  ];
  for (const [name, yaml, expected] of table) {
    it(name, () => assert.deepEqual(yamlToForm(yaml), expected));
  }

  it('round-trips what the form writes', () => {
    const form = { additionalImages: ['quay.io/a:1', 'quay.io/b:2'], blockedImages: ['quay.io/b'], archiveSizeGiB: '8' };
    assert.deepEqual(yamlToForm(formToYaml(form)), { kind: 'form', form });
  });

  it('round-trips operators and release channels', () => {
    const form: ImageSetForm = {
      additionalImages: [''],
      blockedImages: [],
      archiveSizeGiB: '',
      platform: { architecture: 'multi', graph: true, channels: [{ name: 'stable-4.19', type: 'ocp', minVersion: '4.19.0', maxVersion: '4.19.3', shortestPath: true }] },
      operators: [{ catalog: 'oci:///srv/catalog', packages: [{ name: 'p', channel: 'stable', defaultChannel: '', minVersion: '', maxVersion: '1.2.0' }] }],
    };
    assert.deepEqual(yamlToForm(formToYaml(form)), { kind: 'form', form });
  });
});

describe('problemField', () => {
  const problem = (path: string) => ({ line: 1, column: 1, path, message: 'm' });
  it('maps a YAML list index onto the form row, skipping empty rows', () => {
    const form = { additionalImages: ['a', '', 'bad'], blockedImages: [], archiveSizeGiB: '' };
    assert.deepEqual(problemField(problem('mirror.additionalImages[1].name'), form), { field: 'additionalImages', row: 2 });
    assert.deepEqual(problemField(problem('mirror.blockedImages[0]'), form), { field: 'blockedImages', row: 0 });
  });
  it('knows the archive size and falls back to the document', () => {
    assert.deepEqual(problemField(problem('archiveSize'), undefined), { field: 'archiveSize' });
    assert.deepEqual(problemField(problem('apiVersion'), undefined), { field: 'document' });
    assert.deepEqual(problemField(problem(''), undefined), { field: 'document' });
  });
  it('filters problems for one field', () => {
    const problems = [problem('mirror.additionalImages[0].name'), problem('archiveSize'), problem('mirror.additionalImages[1].name')];
    assert.equal(problemsFor(problems, undefined, { field: 'additionalImages', row: 1 }).length, 1);
    assert.equal(problemsFor(problems, undefined, { field: 'archiveSize' }).length, 1);
  });
});

describe('offsetOfLine', () => {
  it('finds where a line starts', () => {
    assert.equal(offsetOfLine('a\nbb\nccc', 1), 0);
    assert.equal(offsetOfLine('a\nbb\nccc', 3), 5);
    assert.equal(offsetOfLine('a\nbb', 9), 4);
  });
});
