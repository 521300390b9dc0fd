import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configEntryError, parseConfig, parseDeleteConfig } from '../../../src/config';
import { describeError } from '../../../src/errors';
import { assertProblems, configError, HEADER, yaml, type Expected } from './helpers';

interface Case {
  readonly name: string;
  readonly text: string;
  readonly problems: readonly Expected[];
  /** Some problem's hint matches. */
  readonly hint?: RegExp;
}

const IMAGES = ['mirror:', '  additionalImages:', '    - name: quay.io/acme/app:1'] as const;

function platform(...channelLines: string[]): string {
  return yaml(...HEADER, 'mirror:', '  platform:', '    channels:', ...channelLines);
}

function operator(...lines: string[]): string {
  return yaml(...HEADER, 'mirror:', '  operators:', '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.19', ...lines);
}

const cases: readonly Case[] = [
  // --- document and header
  { name: 'empty file', text: '', problems: [[1, 1, '', 'the file is empty']] },
  { name: 'a list instead of a mapping', text: yaml('- a', '- b'), problems: [[1, 1, '', 'expected a mapping (apiVersion, kind, ...), found a list']] },
  { name: 'missing apiVersion and kind', text: yaml(...IMAGES), problems: [[1, 1, '', '"apiVersion" is required'], [1, 1, '', '"kind" is required']] },
  {
    name: 'unknown apiVersion',
    text: yaml('kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v1alpha1', ...IMAGES),
    problems: [[2, 1, 'apiVersion', 'expected mirror.openshift.io/v2alpha1, found "mirror.openshift.io/v1alpha1"']],
  },
  {
    name: 'unknown kind',
    text: yaml('kind: ImageSetConfig', 'apiVersion: mirror.openshift.io/v2alpha1', ...IMAGES),
    problems: [[1, 1, 'kind', 'expected ImageSetConfiguration or DeleteImageSetConfiguration, found "ImageSetConfig"']],
  },
  {
    name: 'a DeleteImageSetConfiguration where an ImageSetConfiguration is expected',
    text: yaml('kind: DeleteImageSetConfiguration', 'apiVersion: mirror.openshift.io/v2alpha1', 'delete:', '  additionalImages:', '    - name: quay.io/acme/app:1'),
    problems: [[1, 1, 'kind', 'this is a DeleteImageSetConfiguration but an ImageSetConfiguration is expected here']],
  },
  {
    name: 'v1alpha2 asks for migration',
    text: yaml('kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v1alpha2', 'storageConfig:', '  local:', '    path: /x', ...IMAGES),
    problems: [[2, 1, 'apiVersion', 'change apiVersion to mirror.openshift.io/v2alpha1, remove storageConfig']],
    hint: /airlock migrate-config/,
  },
  { name: 'no mirror section', text: yaml(...HEADER), problems: [[1, 1, '', '"mirror" is required']] },
  { name: 'empty mirror section', text: yaml(...HEADER, 'mirror:'), problems: [[3, 1, 'mirror', 'must not be empty']] },
  {
    name: 'mirror with only blockedImages selects nothing',
    text: yaml(...HEADER, 'mirror:', '  blockedImages:', '    - docker.io/library/alpine'),
    problems: [[3, 1, 'mirror', 'selects nothing to mirror']],
  },

  // --- unknown keys
  {
    name: 'unknown top-level key with a suggestion',
    text: yaml(...HEADER, 'archivesize: 4', ...IMAGES),
    problems: [[3, 1, 'archivesize', 'unknown key; did you mean "archiveSize"?']],
    hint: /top-level keys are: apiVersion, kind, archiveSize, mirror/,
  },
  {
    name: 'unknown nested key with a suggestion',
    text: yaml(...HEADER, 'mirror:', '  additionalImage:', '    - name: quay.io/acme/app:1'),
    problems: [
      [3, 1, 'mirror', 'selects nothing'],
      [4, 3, 'mirror.additionalImage', 'unknown key; did you mean "additionalImages"?'],
    ],
  },
  {
    name: 'unknown key without a suggestion',
    text: yaml(...HEADER, ...IMAGES, '      tag: latest'),
    problems: [[6, 7, 'mirror.additionalImages[0].tag', 'unknown key']],
    hint: /keys under mirror.additionalImages\[0\] are: name/,
  },
  {
    name: 'storageConfig in a v2alpha1 file',
    text: yaml(...HEADER, 'storageConfig:', '  local:', '    path: /x', ...IMAGES),
    problems: [[3, 1, 'storageConfig', 'was removed in v2alpha1']],
  },
  {
    name: 'kubeVirtContainer outside platform',
    text: yaml(...HEADER, 'kubeVirtContainer: true', ...IMAGES),
    problems: [[3, 1, 'kubeVirtContainer', 'belongs under mirror.platform']],
  },
  {
    name: 'platform.release is not in table 5.3',
    text: platform('      - name: stable-4.19', '    release: quay.io/openshift-release-dev/ocp-release:4.19.2-x86_64'),
    problems: [[7, 5, 'mirror.platform.release', 'not an oc-mirror v2alpha1 parameter']],
  },

  // --- archiveSize
  { name: 'archiveSize zero', text: yaml(...HEADER, 'archiveSize: 0', ...IMAGES), problems: [[3, 1, 'archiveSize', 'greater than zero, found 0']] },
  { name: 'archiveSize fraction', text: yaml(...HEADER, 'archiveSize: 4.5', ...IMAGES), problems: [[3, 1, 'archiveSize', 'found the number 4.5']] },
  { name: 'archiveSize quoted', text: yaml(...HEADER, 'archiveSize: "4"', ...IMAGES), problems: [[3, 1, 'archiveSize', 'found the string "4"']], hint: /remove the quotes/ },
  { name: 'archiveSize with a unit', text: yaml(...HEADER, 'archiveSize: 4GiB', ...IMAGES), problems: [[3, 1, 'archiveSize', 'expected a whole number of GiB']] },

  // --- additionalImages
  {
    name: 'reference without a registry host',
    text: yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name: registry.redhat.io/ubi8/ubi:latest', '    - name: ubi9/ubi:latest'),
    problems: [[6, 7, 'mirror.additionalImages[1].name', '"ubi9/ubi:latest" does not name a registry host']],
    hint: /registry\.redhat\.io\/ubi9\/ubi:latest/,
  },
  {
    name: 'reference with a bad tag, value on the next line',
    text: yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name:', '        quay.io/acme/app:-bad'),
    problems: [[5, 7, 'mirror.additionalImages[0].name', 'is not a valid image reference: "-bad" is not a valid tag']],
  },
  {
    name: 'additional image written as a string',
    text: yaml(...HEADER, 'mirror:', '  additionalImages:', '    - quay.io/acme/app:1'),
    problems: [[5, 7, 'mirror.additionalImages[0]', 'expected a mapping with name, found the string "quay.io/acme/app:1"']],
    hint: /write - name: quay.io\/acme\/app:1/,
  },
  {
    name: 'additional image without name',
    text: yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name:', '    -'),
    problems: [
      [5, 7, 'mirror.additionalImages[0].name', 'must not be empty'],
      [6, 6, 'mirror.additionalImages[1]', '"name" is required'],
    ],
  },
  {
    name: 'additionalImages not a list',
    text: yaml(...HEADER, 'mirror:', '  additionalImages: quay.io/acme/app:1'),
    problems: [[4, 3, 'mirror.additionalImages', 'expected a list, found the string "quay.io/acme/app:1"']],
  },

  // --- blockedImages
  {
    name: 'blocked image without registry, and a broken regular expression',
    text: yaml(...HEADER, ...IMAGES, '  blockedImages:', '    - alpine', '    - name: /foo(/'),
    problems: [
      [7, 7, 'mirror.blockedImages[0]', '"alpine" is not a valid image reference: it does not name a registry host'],
      [8, 7, 'mirror.blockedImages[1].name', '"/foo(/" is not a valid regular expression: Unterminated group'],
    ],
  },

  // --- platform
  {
    name: 'architecture near miss and alias',
    text: yaml(...HEADER, 'mirror:', '  platform:', '    architectures: [amd65, aarch64, amd64, amd64]', '    channels:', '      - name: stable-4.19'),
    problems: [
      [5, 21, 'mirror.platform.architectures[0]', '"amd65" is not one of amd64, arm64, ppc64le, s390x, multi; did you mean "amd64"?'],
      [5, 28, 'mirror.platform.architectures[1]', 'did you mean "arm64"?'],
      [5, 44, 'mirror.platform.architectures[3]', '"amd64" is listed twice'],
    ],
  },
  {
    name: 'platform type',
    text: platform('      - name: stable-4.19', '        type: rhel'),
    problems: [[7, 9, 'mirror.platform.channels[0].type', '"rhel" is not one of ocp, okd']],
  },
  {
    name: 'platform without channels',
    text: yaml(...HEADER, 'mirror:', '  platform:', '    graph: true'),
    problems: [[5, 5, 'mirror.platform', '"channels" is required']],
  },
  {
    name: 'channel without name, booleans that are not',
    text: platform('      - minVersion: 4.19.0', '        shortestPath: "true"', '    graph: yes'),
    problems: [
      [6, 9, 'mirror.platform.channels[0]', '"name" is required'],
      [7, 9, 'mirror.platform.channels[0].shortestPath', 'expected true or false, found the string "true"'],
      [8, 5, 'mirror.platform.graph', 'expected true or false, found the string "yes"'],
    ],
    hint: /write true/,
  },
  {
    name: 'versions: number, short, leading v, reversed',
    text: platform(
      '      - name: stable-4.16',
      '        minVersion: 4.16',
      '      - name: stable-4.17',
      "        minVersion: '4.17'",
      '      - name: stable-4.18',
      '        maxVersion: v4.18.1',
      '      - name: stable-4.19',
      '        minVersion: 4.19.5',
      '        maxVersion: 4.19.2',
    ),
    problems: [
      [7, 9, 'mirror.platform.channels[0].minVersion', 'expected a version string such as 4.19.2, found the number 4.16'],
      [9, 9, 'mirror.platform.channels[1].minVersion', '"4.17" is not a semantic version'],
      [11, 9, 'mirror.platform.channels[2].maxVersion', '"v4.18.1" is not a semantic version'],
      [14, 9, 'mirror.platform.channels[3].maxVersion', '4.19.2 is lower than minVersion 4.19.5'],
    ],
    hint: /'4\.16\.0'/,
  },
  {
    name: 'channel name given as a number',
    text: platform('      - name: 4.19'),
    problems: [[6, 9, 'mirror.platform.channels[0].name', 'expected a channel name such as stable-4.19, found the number 4.19']],
    hint: /quotes: '4.19'/,
  },

  // --- operators
  {
    name: 'operator without catalog',
    text: yaml(...HEADER, 'mirror:', '  operators:', '    - packages:', '        - name: foo'),
    problems: [[5, 7, 'mirror.operators[0]', '"catalog" is required']],
  },
  {
    name: 'catalog without registry, relative OCI path',
    text: yaml(...HEADER, 'mirror:', '  operators:', '    - catalog: redhat/redhat-operator-index:v4.19', '    - catalog: oci://relative/dir'),
    problems: [
      [5, 7, 'mirror.operators[0].catalog', 'does not name a registry host'],
      [6, 7, 'mirror.operators[1].catalog', 'expected oci:// followed by an absolute path'],
    ],
  },
  {
    name: 'package without name, channel without name',
    text: operator('      packages:', '        - channels:', '            - minVersion: 1.0.0'),
    problems: [
      [7, 11, 'mirror.operators[0].packages[0]', '"name" is required'],
      [8, 15, 'mirror.operators[0].packages[0].channels[0]', '"name" is required'],
    ],
  },
  {
    name: 'table 5.2: package versions with channels',
    text: operator('      packages:', '        - name: compliance-operator', '          minVersion: 5.6.0', '          channels:', '            - name: stable'),
    problems: [[8, 11, 'mirror.operators[0].packages[0].minVersion', 'cannot be combined with channels']],
  },
  {
    name: 'table 5.2: full with versions',
    text: operator('      full: true', '      packages:', '        - name: compliance-operator', '          maxVersion: 6.0.0', '        - name: other', '          channels:', '            - name: stable', '              minVersion: 1.0.0'),
    problems: [
      [9, 11, 'mirror.operators[0].packages[0].maxVersion', 'cannot be combined with full: true'],
      [13, 15, 'mirror.operators[0].packages[1].channels[0].minVersion', 'cannot be combined with full: true'],
    ],
  },
  {
    name: 'duplicate channel and package, defaultChannel not listed',
    text: operator(
      '      packages:',
      '        - name: rhods-operator',
      '          defaultChannel: stable',
      '          channels:',
      '            - name: fast',
      '            - name: fast',
      '        - name: rhods-operator',
    ),
    problems: [
      [8, 11, 'mirror.operators[0].packages[0].defaultChannel', '"stable" is not one of the channels listed for this package (fast)'],
      [11, 15, 'mirror.operators[0].packages[0].channels[1].name', 'channel "fast" is listed twice'],
      [12, 11, 'mirror.operators[0].packages[1].name', 'package "rhods-operator" is listed twice'],
    ],
  },
  {
    name: 'targetCatalog with a tag, bad targetTag, v1 keys',
    text: operator('      targetCatalog: my-ns/catalog:v1', '      targetTag: -v1', '      targetName: foo', '      skipDependencies: true', '      packages:', '        - name: a', '          bundles:', '            - name: a.v1'),
    problems: [
      [6, 7, 'mirror.operators[0].targetCatalog', 'carries a tag or digest'],
      [7, 7, 'mirror.operators[0].targetTag', '"-v1" is not a valid tag'],
      [8, 7, 'mirror.operators[0].targetName', 'was deprecated in v1alpha2'],
      [9, 7, 'mirror.operators[0].skipDependencies', 'never adds bundle dependencies'],
      [12, 11, 'mirror.operators[0].packages[0].bundles', 'not an oc-mirror v2alpha1 parameter'],
    ],
    hint: /targetTag/,
  },
  {
    name: 'minBundle from v1',
    text: operator('      packages:', '        - name: a', '          channels:', '            - name: stable', '              minBundle: a.v1'),
    problems: [[10, 15, 'mirror.operators[0].packages[0].channels[0].minBundle', 'was an oc-mirror v1 parameter']],
    hint: /use minVersion/,
  },

  // --- helm
  {
    name: 'helm repository without name and url, chart without name',
    text: yaml(...HEADER, 'mirror:', '  helm:', '    repositories:', '      - charts:', '          - version: 5.0.0'),
    problems: [
      [6, 9, 'mirror.helm.repositories[0]', '"name" is required'],
      [6, 9, 'mirror.helm.repositories[0]', '"url" is required'],
      [7, 13, 'mirror.helm.repositories[0].charts[0]', '"name" is required'],
    ],
  },
  {
    name: 'helm url, chart version, local without path',
    text: yaml(
      ...HEADER,
      'mirror:',
      '  helm:',
      '    repositories:',
      '      - name: podinfo',
      '        url: example.github.io/podinfo',
      '        charts:',
      '          - name: podinfo',
      '            version: 5.0',
      '    local:',
      '      - name: podinfo',
    ),
    problems: [
      [7, 9, 'mirror.helm.repositories[0].url', '"example.github.io/podinfo" is not an http(s) URL'],
      [10, 13, 'mirror.helm.repositories[0].charts[0].version', 'found the number 5.0'],
      [12, 9, 'mirror.helm.local[0]', '"path" is required'],
    ],
  },

  // --- YAML syntax
  {
    name: 'duplicate key',
    text: yaml(...HEADER, ...IMAGES, 'mirror:', '  additionalImages: []'),
    problems: [[6, 1, '', 'YAML syntax error: Map keys must be unique']],
    hint: /only once/,
  },
  {
    name: 'tab indentation',
    text: yaml(...HEADER, 'mirror:', '\tadditionalImages:'),
    problems: [[4, 1, '', 'YAML syntax error: Tabs are not allowed as indentation']],
  },
  {
    name: 'unterminated quote',
    text: yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name: "quay.io/acme/app:1'),
    problems: [[6, 1, '', 'YAML syntax error: Missing closing "quote']],
    hint: /close the quoted string/,
  },
  {
    name: 'a value wrapped at the column of its key, as the PDF of the manual shows it',
    text: yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name:', '      quay.io/acme/app:1'),
    problems: [[6, 7, '', 'YAML syntax error: Implicit map keys need to be followed by map values']],
  },
];

describe('parseConfig reports each kind of problem at its line and column', () => {
  for (const c of cases) {
    it(c.name, () => {
      const err = configError(() => parseConfig(c.text, 'isc.yaml'));
      assertProblems(err.problems, c.problems);
      if (c.hint) {
        const hints = err.problems.map((p) => p.hint ?? '');
        assert.ok(hints.some((h) => c.hint?.test(h)), `no hint matches ${String(c.hint)}: ${JSON.stringify(hints)}`);
      }
      // The message is the problems, one a line, in file:line:column: path: message form.
      assert.deepEqual(
        err.message.split('\n'),
        err.problems.map((p) => `isc.yaml:${p.line}:${p.column}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`),
      );
    });
  }
});

describe('the error as a whole', () => {
  const text = yaml(...HEADER, 'archivesize: 4', 'mirror:', '  additionalImages:', '    - name: ubi9/ubi:latest', '    - name: quay.io/acme/app:1', '      tag: x');
  const err = configError(() => parseConfig(text, 'isc.yaml'));

  it('lists every problem on its own line, in file order', () => {
    assert.equal(
      err.message,
      [
        'isc.yaml:3:1: archivesize: unknown key; did you mean "archiveSize"?',
        'isc.yaml:6:7: mirror.additionalImages[0].name: "ubi9/ubi:latest" does not name a registry host',
        'isc.yaml:8:7: mirror.additionalImages[1].tag: unknown key',
      ].join('\n'),
    );
  });

  it('puts the first problem in the context and the count beside it', () => {
    assert.deepEqual(err.context, { file: 'isc.yaml', line: 3, column: 1, part: 'archivesize', problems: 3 });
    assert.equal(err.problems.length, 3);
  });

  it('carries the first hint and survives JSON', () => {
    assert.match(describeError(err), /\n {2}hint: top-level keys are/);
    const json = JSON.parse(JSON.stringify(err)) as { code: string; problems: unknown[] };
    assert.equal(json.code, 'CONFIG_INVALID');
    assert.equal(json.problems.length, 3);
  });
});

describe('DeleteImageSetConfiguration problems', () => {
  it('refuses keys table 5.4 does not list', () => {
    const err = configError(() =>
      parseDeleteConfig(
        yaml(
          'apiVersion: mirror.openshift.io/v2alpha1',
          'kind: DeleteImageSetConfiguration',
          'archiveSize: 4',
          'delete:',
          '  blockedImages:',
          '    - docker.io/library/alpine',
          '  operators:',
          '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.19',
          '      targetTag: v1',
          '  platform:',
          '    kubeVirtContainer: true',
          '    channels:',
          '      - name: stable-4.19',
        ),
        'delete.yaml',
      ),
    );
    assertProblems(err.problems, [
      [3, 1, 'archiveSize', 'table 5.4'],
      [5, 3, 'delete.blockedImages', 'table 5.4'],
      [9, 7, 'delete.operators[0].targetTag', 'table 5.4'],
      [11, 5, 'delete.platform.kubeVirtContainer', 'table 5.4'],
    ]);
  });

  it('refuses an ImageSetConfiguration', () => {
    const err = configError(() => parseDeleteConfig(yaml(...HEADER, ...IMAGES), 'delete.yaml'));
    assertProblems(err.problems, [[1, 1, 'kind', 'a DeleteImageSetConfiguration is expected here']]);
  });
});

describe('configEntryError', () => {
  it('lets later stages blame an entry where the operator wrote it', () => {
    const config = parseConfig(yaml(...HEADER, ...IMAGES), 'isc.yaml');
    const image = config.mirror.additionalImages[0];
    assert.ok(image);
    const err = configEntryError(config.file, image, 'mirror.additionalImages[0].name', `"${image.name}" was not found in the registry`, 'check the tag');
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.equal(err.message, 'isc.yaml:5:7: mirror.additionalImages[0].name: "quay.io/acme/app:1" was not found in the registry');
    assert.deepEqual(err.context, { file: 'isc.yaml', line: 5, column: 7, part: 'mirror.additionalImages[0].name' });
  });
});
