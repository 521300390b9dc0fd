import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  clusterResourceIssues,
  generateClusterResources,
  renderClusterResourceFiles,
  signatureConfigMap,
  updateService,
  writeClusterResources,
  type ConfigMap,
  type UpdateService,
} from '../../../src/resources';
import { isAirlockError } from '../../../src/errors';
import { loadCrd, isDnsSubdomain, type CrdValidator } from './crd-schema';
import { digest, META, mirrored, TARGET } from './fixtures';

const SIG_A = Buffer.from('signature of a').toString('base64');
const SIG_B = Buffer.from('signature of b, number 2').toString('base64');
const SIGNATURES = [
  { digest: digest('b'), signatures: [{ index: 2, data: SIG_B }] },
  { digest: digest('a'), signatures: [{ index: 1, data: SIG_A }] },
];
const OSUS = { graphDataImage: `${TARGET}/openshift/graph-image:latest`, releases: `${TARGET}/openshift/release-images` };
const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

describe('UpdateService', () => {
  let crd: CrdValidator;
  before(() => {
    crd = loadCrd('updateservice.crd.yaml', 'updateservice.operator.openshift.io/v1');
  });

  it('is oc-mirror\'s object: name, replicas 2, graphDataImage and releases; it validates against the CRD', () => {
    const us = updateService(OSUS, META);
    assert.deepEqual(crd.errors(json(us)), []);
    assert.deepEqual(clusterResourceIssues(us), []);
    assert.equal(us.metadata.name, 'update-service-oc-mirror');
    assert.equal(us.metadata.namespace, 'openshift-update-service');
    assert.deepEqual(us.spec, { graphDataImage: OSUS.graphDataImage, releases: OSUS.releases, replicas: 2 });
    assert.ok(isDnsSubdomain(us.metadata.name));
  });

  it('the CRD check is not vacuous', () => {
    const good = json(updateService(OSUS, META));
    assert.ok(crd.errors({ ...good, spec: { releases: OSUS.releases, replicas: 2 } }).some((e) => /graphDataImage/.test(e)));
    assert.ok(crd.errors({ ...good, spec: { ...(good.spec as object), replicas: 0 } }).some((e) => /replicas/.test(e)));
    assert.ok(crd.errors({ ...good, spec: { ...(good.spec as object), graphImage: 'x' } }).length > 0);
  });

  it('the generator-side checks catch a tagged releases repository and a bad image', () => {
    const good = updateService(OSUS, META);
    const broken = (spec: Partial<UpdateService['spec']>): UpdateService => ({ ...good, spec: { ...good.spec, ...spec } });
    assert.match(clusterResourceIssues(broken({ releases: `${OSUS.releases}:4.19.0-x86_64` })).join(), /without tag or digest/);
    assert.match(clusterResourceIssues(broken({ graphDataImage: 'not an image' })).join(), /graphDataImage/);
    assert.match(clusterResourceIssues(broken({ replicas: 0 })).join(), /replicas/);
    assert.match(clusterResourceIssues({ ...good, metadata: { ...good.metadata, namespace: undefined } } as UpdateService).join(), /namespace/);
  });
});

describe('signature ConfigMap', () => {
  it('has oc-mirror\'s name, namespace, label and sha256-<hex>-<n> keys, sorted', () => {
    const cm = signatureConfigMap(SIGNATURES, META);
    assert.ok(cm);
    assert.deepEqual(clusterResourceIssues(cm), []);
    assert.equal(cm.apiVersion, 'v1');
    assert.equal(cm.metadata.name, 'mirrored-release-signatures');
    assert.equal(cm.metadata.namespace, 'openshift-config-managed');
    assert.deepEqual(cm.metadata.labels, { 'release.openshift.io/verification-signatures': '' });
    assert.deepEqual(Object.keys(cm.binaryData), [`sha256-${'a'.repeat(64)}-1`, `sha256-${'b'.repeat(64)}-2`]);
    assert.equal(cm.binaryData[`sha256-${'a'.repeat(64)}-1`], SIG_A);
  });

  it('nothing to carry, no ConfigMap', () => {
    assert.equal(signatureConfigMap([], META), undefined);
    assert.equal(signatureConfigMap([{ digest: digest('a'), signatures: [] }], META), undefined);
  });

  it('checks keys, values, the label and the size limit', () => {
    const cm = signatureConfigMap(SIGNATURES, META) as ConfigMap;
    const with_ = (binaryData: Record<string, string>): ConfigMap => ({ ...cm, binaryData });
    assert.match(clusterResourceIssues(with_({ 'sha256-abc-1': SIG_A })).join(), /not sha256-<hex>-<n>/);
    assert.match(clusterResourceIssues(with_({ [`sha256-${'a'.repeat(64)}-1`]: 'not base64!' })).join(), /not base64/);
    assert.match(clusterResourceIssues(with_({})).join(), /empty/);
    assert.match(clusterResourceIssues({ ...cm, metadata: { ...cm.metadata, labels: {} } }).join(), /label/);
    assert.match(clusterResourceIssues({ ...cm, metadata: { ...cm.metadata, namespace: 'default' } }).join(), /openshift-config-managed/);
    const huge = Buffer.alloc(1024 * 1024 + 1).toString('base64');
    assert.match(clusterResourceIssues(with_({ [`sha256-${'a'.repeat(64)}-1`]: huge })).join(), /more than/);
  });
});

describe('written with the mirror sets', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-release-resources-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const input = () => ({
    images: [mirrored(`quay.io/openshift-release-dev/ocp-release@${digest('a')}`, 'release')],
    meta: META,
    releaseSignatures: SIGNATURES,
    updateService: OSUS,
  });

  it('generators run only with their input: images alone give what they gave before', () => {
    const before = generateClusterResources({ images: input().images, meta: META });
    assert.deepEqual(before.map((r) => r.kind), ['ImageDigestMirrorSet']);
    assert.deepEqual(generateClusterResources(input()).map((r) => r.kind), ['ImageDigestMirrorSet', 'ConfigMap', 'UpdateService']);
  });

  it('signature-configmap.yaml and .json hold the same object; updateService.yaml beside the IDMS', async () => {
    const files = renderClusterResourceFiles(generateClusterResources(input()));
    assert.deepEqual(files.map((f) => f.name), ['idms-airlock.yaml', 'signature-configmap.json', 'signature-configmap.yaml', 'updateService.yaml']);
    const written = await writeClusterResources(dir, generateClusterResources(input()));
    assert.deepEqual((await readdir(dir)).sort(), ['idms-airlock.yaml', 'signature-configmap.json', 'signature-configmap.yaml', 'updateService.yaml']);
    assert.equal(written.length, 4);
    const fromJson = JSON.parse(await readFile(join(dir, 'signature-configmap.json'), 'utf8')) as unknown;
    const fromYaml = parse((await readFile(join(dir, 'signature-configmap.yaml'), 'utf8')).replace(/^---\n/, '')) as unknown;
    assert.deepEqual(fromJson, fromYaml);
    assert.deepEqual(fromJson, json(signatureConfigMap(SIGNATURES, META)));
    const osus = parse((await readFile(join(dir, 'updateService.yaml'), 'utf8')).replace(/^---\n/, '')) as { kind: string; spec: unknown };
    assert.equal(osus.kind, 'UpdateService');
    // Byte-identical on a second run.
    const again = renderClusterResourceFiles(generateClusterResources(input()));
    assert.deepEqual(again.map((f) => f.content), files.map((f) => f.content));
  });

  it('a second signature ConfigMap would clash on the JSON file and is refused', () => {
    const cm = signatureConfigMap(SIGNATURES, META) as ConfigMap;
    assert.throws(
      () => renderClusterResourceFiles([cm, { ...cm, metadata: { ...cm.metadata, name: 'other' } }]),
      (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCE_INVALID'),
    );
  });
});
