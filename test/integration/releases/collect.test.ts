import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig, type PlatformSpec } from '../../../src/config';
import { isAirlockError } from '../../../src/errors';
import { checkDestinations } from '../../../src/plan/destination';
import { isResolved, resolveImage, type FailedImage, type PullSources } from '../../../src/plan/resolve';
import { formatReference, parseReference } from '../../../src/reference';
import { ClientPool } from '../../../src/registry/pool';
import { loadRegistriesConf, pullSources } from '../../../src/registry/registries-conf';
import { collectReleases, type ReleaseCollectEvent } from '../../../src/releases/collect';
import { UpdateGraphClient } from '../../../src/releases/graph';
import { releaseFailure } from '../../../src/releases/payload';
import { loadReleaseKeys, SignatureStoreClient, type TrustedReleaseKeys } from '../../../src/releases/signatures';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRelease, writeReleaseRegistriesConf, type SeededRelease } from '../../fixtures/release-images';
import { makeFixtureKey, signPayload, startSignatureStore, type FixtureKey, type SignatureStore } from '../../fixtures/signature-store';
import { startUpdateGraphServer, type UpdateGraphServer } from '../../fixtures/update-graph';

function platformOf(yaml: string): PlatformSpec {
  const config = parseConfig(['kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v2alpha1', 'mirror:', '  platform:', ...yaml.split('\n').map((l) => `    ${l}`)].join('\n'), 'isc.yaml');
  assert.ok(config.mirror.platform);
  return config.mirror.platform;
}

describe('collectReleases: graph, selection, signatures and payloads together', () => {
  let work: string;
  let registry: RegistryFixture;
  let graphServer: UpdateGraphServer;
  let store: SignatureStore;
  let key: FixtureKey;
  let keys: TrustedReleaseKeys;
  let pool: ClientPool;
  let sources: PullSources;
  let graphs: UpdateGraphClient;
  let signatures: SignatureStoreClient;
  const seeded = new Map<string, SeededRelease>();

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'airlock-collect-'));
    registry = await startRegistry();
    // Releases share the `cli` component (same digest), as real z-streams share unchanged images.
    for (const version of ['4.18.3', '4.19.0', '4.19.1', '4.19.2']) {
      seeded.set(version, await seedRelease(registry, { version, arch: 'amd64', components: ['cli', 'etcd'], componentSeed: (n) => (n === 'cli' ? 'shared/cli' : `${version}/${n}`), missing: version === '4.19.2' ? ['etcd'] : [] }));
    }
    const payload = (v: string): string => seeded.get(v)?.payload ?? '';
    graphServer = await startUpdateGraphServer({
      'stable-4.19': {
        kind: 'graph',
        byArch: {
          amd64: {
            nodes: ['4.18.3', '4.19.0', '4.19.1', '4.19.2'].map((version) => ({ version, payload: payload(version) })),
            edges: [
              ['4.18.3', '4.19.0'],
              ['4.19.0', '4.19.1'],
              ['4.19.1', '4.19.2'],
            ],
          },
        },
      },
    });
    store = await startSignatureStore();
    key = await makeFixtureKey();
    for (const s of seeded.values()) {
      if (s.version === '4.18.3') continue; // 4.18.3 is published unsigned
      store.put(s.digest, 1, await signPayload(key, { digest: s.digest, reference: `quay.io/openshift-release-dev/ocp-release:${s.tag}` }));
    }
    const keyFile = join(work, 'release.asc');
    await writeFile(keyFile, key.armoredPublicKey);
    keys = await loadReleaseKeys({ file: keyFile });
    const conf = await loadRegistriesConf({ file: await writeReleaseRegistriesConf(join(work, 'conf'), registry.host) });
    pool = new ClientPool({ retry: { times: 1, delayMs: 1 } });
    sources = (ref) =>
      pullSources(conf, formatReference(ref)).map((s) => {
        const reference = parseReference(s.reference);
        return { client: pool.get(reference.registry, s.insecure), reference };
      });
    graphs = new UpdateGraphClient({ url: graphServer.url, env: {}, retry: { times: 0, delayMs: 1 } });
    signatures = new SignatureStoreClient({ url: store.url, env: {}, retry: { times: 0, delayMs: 1 } });
  });

  after(async () => {
    await graphs?.close();
    await signatures?.close();
    await pool?.close();
    await graphServer?.stop();
    await store?.stop();
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('selects 4.19.0..4.19.1, verifies both signatures and lists every image; all of them resolve', async () => {
    const events: ReleaseCollectEvent[] = [];
    const collected = await collectReleases({
      platform: platformOf('channels:\n  - name: stable-4.19\n    minVersion: 4.19.0\n    maxVersion: 4.19.1'),
      sources,
      graphs,
      signatures,
      keys,
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual(collected.releases.map((r) => r.release.version), ['4.19.0', '4.19.1']);
    assert.deepEqual(collected.selections[0]?.releases.map((r) => r.reasons[0]?.rule), ['range', 'range']);
    assert.deepEqual(
      collected.images.map((i) => i.destination),
      [
        'openshift/release-images:4.19.0-x86_64',
        'openshift/release:4.19.0-x86_64-cli',
        'openshift/release:4.19.0-x86_64-etcd',
        'openshift/release-images:4.19.1-x86_64',
        'openshift/release:4.19.1-x86_64-cli',
        'openshift/release:4.19.1-x86_64-etcd',
      ],
    );
    // The shared component keeps both destinations: a release is complete under its own tags.
    assert.equal(collected.images[1]?.source.digest, collected.images[4]?.source.digest);
    assert.equal(checkDestinations(collected.images).length, 6);
    assert.deepEqual(collected.signatureRecords.map((r) => [r.version, r.digest, r.signatures.map((s) => s.index)]), [
      ['4.19.0', seeded.get('4.19.0')?.digest, [1]],
      ['4.19.1', seeded.get('4.19.1')?.digest, [1]],
    ]);
    assert.deepEqual(events.map((e) => e.type), ['graph', 'selected', 'release', 'release']);
    const resolved = await Promise.all(collected.images.map((w) => resolveImage(w, sources)));
    assert.ok(resolved.every(isResolved), JSON.stringify(resolved.filter((r) => !isResolved(r)).map((r) => r.source)));
  });

  it('an unsigned release stops the collection, naming it', async () => {
    await assert.rejects(
      collectReleases({ platform: platformOf('channels:\n  - name: stable-4.19\n    minVersion: 4.18.3\n    maxVersion: 4.19.0'), sources, graphs, signatures, keys }),
      (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_MISSING') && /release 4\.18\.3/.test(err.message),
    );
  });

  it('a signature by a key that is not the configured one stops it', async () => {
    const stranger = await makeFixtureKey('Stranger');
    const keyFile = join(work, 'stranger.asc');
    await writeFile(keyFile, stranger.armoredPublicKey);
    await assert.rejects(
      collectReleases({ platform: platformOf('channels:\n  - name: stable-4.19\n    minVersion: 4.19.1\n    maxVersion: 4.19.1'), sources, graphs, signatures, keys: await loadReleaseKeys({ file: keyFile }) }),
      (err: unknown) => isAirlockError(err, 'RELEASE_SIGNATURE_UNTRUSTED') && /4\.19\.1/.test(err.message),
    );
  });

  it('an unknown channel stops it, naming the channel', async () => {
    await assert.rejects(
      collectReleases({ platform: platformOf('channels:\n  - name: stabel-4.19'), sources, graphs, signatures, keys }),
      (err: unknown) => isAirlockError(err, 'RELEASE_CHANNEL_UNKNOWN') && /stabel-4\.19/.test(err.message),
    );
  });

  it('a release whose component is missing: listed, and its failure is RELEASE_INCOMPLETE naming the component', async () => {
    const collected = await collectReleases({ platform: platformOf('channels:\n  - name: stable-4.19'), sources, graphs, signatures, keys });
    assert.deepEqual(collected.releases.map((r) => r.release.version), ['4.19.2']);
    const results = await Promise.all(collected.images.map((w) => resolveImage(w, sources)));
    const err = releaseFailure(results.filter((r): r is FailedImage => !isResolved(r)));
    assert.ok(err);
    assert.match(err.message, /release 4\.19\.2 \(amd64\) component etcd/);
  });
});
