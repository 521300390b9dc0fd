import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { isAirlockError } from '../../../src/errors';
import { generateClusterResources, IDMS_FILE, ITMS_FILE, mirrorSetsFor, renderClusterResourceFiles, type ClusterResource } from '../../../src/resources';
import { digest, META, mirrored, sampleImages } from './fixtures';

function documents(content: string, version: '1.1' | '1.2'): unknown[] {
  const docs = parseAllDocuments(content, { version });
  assert.ok(Array.isArray(docs), 'not a document stream');
  return docs.map((doc) => {
    assert.deepEqual(doc.errors, []);
    return doc.toJS() as unknown;
  });
}

describe('renderClusterResourceFiles', () => {
  it('writes all IDMS into idms-airlock.yaml and all ITMS into itms-airlock.yaml', () => {
    const files = renderClusterResourceFiles(generateClusterResources({ images: sampleImages(), meta: META }));
    assert.deepEqual(
      files.map((f) => [f.name, f.resources.map((r) => r.metadata.name)]),
      [
        [IDMS_FILE, ['idms-generic-0', 'idms-operator-0', 'idms-release-0']],
        [ITMS_FILE, ['itms-generic-0', 'itms-release-0']],
      ],
    );
  });

  it('round-trips through a YAML 1.2 and a YAML 1.1 parser (what kubectl uses) unchanged', () => {
    const resources = generateClusterResources({ images: sampleImages(), meta: { createdAt: '2025-03-01T12:00:00Z', version: '1.0' } });
    for (const file of renderClusterResourceFiles(resources)) {
      for (const version of ['1.2', '1.1'] as const) {
        assert.deepEqual(documents(file.content, version), JSON.parse(JSON.stringify(file.resources)), `${file.name} as YAML ${version}`);
      }
    }
  });

  it('starts every document with --- and has no directives, tabs or long folded lines', () => {
    for (const file of renderClusterResourceFiles(generateClusterResources({ images: sampleImages(), meta: META }))) {
      assert.ok(file.content.startsWith('---\napiVersion: config.openshift.io/v1\n'));
      assert.equal(file.content.split('\n---\n').length, file.resources.length);
      assert.ok(!file.content.includes('%YAML'));
      assert.ok(!file.content.includes('\t'));
      assert.ok(file.content.endsWith('\n') && !file.content.endsWith('\n\n'));
    }
  });

  it('prints this exact text for a small set', () => {
    const sets = mirrorSetsFor(
      [
        mirrored(`quay.io/org/app@${digest('a')}`, 'generic'),
        { source: 'quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64', destination: 'registry.enclave:5000/mirror/openshift/release-images:4.19.0-x86_64', category: 'release', byDigest: false },
      ],
      META,
    );
    const [idms, itms] = renderClusterResourceFiles([...sets.digestMirrorSets, ...sets.tagMirrorSets]);
    assert.equal(
      idms?.content,
      [
        '---',
        'apiVersion: config.openshift.io/v1',
        'kind: ImageDigestMirrorSet',
        'metadata:',
        '  annotations:',
        '    airlock_version: 0.1.0',
        '    createdAt: "2025-03-01T12:00:00Z"',
        '    createdBy: airlock',
        '  name: idms-generic-0',
        'spec:',
        '  imageDigestMirrors:',
        '    - mirrors:',
        '        - registry.enclave:5000/mirror/org',
        '      source: quay.io/org',
        '---',
        'apiVersion: config.openshift.io/v1',
        'kind: ImageDigestMirrorSet',
        'metadata:',
        '  annotations:',
        '    airlock_version: 0.1.0',
        '    createdAt: "2025-03-01T12:00:00Z"',
        '    createdBy: airlock',
        '  name: idms-release-0',
        'spec:',
        '  imageDigestMirrors:',
        '    - mirrors:',
        '        - registry.enclave:5000/mirror/openshift/release-images',
        '      source: quay.io/openshift-release-dev/ocp-release',
        '',
      ].join('\n'),
    );
    assert.equal(itms?.name, ITMS_FILE);
    assert.match(itms?.content ?? '', /name: itms-release-0\n/);
  });

  it('writes nothing for nothing', () => {
    assert.deepEqual(renderClusterResourceFiles([]), []);
  });

  it('refuses invalid or duplicate objects', () => {
    const [set] = mirrorSetsFor([mirrored('quay.io/org/app:1', 'generic')], META).tagMirrorSets;
    assert.ok(set);
    const invalid: ClusterResource = { ...set, metadata: { ...set.metadata, name: 'Not_A_Name' } };
    assert.throws(() => renderClusterResourceFiles([invalid]), (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCE_INVALID'));
    assert.throws(() => renderClusterResourceFiles([set, set]), (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCE_INVALID') && /more than once/.test(err.message));
  });
});
