import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DEFAULT_ARCHIVE_SIZE_GIB,
  isBlocked,
  loadConfigFile,
  parseAnyConfig,
  parseConfig,
  parseDeleteConfig,
  unsupportedSections,
} from '../../../src/config';
import { AirlockError } from '../../../src/errors';
import { HEADER, yaml } from './helpers';

const DIGEST = 'sha256:20f695d2a91352d4eaa25107535126727b5945bff38ed36a3e59590f495046f0';

// Every parameter of table 5.3; line numbers are asserted below.
const FULL = yaml(
  'kind: ImageSetConfiguration',
  'apiVersion: mirror.openshift.io/v2alpha1',
  'archiveSize: 4',
  'mirror:',
  '  platform:',
  '    architectures:',
  '      - amd64',
  '      - multi',
  '    channels:',
  '      - name: stable-4.19',
  '        type: ocp',
  '        minVersion: 4.19.2',
  '        maxVersion: 4.19.5',
  '        shortestPath: true',
  '      - name: okd-4.19',
  '        type: okd',
  '        full: true',
  '    graph: true',
  '    kubeVirtContainer: true',
  '  operators:',
  '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.19',
  '      targetCatalog: my-namespace/my-operator-catalog',
  '      targetTag: v1',
  '      targetCatalogSourceTemplate: /tmp/catalog-source-template.yaml',
  '      packages:',
  '        - name: rhods-operator',
  '          defaultChannel: fast',
  '          channels:',
  '            - name: fast',
  '              minVersion: 2.8.0',
  '              maxVersion: 2.10.0',
  '            - name: stable',
  '        - name: compliance-operator',
  '          minVersion: \'5.2.3-31\'',
  '          maxVersion: 6.0.0',
  '    - catalog: oci:///home/user/oc-mirror/my-oci-catalog',
  '      full: true',
  '      packages:',
  '        - name: aws-load-balancer-operator',
  '  additionalImages:',
  '    - name: registry.redhat.io/ubi8/ubi:latest',
  '    - name:',
  `        registry.redhat.io/ubi9/ubi@${DIGEST}`,
  '  blockedImages:',
  '    - name: docker.io/library/alpine',
  '    - quay.io/acme/*',
  '    - name: /-debug$/',
  '  helm:',
  '    repositories:',
  '      - name: podinfo',
  '        url: https://example.github.io/podinfo',
  '        charts:',
  '          - name: podinfo',
  '            version: 5.0.0',
  '            imagePaths:',
  '              - "{.spec.template.spec.custom[*].image}"',
  '    local:',
  '      - name: podinfo',
  '        path: /test/podinfo-5.0.0.tar.gz',
);

describe('parseConfig: a configuration using every parameter of table 5.3', () => {
  const config = parseConfig(FULL, 'isc.yaml');

  it('keeps the header and the archive size', () => {
    assert.equal(config.kind, 'ImageSetConfiguration');
    assert.equal(config.apiVersion, 'mirror.openshift.io/v2alpha1');
    assert.equal(config.file, 'isc.yaml');
    assert.equal(config.archiveSizeGiB, 4);
  });

  it('reads platform with defaults filled in', () => {
    assert.deepEqual(config.mirror.platform, {
      line: 6,
      column: 5,
      architectures: ['amd64', 'multi'],
      channels: [
        { line: 10, column: 9, name: 'stable-4.19', type: 'ocp', full: false, shortestPath: true, minVersion: '4.19.2', maxVersion: '4.19.5' },
        { line: 15, column: 9, name: 'okd-4.19', type: 'okd', full: true, shortestPath: false },
      ],
      graph: true,
      kubeVirtContainer: true,
    });
  });

  it('reads operators, packages and channels', () => {
    assert.deepEqual(config.mirror.operators, [
      {
        line: 21,
        column: 7,
        catalog: 'registry.redhat.io/redhat/redhat-operator-index:v4.19',
        source: { kind: 'registry', reference: { registry: 'registry.redhat.io', repository: 'redhat/redhat-operator-index', tag: 'v4.19' } },
        full: false,
        packages: [
          {
            line: 26,
            column: 11,
            name: 'rhods-operator',
            defaultChannel: 'fast',
            channels: [
              { line: 29, column: 15, name: 'fast', minVersion: '2.8.0', maxVersion: '2.10.0' },
              { line: 32, column: 15, name: 'stable' },
            ],
          },
          { line: 33, column: 11, name: 'compliance-operator', channels: [], minVersion: '5.2.3-31', maxVersion: '6.0.0' },
        ],
        targetCatalog: 'my-namespace/my-operator-catalog',
        targetTag: 'v1',
        targetCatalogSourceTemplate: '/tmp/catalog-source-template.yaml',
      },
      {
        line: 36,
        column: 7,
        catalog: 'oci:///home/user/oc-mirror/my-oci-catalog',
        source: { kind: 'oci', path: '/home/user/oc-mirror/my-oci-catalog' },
        full: true,
        packages: [{ line: 39, column: 11, name: 'aws-load-balancer-operator', channels: [] }],
      },
    ]);
  });

  it('reads additional images with their parsed reference and position (also a name on the next line)', () => {
    assert.deepEqual(config.mirror.additionalImages, [
      { line: 41, column: 7, name: 'registry.redhat.io/ubi8/ubi:latest', reference: { registry: 'registry.redhat.io', repository: 'ubi8/ubi', tag: 'latest' } },
      { line: 42, column: 7, name: `registry.redhat.io/ubi9/ubi@${DIGEST}`, reference: { registry: 'registry.redhat.io', repository: 'ubi9/ubi', digest: DIGEST } },
    ]);
  });

  it('reads blocked images as strings or name: entries, compiled', () => {
    assert.deepEqual(
      config.mirror.blockedImages.map((b) => [b.line, b.column, b.name, b.pattern.kind]),
      [
        [45, 7, 'docker.io/library/alpine', 'reference'],
        [46, 7, 'quay.io/acme/*', 'glob'],
        [47, 7, '/-debug$/', 'regex'],
      ],
    );
    assert.deepEqual(isBlocked('quay.io/acme/app:1', config.mirror.blockedImages), { blocked: true, by: 'quay.io/acme/*' });
    assert.deepEqual(isBlocked('docker.io/alpine:3', config.mirror.blockedImages), { blocked: true, by: 'docker.io/library/alpine' });
    assert.deepEqual(isBlocked('registry.redhat.io/ubi9/ubi:latest', config.mirror.blockedImages), { blocked: false });
  });

  it('reads helm repositories and local charts', () => {
    assert.deepEqual(config.mirror.helm, {
      line: 49,
      column: 5,
      repositories: [
        {
          line: 50,
          column: 9,
          name: 'podinfo',
          url: 'https://example.github.io/podinfo',
          charts: [{ line: 53, column: 13, name: 'podinfo', version: '5.0.0', imagePaths: ['{.spec.template.spec.custom[*].image}'] }],
        },
      ],
      local: [{ line: 58, column: 9, name: 'podinfo', path: '/test/podinfo-5.0.0.tar.gz' }],
    });
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.mirror.additionalImages));
    assert.ok(Object.isFrozen(config.mirror.additionalImages[0]?.reference));
    assert.throws(() => {
      (config.mirror.additionalImages as unknown[]).push({});
    }, TypeError);
  });

  it('names every unsupported section (platform and operators are supported for mirroring)', () => {
    assert.deepEqual(unsupportedSections(config), ['helm']);
  });
});

describe('parseConfig: defaults and small files', () => {
  it('defaults archiveSize to 500 GiB and lists nothing unsupported for additional images only', () => {
    const config = parseConfig(yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name: quay.io/acme/app:1.0'), 'isc.yaml');
    assert.equal(DEFAULT_ARCHIVE_SIZE_GIB, 500);
    assert.equal(config.archiveSizeGiB, 500);
    assert.deepEqual(config.mirror.operators, []);
    assert.deepEqual(config.mirror.blockedImages, []);
    assert.equal(config.mirror.platform, undefined);
    assert.equal(config.mirror.helm, undefined);
    assert.deepEqual(unsupportedSections(config), []);
  });

  it('defaults architectures to amd64 and channel type to ocp', () => {
    const config = parseConfig(yaml(...HEADER, 'mirror:', '  platform:', '    channels:', '      - name: stable-4.19'), 'isc.yaml');
    assert.deepEqual(config.mirror.platform?.architectures, ['amd64']);
    assert.equal(config.mirror.platform?.channels[0]?.type, 'ocp');
    assert.equal(config.mirror.platform?.graph, false);
    assert.equal(config.mirror.platform?.kubeVirtContainer, false);
    assert.deepEqual(unsupportedSections(config), []);
  });

  it('reads the manual\'s first example (section 5.4.1)', () => {
    const config = parseConfig(
      yaml(
        'kind: ImageSetConfiguration',
        'apiVersion: mirror.openshift.io/v2alpha1',
        'mirror:',
        '  platform:',
        '    channels:',
        '      - name: stable-4.19',
        '        minVersion: 4.19.2',
        '        maxVersion: 4.19.2',
        '    graph: true',
        '  operators:',
        '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.19',
        '      packages:',
        '        - name: aws-load-balancer-operator',
        '        - name: 3scale-operator',
        '        - name: node-observability-operator',
        '  additionalImages:',
        '    - name: registry.redhat.io/ubi8/ubi:latest',
        '    - name:',
        // The PDF wraps this at the key's column, which YAML reads as a new key; indented here.
        `        registry.redhat.io/ubi9/ubi@${DIGEST}`,
      ),
      'isc.yaml',
    );
    assert.equal(config.mirror.operators[0]?.packages.length, 3);
    assert.equal(config.mirror.additionalImages[1]?.reference.digest, DIGEST);
  });

  it('follows YAML anchors and aliases', () => {
    const config = parseConfig(
      yaml(...HEADER, 'mirror:', '  additionalImages:', '    - &ubi', '      name: registry.redhat.io/ubi9/ubi:latest', '    - name: quay.io/acme/app:1', '  blockedImages:', '    - *ubi'),
      'isc.yaml',
    );
    assert.equal(config.mirror.blockedImages[0]?.name, 'registry.redhat.io/ubi9/ubi:latest');
  });

  it('treats empty optional sections as absent', () => {
    const config = parseConfig(yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name: quay.io/acme/app:1', '  blockedImages:', '  operators: []'), 'isc.yaml');
    assert.deepEqual(config.mirror.blockedImages, []);
    assert.deepEqual(unsupportedSections(config), []);
  });
});

describe('DeleteImageSetConfiguration (table 5.4)', () => {
  const text = yaml(
    'apiVersion: mirror.openshift.io/v2alpha1',
    'kind: DeleteImageSetConfiguration',
    'delete:',
    '  platform:',
    '    channels:',
    '      - name: stable-4.13',
    '        minVersion: 4.13.3',
    '        maxVersion: 4.13.3',
    '  operators:',
    '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.12',
    '      packages:',
    '        - name: aws-load-balancer-operator',
    '          minVersion: 0.0.1',
    '          maxVersion: 0.0.1',
    '  additionalImages:',
    `    - name: registry.redhat.io/ubi8/ubi@${DIGEST}`,
  );

  it('parses', () => {
    const config = parseDeleteConfig(text, 'delete.yaml');
    assert.equal(config.kind, 'DeleteImageSetConfiguration');
    assert.equal(config.delete.platform?.channels[0]?.minVersion, '4.13.3');
    assert.equal(config.delete.operators[0]?.packages[0]?.maxVersion, '0.0.1');
    assert.equal(config.delete.additionalImages[0]?.line, 16);
    assert.deepEqual(unsupportedSections(config), ['platform', 'operators']);
  });

  it('accepts the manual\'s spelling DeletedImageSetConfiguration', () => {
    const config = parseAnyConfig(text.replace('kind: DeleteImageSetConfiguration', 'kind: DeletedImageSetConfiguration'), 'delete.yaml');
    assert.equal(config.kind, 'DeleteImageSetConfiguration');
  });

  it('parseAnyConfig tells the kinds apart', () => {
    assert.equal(parseAnyConfig(text, 'd.yaml').kind, 'DeleteImageSetConfiguration');
    assert.equal(parseAnyConfig(FULL, 'i.yaml').kind, 'ImageSetConfiguration');
  });
});

describe('loadConfigFile', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'airlock-config-'));
    try {
      const good = join(dir, 'isc.yaml');
      await writeFile(good, FULL);
      assert.equal((await loadConfigFile(good)).archiveSizeGiB, 4);

      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, yaml(...HEADER, 'mirror:', '  additionalImages:', '    - name: ubi9/ubi:latest'));
      await assert.rejects(loadConfigFile(bad), (err: unknown) => {
        assert.ok(err instanceof AirlockError);
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.equal(err.message, `${bad}:5:7: mirror.additionalImages[0].name: "ubi9/ubi:latest" does not name a registry host`);
        assert.deepEqual(err.context, { file: bad, line: 5, column: 7, part: 'mirror.additionalImages[0].name' });
        return true;
      });

      await assert.rejects(loadConfigFile(join(dir, 'missing.yaml')), (err: unknown) => {
        assert.ok(err instanceof AirlockError);
        assert.equal(err.code, 'CONFIG_UNREADABLE');
        assert.match(err.message, /missing\.yaml: the configuration file does not exist$/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
