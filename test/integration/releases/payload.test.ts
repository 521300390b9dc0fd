import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { isResolved, resolveImage, type FailedImage, type PullSources } from '../../../src/plan/resolve';
import { formatReference, parseReference } from '../../../src/reference';
import { ClientPool } from '../../../src/registry/pool';
import { loadRegistriesConf, pullSources, type RegistriesConf } from '../../../src/registry/registries-conf';
import { collectReleasePayload, IMAGE_REFERENCES_PATH, readReleaseManifests, releaseFailure } from '../../../src/releases/payload';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { QUAY_RELEASE, seedRelease, writeReleaseRegistriesConf, type SeededRelease } from '../../fixtures/release-images';

function sourcesFor(conf: RegistriesConf, pool: ClientPool): PullSources {
  return (ref) =>
    pullSources(conf, formatReference(ref)).map((s) => {
      const reference = parseReference(s.reference);
      return { client: pool.get(reference.registry, s.insecure), reference };
    });
}

describe('release payloads from a real registry through registries.conf', () => {
  let registry: RegistryFixture;
  let work: string;
  let pool: ClientPool;
  let sources: PullSources;
  let r419: SeededRelease;
  let multi: SeededRelease;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'airlock-payload-'));
    registry = await startRegistry();
    r419 = await seedRelease(registry, { version: '4.19.0', arch: 'amd64', components: ['cli', 'etcd', 'machine-config-operator'], kubeVirt: true });
    multi = await seedRelease(registry, { version: '4.19.0', arch: 'multi', components: ['cli', 'etcd'], kubeVirt: true, format: 'oci' });
    const conf = await loadRegistriesConf({ file: await writeReleaseRegistriesConf(join(work, 'conf'), registry.host) });
    pool = new ClientPool({ retry: { times: 1, delayMs: 1 } });
    sources = sourcesFor(conf, pool);
  });

  after(async () => {
    await pool?.close();
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('lists payload, every component and KubeVirt by digest under the oc-mirror destinations', async () => {
    const got = await collectReleasePayload({ version: '4.19.0', arch: 'amd64', payload: r419.payload }, sources, { kubeVirtContainer: true });
    assert.deepEqual(got.warnings, []);
    assert.equal(got.manifests.name, '4.19.0');
    assert.deepEqual(
      got.images.map((i) => [i.kind, i.component ?? '', formatReference(i.source), i.destination]),
      [
        ['payload', '', `${QUAY_RELEASE}@${r419.digest}`, 'openshift/release-images:4.19.0-x86_64'],
        ...r419.components.map((c) => ['component', c.name, c.quayReference, `openshift/release:4.19.0-x86_64-${c.name}`]),
        ['kubevirt', 'kube-virt-container', r419.kubeVirt?.quayReference, 'openshift/release:4.19.0-x86_64-kube-virt-container'],
      ],
    );
    assert.ok(got.images.every((i) => i.origin === 'release' && i.byDigest && i.source.digest !== undefined));
  });

  it('without kubeVirtContainer the KubeVirt image is not added', async () => {
    const got = await collectReleasePayload({ version: '4.19.0', arch: 'amd64', payload: r419.payload }, sources);
    assert.equal(got.images.length, 1 + r419.components.length);
    assert.ok(!got.images.some((i) => i.kind === 'kubevirt'));
  });

  it('reads only the top layer when the manifests are there, and the layers below when they are not', async () => {
    const low = await seedRelease(registry, { version: '4.19.1', arch: 'amd64', components: ['cli'], manifestsLayerFirst: true });
    const opened: string[] = [];
    const counting: PullSources = (ref) =>
      sources(ref).map(({ client, reference }) => {
        const spy = Object.create(client) as typeof client;
        spy.openBlob = (repo, digest, options) => {
          opened.push(digest);
          return client.openBlob(repo, digest, options);
        };
        return { client: spy, reference };
      });
    await readReleaseManifests({ version: '4.19.0', arch: 'amd64', payload: r419.payload }, counting);
    const { layers } = JSON.parse(r419.pushedPayload.manifestBytes.toString('utf8')) as { layers: Array<{ digest: string }> };
    assert.equal(layers.length, 2);
    assert.deepEqual(opened, [layers[layers.length - 1]?.digest]);
    opened.length = 0;
    const found = await readReleaseManifests({ version: '4.19.1', arch: 'amd64', payload: low.payload }, counting);
    assert.equal(found.components.length, 1);
    assert.equal(opened.length, 2, 'top layer first, then the one below that holds release-manifests/');
  });

  it('multi: reads the amd64 instance of the payload list; tags end in -multi; components are lists', async () => {
    const got = await collectReleasePayload({ version: '4.19.0', arch: 'multi', payload: multi.payload }, sources, { kubeVirtContainer: true });
    assert.deepEqual(got.images.map((i) => i.destination), [
      'openshift/release-images:4.19.0-multi',
      'openshift/release:4.19.0-multi-cli',
      'openshift/release:4.19.0-multi-etcd',
      'openshift/release:4.19.0-multi-kube-virt-container',
    ]);
    assert.equal(got.images[0]?.source.digest, multi.digest);
    assert.equal(multi.pushedPayload.children?.length, 2);
  });

  it('a payload without image-references is an error naming the release', async () => {
    const bad = await seedRelease(registry, { version: '4.19.2', arch: 'amd64', components: ['cli'], imageReferencesText: '{"kind":"ConfigMap"}' });
    await assert.rejects(
      readReleaseManifests({ version: '4.19.2', arch: 'amd64', payload: bad.payload }, sources),
      (err: unknown) => isAirlockError(err, 'RELEASE_PAYLOAD_INVALID') && /release 4\.19\.2 \(amd64/.test(err.message) && /ImageStream/.test(err.message),
    );
    const tagged = await seedRelease(registry, {
      version: '4.19.3',
      arch: 'amd64',
      components: ['cli'],
      imageReferencesText: JSON.stringify({ kind: 'ImageStream', metadata: { name: '4.19.3' }, spec: { tags: [{ name: 'cli', from: { kind: 'DockerImage', name: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev:latest' } }] } }),
    });
    await assert.rejects(
      readReleaseManifests({ version: '4.19.3', arch: 'amd64', payload: tagged.payload }, sources),
      (err: unknown) => isAirlockError(err, 'RELEASE_PAYLOAD_INVALID') && /component cli/.test(err.message) && /digest/.test(err.message),
    );
    assert.ok(IMAGE_REFERENCES_PATH.startsWith('release-manifests/'));
  });

  it('a payload the registry does not have is RELEASE_PAYLOAD_UNAVAILABLE naming the release', async () => {
    const missing = `${QUAY_RELEASE}@sha256:${'0'.repeat(64)}`;
    await assert.rejects(
      readReleaseManifests({ version: '4.19.9', arch: 'amd64', payload: missing }, sources),
      (err: unknown) => isAirlockError(err, 'RELEASE_PAYLOAD_UNAVAILABLE') && /4\.19\.9/.test(err.message),
    );
  });

  it('a component missing from the registry makes the release incomplete, naming release and component', async () => {
    const broken = await seedRelease(registry, { version: '4.19.4', arch: 'amd64', components: ['cli', 'etcd'], missing: ['etcd'] });
    const got = await collectReleasePayload({ version: '4.19.4', arch: 'amd64', payload: broken.payload }, sources);
    const results = await Promise.all(got.images.map((w) => resolveImage(w, sources)));
    const failed = results.filter((r): r is FailedImage => !isResolved(r));
    assert.equal(failed.length, 1);
    const err = releaseFailure(failed);
    assert.ok(err);
    assert.equal(err.code, 'RELEASE_INCOMPLETE');
    assert.match(err.message, /release 4\.19\.4 \(amd64\) component etcd/);
    assert.equal(err.context.component, 'etcd');
    assert.equal(releaseFailure([]), undefined);
  });
});
