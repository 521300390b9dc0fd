import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  catalogObjectName,
  catalogResourcesFor,
  catalogSourceFor,
  clusterCatalogFor,
  clusterResourceIssues,
  generateClusterResources,
  parseCatalogSourceTemplate,
  writeClusterResources,
  type CatalogSourceResource,
  type ClusterCatalogResource,
} from '../../../src/resources';
import { isAirlockError } from '../../../src/errors';
import { loadCrd, type CrdValidator } from './crd-schema';
import { digest, META, mirrored } from './fixtures';

const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
const INDEX = 'registry.enclave:5000/mirror/redhat/redhat-operator-index:v4.19';
const TEMPLATE = `apiVersion: operators.coreos.com/v1alpha1
kind: CatalogSource
metadata:
  name: discarded
  namespace: openshift-marketplace
  labels:
    team: platform
  annotations:
    note: from the template
spec:
  image: discarded
  sourceType: grpc
  displayName: Red Hat Operators (mirrored)
  publisher: Enclave IT
  priority: -100
  grpcPodConfig:
    nodeSelector:
      node-role.kubernetes.io/infra: ""
    securityContextConfig: restricted
  updateStrategy:
    registryPoll:
      interval: 30m0s
`;

let cs: CrdValidator;
let cc: CrdValidator;
before(() => {
  cs = loadCrd('catalogsource.crd.yaml', 'operators.coreos.com/v1alpha1');
  cc = loadCrd('clustercatalog.crd.yaml', 'olm.operatorframework.io/v1');
});

describe('CatalogSource and ClusterCatalog for a mirrored catalog', () => {
  it('are oc-mirror\'s objects, named cs-/cc-<repository>-<tag>, and validate against their CRDs', () => {
    const source = catalogSourceFor({ image: INDEX }, META);
    const catalog = clusterCatalogFor({ image: INDEX }, META);
    assert.deepEqual(json(source), {
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'CatalogSource',
      metadata: { name: 'cs-redhat-operator-index-v4-19', namespace: 'openshift-marketplace', annotations: { createdAt: META.createdAt, createdBy: 'airlock', airlock_version: META.version } },
      spec: { sourceType: 'grpc', image: INDEX },
    });
    assert.deepEqual(json(catalog), {
      apiVersion: 'olm.operatorframework.io/v1',
      kind: 'ClusterCatalog',
      metadata: { name: 'cc-redhat-operator-index-v4-19', annotations: { createdAt: META.createdAt, createdBy: 'airlock', airlock_version: META.version } },
      spec: { source: { type: 'Image', image: { ref: INDEX } } },
    });
    assert.deepEqual(cs.errors(json(source)), []);
    assert.deepEqual(cc.errors(json(catalog)), []);
    assert.deepEqual(clusterResourceIssues(source), []);
    assert.deepEqual(clusterResourceIssues(catalog), []);
  });

  it('names follow the tag (first 12 characters) or the digest (first 12 hex digits) and stay DNS labels', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['r.example.com/redhat/redhat-operator-index:v4.19', 'cs-redhat-operator-index-v4-19'],
      [`r.example.com/redhat/redhat-operator-index@${digest('a')}`, 'cs-redhat-operator-index-aaaaaaaaaaaa'],
      ['r.example.com/ns/my_catalog.prod:Very.Long_Tag-Name-1234', 'cs-my-catalog-prod-very-long-ta'],
      ['r.example.com/ns/catalog:v1.', 'cs-catalog-v1'],
      [`r.example.com/a/${'x'.repeat(120)}:latest`, `cs-${'x'.repeat(63 - 3 - 1 - 6)}-latest`],
    ];
    for (const [image, name] of cases) {
      assert.equal(catalogObjectName(image, 'cs-'), name, image);
      assert.ok(name.length <= 63);
    }
    for (const bad of ['not a reference', 'r.example.com/ns/catalog', '[fd00::1]:5000/ns/catalog:v1']) {
      assert.throws(() => catalogObjectName(bad, 'cs-'), (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCE_INPUT_INVALID'), bad);
    }
  });

  it('merge a targetCatalogSourceTemplate: its spec, labels and annotations; name, namespace, sourceType and image are Airlock\'s', () => {
    const template = parseCatalogSourceTemplate(TEMPLATE, '/tmp/catalog-source-template.yaml');
    const source = catalogSourceFor({ image: INDEX, template }, META);
    assert.equal(source.metadata.name, 'cs-redhat-operator-index-v4-19');
    assert.equal(source.metadata.namespace, 'openshift-marketplace');
    assert.deepEqual(source.metadata.labels, { team: 'platform' });
    assert.equal(source.metadata.annotations.note, 'from the template');
    assert.equal(source.metadata.annotations.createdBy, 'airlock');
    assert.equal(source.spec.image, INDEX);
    assert.equal(source.spec.sourceType, 'grpc');
    assert.deepEqual(source.spec.updateStrategy, { registryPoll: { interval: '30m0s' } });
    assert.equal(source.spec.priority, -100);
    assert.deepEqual(cs.errors(json(source)), []);
    assert.deepEqual(clusterResourceIssues(source), []);
  });

  it('refuse templates oc-mirror refuses, and fields a CatalogSource does not have', () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      [TEMPLATE.replace('operators.coreos.com/v1alpha1', 'operators.coreos.com/v1'), /apiVersion/],
      [TEMPLATE.replace('kind: CatalogSource', 'kind: Subscription'), /kind "Subscription"/],
      [TEMPLATE.replace('sourceType: grpc', 'sourceType: configmap'), /sourceType "configmap"/],
      [`${TEMPLATE}  configMap: my-catalog\n`, /spec\.configMap/],
      [`${TEMPLATE}  imagePullPolicy: Always\n`, /spec\.imagePullPolicy, which a CatalogSource does not have/],
      ['- just a list', /not a YAML mapping/],
      ['key: [unclosed', /not YAML/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseCatalogSourceTemplate(text, 't.yaml'), (err: unknown) => isAirlockError(err, 'CATALOG_SOURCE_TEMPLATE_INVALID') && message.test(err.message), String(message));
    }
  });

  it('come from the generator with the mirror sets, one file each, cs-*.yaml and cc-*.yaml', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'airlock-cs-'));
    try {
      const resources = generateClusterResources({
        images: [mirrored(`registry.redhat.io/rhel9/postgresql-15@${digest('d')}`, 'operator')],
        meta: META,
        catalogs: [{ image: INDEX }, { image: `registry.enclave:5000/mirror/my-ns/certified-operator-index@${digest('c')}` }, { image: INDEX }],
      });
      assert.deepEqual(resources.map((r) => `${r.kind}/${r.metadata.name}`), [
        'ImageDigestMirrorSet/idms-operator-0',
        'CatalogSource/cs-certified-operator-index-cccccccccccc',
        'ClusterCatalog/cc-certified-operator-index-cccccccccccc',
        'CatalogSource/cs-redhat-operator-index-v4-19',
        'ClusterCatalog/cc-redhat-operator-index-v4-19',
      ]);
      const files = await writeClusterResources(dir, resources);
      assert.deepEqual((await readdir(dir)).sort(), [
        'cc-certified-operator-index-cccccccccccc.yaml',
        'cc-redhat-operator-index-v4-19.yaml',
        'cs-certified-operator-index-cccccccccccc.yaml',
        'cs-redhat-operator-index-v4-19.yaml',
        'idms-airlock.yaml',
      ]);
      assert.equal(files.length, 5);
      for (const name of await readdir(dir)) {
        if (!name.startsWith('cs-') && !name.startsWith('cc-')) continue;
        const docs = (await readFile(join(dir, name), 'utf8')).split(/^---\n/m).filter((d) => d.trim() !== '');
        assert.equal(docs.length, 1, name);
        const object = parse(docs[0] ?? '') as Record<string, unknown>;
        assert.deepEqual((name.startsWith('cs-') ? cs : cc).errors(object), [], name);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two catalogs that would share a name get -2', () => {
    const resources = catalogResourcesFor([{ image: 'a.example.com/x/index:v1' }, { image: 'b.example.com/y/index:v1' }], META);
    assert.deepEqual(resources.map((r) => r.metadata.name), ['cs-index-v1', 'cc-index-v1', 'cs-index-v1-2', 'cc-index-v1-2']);
  });
});

describe('the catalog CRD checks are not vacuous', () => {
  const source = (): Record<string, unknown> => json(catalogSourceFor({ image: INDEX }, META));
  const catalog = (): Record<string, unknown> => json(clusterCatalogFor({ image: INDEX }, META));

  it('the CRDs refuse broken objects', () => {
    assert.ok(cs.errors({ ...source(), spec: { image: INDEX } }).some((e) => /sourceType/.test(e)));
    assert.ok(cs.errors({ ...source(), spec: { sourceType: 'grpc', image: INDEX, imagePullPolicy: 'x' } }).some((e) => /additional properties/.test(e)));
    assert.ok(cs.errors({ ...source(), spec: { sourceType: 'grpc', image: INDEX, priority: 'high' } }).some((e) => /priority/.test(e)));
    assert.ok(cc.errors({ ...catalog(), spec: { source: { type: 'Git', image: { ref: INDEX } } } }).some((e) => /allowed values/.test(e)));
    assert.ok(cc.errors({ ...catalog(), spec: { source: { type: 'Image', image: {} } } }).some((e) => /ref/.test(e)));
    assert.ok(cc.errors({ ...catalog(), spec: {} }).some((e) => /source/.test(e)));
  });

  it('the generator-side checks catch what the CRDs leave to CEL or to the cluster', () => {
    const good = catalogSourceFor({ image: INDEX }, META);
    const badCs = (spec: Partial<CatalogSourceResource['spec']>): CatalogSourceResource => ({ ...good, spec: { ...good.spec, ...spec } });
    assert.match(clusterResourceIssues(badCs({ image: 'registry.enclave:5000/mirror/index' })).join(), /neither a tag nor a digest/);
    assert.match(clusterResourceIssues(badCs({ sourceType: 'configmap' as 'grpc' })).join(), /sourceType/);
    assert.match(clusterResourceIssues({ ...good, metadata: { ...good.metadata, namespace: undefined } }).join(), /namespace/);
    assert.match(clusterResourceIssues({ ...good, metadata: { ...good.metadata, name: `cs-${'x'.repeat(70)}` } }).join(), /DNS-1123 label/);
    const goodCc = clusterCatalogFor({ image: INDEX }, META);
    const badCc: ClusterCatalogResource = { ...goodCc, spec: { source: { type: 'Image', image: { ref: '[fd00::1]:5000/mirror/index:v1' } } } };
    assert.match(clusterResourceIssues(badCc).join(), /not a host name or IPv4 address/);
    assert.match(clusterResourceIssues({ ...goodCc, metadata: { ...goodCc.metadata, namespace: 'x' } }).join(), /cluster-scoped/);
  });
});

