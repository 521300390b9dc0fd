import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMigration, migrateConfig, migrateConfigWithReport, parseConfig } from '../../../src/config';
import { assertProblems, configError, yaml } from './helpers';

// The manual's section 6.2 example, with its layout repaired, plus comments and quoting to keep.
const V1 = yaml(
  '# Image set for the lab cluster',
  'kind: ImageSetConfiguration',
  "apiVersion: 'mirror.openshift.io/v1alpha2'",
  'archiveSize: 4',
  '# v1 metadata backend',
  'storageConfig: # REMOVE this field in v2',
  '  local:',
  '    path: /var/lib/oc-mirror   # on the big disk',
  '',
  'mirror:',
  '  platform:',
  '    channels:',
  '      - name: stable-4.17',
  '    graph: true',
  '  helm:',
  '    repositories:',
  '      - name: sbo',
  '        url: https://redhat-developer.github.io/service-binding-operator-helm-chart/',
  '  additionalImages:',
  '    - name: registry.redhat.io/ubi8/ubi:latest  # keep this one',
  '    - name: "ubi9/ubi:latest"',
  '    - name: alpine',
  '  operators:',
  '    - targetName: my-catalog',
  '      catalog: oci:///test/redhat-operator-index',
  '      skipDependencies: false',
  '      packages:',
  '        - name: aws-load-balancer-operator',
);

const V2 = yaml(
  '# Image set for the lab cluster',
  'kind: ImageSetConfiguration',
  "apiVersion: 'mirror.openshift.io/v2alpha1'",
  'archiveSize: 4',
  '',
  'mirror:',
  '  platform:',
  '    channels:',
  '      - name: stable-4.17',
  '    graph: true',
  '  helm:',
  '    repositories:',
  '      - name: sbo',
  '        url: https://redhat-developer.github.io/service-binding-operator-helm-chart/',
  '  additionalImages:',
  '    - name: registry.redhat.io/ubi8/ubi:latest  # keep this one',
  '    - name: "docker.io/ubi9/ubi:latest"',
  '    - name: docker.io/library/alpine',
  '  operators:',
  '    - targetCatalog: my-catalog',
  '      catalog: oci:///test/redhat-operator-index',
  '      packages:',
  '        - name: aws-load-balancer-operator',
);

describe('v1alpha2 files', () => {
  it('are refused by parseConfig with the migration spelled out', () => {
    const err = configError(() => parseConfig(V1, 'old.yaml'));
    assertProblems(err.problems, [[3, 1, 'apiVersion', 'oc-mirror v1 format']]);
    assert.match(err.message, /^old\.yaml:3:1: apiVersion: mirror\.openshift\.io\/v1alpha2 is the oc-mirror v1 format/);
    assert.match(err.message, /change apiVersion to mirror\.openshift\.io\/v2alpha1, remove storageConfig/);
    assert.match(err.hint ?? '', /airlock migrate-config OLD\.yaml > NEW\.yaml/);
  });
});

describe('migrateConfig', () => {
  it('edits only what changed, keeping comments, order and quoting', () => {
    assert.equal(migrateConfig(V1, 'old.yaml'), V2);
  });

  it('produces a valid v2alpha1 file with the same content', () => {
    const config = parseConfig(migrateConfig(V1, 'old.yaml'), 'new.yaml');
    assert.equal(config.archiveSizeGiB, 4);
    assert.deepEqual(
      config.mirror.additionalImages.map((i) => i.name),
      ['registry.redhat.io/ubi8/ubi:latest', 'docker.io/ubi9/ubi:latest', 'docker.io/library/alpine'],
    );
    assert.equal(config.mirror.operators[0]?.targetCatalog, 'my-catalog');
  });

  it('reports each change with its place in the old file', () => {
    const result = migrateConfigWithReport(V1, 'old.yaml');
    assert.deepEqual(result.changes, [
      'old.yaml:3:13: apiVersion: mirror.openshift.io/v1alpha2 -> mirror.openshift.io/v2alpha1',
      'old.yaml:6:1: storageConfig: removed (oc-mirror v2 keeps its state in the workspace)',
      'old.yaml:21:13: additionalImages: "ubi9/ubi:latest" -> "docker.io/ubi9/ubi:latest" (v1 read a name without registry as Docker Hub)',
      'old.yaml:22:13: additionalImages: "alpine" -> "docker.io/library/alpine" (v1 read a name without registry as Docker Hub)',
      'old.yaml:24:7: operators: targetName renamed to targetCatalog',
      'old.yaml:26:7: operators: skipDependencies removed (oc-mirror v2 never adds dependencies; list the packages this catalog entry depends on explicitly)',
    ]);
    assert.deepEqual(result.problems, []);
  });

  it('is the identity on a v2alpha1 file', () => {
    assert.equal(migrateConfig(V2, 'new.yaml'), V2);
    assert.deepEqual(migrateConfigWithReport(V2, 'new.yaml').changes, []);
  });

  it('leaves what it cannot migrate and says where', () => {
    const result = migrateConfigWithReport(
      yaml(
        'apiVersion: mirror.openshift.io/v1alpha2',
        'kind: ImageSetConfiguration',
        'storageConfig:',
        '  registry:',
        '    imageURL: quay.io/me/metadata:latest',
        '    skipTLS: false',
        'mirror:',
        '  operators:',
        '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.17',
        '      packages:',
        '        - name: a',
        '          channels:',
        '            - name: stable',
        '              minBundle: a.v1.2.0',
      ),
      'old.yaml',
    );
    assert.equal(result.text.split('\n')[0], 'apiVersion: mirror.openshift.io/v2alpha1');
    assert.ok(!result.text.includes('storageConfig'));
    assertProblems(result.problems, [[10, 15, 'mirror.operators[0].packages[0].channels[0].minBundle', 'was an oc-mirror v1 parameter']]);
    assert.match(describeMigration(result), /^changed: old\.yaml:1:13: apiVersion/);
    assert.match(describeMigration(result), /\nstill to fix: old\.yaml:10:15: mirror\.operators\[0\]\.packages\[0\]\.channels\[0\]\.minBundle: .*\(use minVersion\)$/);
  });

  it('handles flow mappings and a removed first key of a list item', () => {
    const out = migrateConfig(
      yaml(
        'apiVersion: mirror.openshift.io/v1alpha2',
        'kind: ImageSetConfiguration',
        'mirror:',
        '  operators:',
        '    - skipDependencies: true',
        '      catalog: registry.redhat.io/redhat/redhat-operator-index:v4.17',
        '    - {catalog: "registry.redhat.io/redhat/certified-operator-index:v4.17", targetName: x, targetCatalog: y}',
        '    - {targetName: x, targetCatalog: y, catalog: registry.redhat.io/redhat/community-operator-index:v4.17}',
        'storageConfig: {local: {path: /x}}',
      ),
      'old.yaml',
    );
    assert.equal(
      out,
      yaml(
        'apiVersion: mirror.openshift.io/v2alpha1',
        'kind: ImageSetConfiguration',
        'mirror:',
        '  operators:',
        '    - catalog: registry.redhat.io/redhat/redhat-operator-index:v4.17',
        '    - {catalog: "registry.redhat.io/redhat/certified-operator-index:v4.17", targetCatalog: y}',
        '    - {targetCatalog: y, catalog: registry.redhat.io/redhat/community-operator-index:v4.17}',
      ),
    );
    parseConfig(out, 'new.yaml');
  });

  it('refuses other files', () => {
    assertProblems(configError(() => migrateConfig(yaml('apiVersion: v1', 'kind: Pod'), 'pod.yaml')).problems, [
      [1, 13, 'apiVersion', 'expected mirror.openshift.io/v1alpha2 (to migrate) or mirror.openshift.io/v2alpha1, found "v1"'],
    ]);
    assertProblems(configError(() => migrateConfig(yaml('- a'), 'list.yaml')).problems, [[1, 1, '', 'expected a mapping']]);
    assertProblems(configError(() => migrateConfig(yaml('a: 1', 'a: 2'), 'dup.yaml')).problems, [[2, 1, '', 'YAML syntax error']]);
  });
});
