import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTransferManifest, serializeTransferManifest, transferManifestIssues, type TransferManifest } from '../../../src/media/transfer-manifest';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

function valid(): TransferManifest {
  return {
    schemaVersion: 1,
    setId: 'set-2',
    createdAt: '2025-06-01T12:00:00.000Z',
    tool: { name: 'airlock', version: '0.1.0' },
    stationKeyFingerprint: 'SHA256:ZaYz+m1ywDw4oMD1zi57gn7wk5147n/PxfMmjYQhl4Y',
    baseSets: ['set-1'],
    config: 'kind: ImageSetConfiguration\n',
    images: [
      { source: 'quay.io/a/b:1', name: 'a/b:1', status: 'ok', digest: d('a'), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 500 },
      { source: 'quay.io/a/c:1', name: 'a/c:1', status: 'failed', error: 'manifest unknown' },
    ],
    missing: [{ source: 'quay.io/a/c:1', name: 'a/c:1', error: 'manifest unknown' }],
    parts: [
      { name: 'mirror_000001.tar', size: 10240, sha256: '1'.repeat(64) },
      { name: 'mirror_000002.tar', size: 4096, sha256: '2'.repeat(64) },
    ],
    blobs: [
      { digest: d('b'), size: 100, part: 'mirror_000001.tar', offset: 4096, kind: 'config' },
      { digest: d('a'), size: 500, part: 'mirror_000001.tar', offset: 5120, kind: 'manifest', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
      { digest: d('c'), size: 1000, part: 'mirror_000002.tar', offset: 1536, kind: 'layer' },
    ],
  };
}

type Mutable = { -readonly [K in keyof TransferManifest]: unknown } & Record<string, unknown>;

function mutate(change: (m: Mutable) => void): unknown {
  const m = JSON.parse(JSON.stringify(valid())) as Mutable;
  change(m);
  return m;
}

const blobs = (m: Mutable): Record<string, unknown>[] => m.blobs as Record<string, unknown>[];
const images = (m: Mutable): Record<string, unknown>[] => m.images as Record<string, unknown>[];
const parts = (m: Mutable): Record<string, unknown>[] => m.parts as Record<string, unknown>[];

describe('transfer.json validation', () => {
  it('accepts a valid manifest and round-trips it', () => {
    assert.deepEqual(transferManifestIssues(valid()), []);
    assert.deepEqual(parseTransferManifest(serializeTransferManifest(valid())), valid());
    assert.ok(serializeTransferManifest(valid()).toString().endsWith('}\n'));
  });

  // [what, mutation, a fragment the error must contain]
  const table: readonly (readonly [string, (m: Mutable) => void, string])[] = [
    ['unknown schema version', (m) => (m.schemaVersion = 2), 'schema version 1 only'],
    ['schema version as a string', (m) => (m.schemaVersion = '1'), 'schemaVersion'],
    ['unknown top-level field', (m) => (m.extra = true), 'unknown field "extra"'],
    ['bad set id', (m) => (m.setId = '../x'), '.setId'],
    ['bad date', (m) => (m.createdAt = 'yesterday'), '.createdAt'],
    ['impossible date', (m) => (m.createdAt = '2025-13-45T99:00:00Z'), '.createdAt'],
    ['bad base set', (m) => (m.baseSets = ['ok', '']), '.baseSets[1]'],
    ['set is its own base', (m) => (m.baseSets = ['set-2']), 'lists the set itself'],
    ['config not text', (m) => (m.config = 5), '.config'],
    ['bad blob digest', (m) => (blobs(m)[0]!.digest = 'sha256:xyz'), '.blobs[0].digest'],
    ['sha512 blob digest', (m) => (blobs(m)[0]!.digest = `sha512:${'a'.repeat(128)}`), 'not a sha256 digest'],
    ['negative size', (m) => (blobs(m)[0]!.size = -1), '.blobs[0].size'],
    ['fractional size', (m) => (blobs(m)[0]!.size = 1.5), '.blobs[0].size'],
    ['huge size', (m) => (blobs(m)[0]!.size = 2 ** 60), '.blobs[0].size'],
    ['duplicate blob', (m) => blobs(m).push({ ...blobs(m)[0] }), 'listed more than once'],
    ['blob in an unlisted part', (m) => (blobs(m)[2]!.part = 'mirror_000003.tar'), 'not one of the parts listed'],
    ['blob part with a path', (m) => (blobs(m)[2]!.part = '../mirror_000002.tar'), 'not one of the parts listed'],
    ['blob offset off a block boundary', (m) => (blobs(m)[0]!.offset = 4097), '.blobs[0].offset'],
    ['blob past the end of its part', (m) => (blobs(m)[2]!.offset = 3584), '.blobs[2].offset'],
    ['overlapping blobs', (m) => (blobs(m)[1]!.offset = 4096 + 512), 'overlaps'],
    ['unknown blob kind', (m) => (blobs(m)[0]!.kind = 'signature'), '.blobs[0].kind'],
    ['blob media type with spaces', (m) => (blobs(m)[1]!.mediaType = 'text/ html'), '.blobs[1].mediaType'],
    ['part name not mirror_NNNNNN.tar', (m) => (parts(m)[1]!.name = 'evil.tar'), '.parts[1].name'],
    ['part names with a gap', (m) => (parts(m)[1]!.name = 'mirror_000003.tar'), 'without gaps'],
    ['part sha256 upper case', (m) => (parts(m)[0]!.sha256 = 'A'.repeat(64)), '.parts[0].sha256'],
    ['part size not a tar size', (m) => (parts(m)[0]!.size = 10000), 'not the size of a tar archive'],
    ['no parts', (m) => ((m.parts = []), (m.blobs = []), (m.images = [images(m)[1]])), 'is empty'],
    ['image status unknown', (m) => (images(m)[0]!.status = 'partial'), '.images[0].status'],
    ['ok image without digest', (m) => delete images(m)[0]!.digest, '.images[0].digest'],
    ['ok image with a manifest not in the blobs', (m) => (images(m)[0]!.digest = d('e')), 'not among the blobs'],
    ['ok image whose size disagrees', (m) => (images(m)[0]!.size = 501), 'disagrees'],
    ['ok image pointing at a layer', (m) => ((images(m)[0]!.digest = d('c')), (images(m)[0]!.size = 1000)), 'listed as a layer'],
    ['image name skopeo cannot resolve', (m) => (images(m)[0]!.name = 'a__b:1'), 'reference name'],
    ['two images with one name', (m) => images(m).push({ ...images(m)[0] }), 'more than one image'],
    ['not a manifest media type', (m) => (images(m)[0]!.mediaType = 'application/json'), 'manifest media type'],
    ['failed image not in missing', (m) => (m.missing = []), 'does not list the failed image'],
    ['missing lists an ok image', (m) => (m.missing as unknown[]).push({ source: 'quay.io/a/b:1', name: 'a/b:1', error: 'x' }), 'not a failed image'],
    ['failed image without error', (m) => delete images(m)[1]!.error, '.images[1].error'],
    ['tool not an object', (m) => (m.tool = 'airlock'), '.tool'],
    ['fingerprint with a newline', (m) => (m.stationKeyFingerprint = 'a\nb'), 'stationKeyFingerprint'],
    ['unknown image origin', (m) => (images(m)[0]!.origin = 'cosign'), '.images[0].origin'],
    ['signature not named by the cosign tag scheme', (m) => (images(m)[0]!.origin = 'signature'), 'is a signature but not named'],
  ];

  for (const [what, change, fragment] of table) {
    it(`refuses ${what}`, () => {
      const bytes = Buffer.from(JSON.stringify(mutate(change)));
      assert.throws(
        () => parseTransferManifest(bytes),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'TRANSFER_MANIFEST_INVALID');
          assert.ok(err.message.includes(fragment), `"${err.message}" does not mention "${fragment}"`);
          return true;
        },
      );
    });
  }

  it('accepts a cosign signature carried beside its image (origin signature)', () => {
    const m = mutate((x) => images(x).push({ ...images(x)[0], source: `quay.io/a/b:sha256-${'a'.repeat(64)}.sig`, name: `a/b:sha256-${'a'.repeat(64)}.sig`, origin: 'signature' }));
    assert.deepEqual(transferManifestIssues(m), []);
  });

  it('refuses what is not JSON or not an object', () => {
    assert.throws(() => parseTransferManifest(Buffer.from('{')), /not valid JSON/);
    assert.throws(() => parseTransferManifest(Buffer.from('[]')), /not a JSON object/);
    assert.throws(() => parseTransferManifest(Buffer.from('null')), /not a JSON object/);
  });

  it('carries release signatures when there are some, and validates them strictly', () => {
    const record = { version: '4.19.0', arch: 'amd64', digest: d('e'), signatures: [{ index: 1, data: Buffer.from('sig').toString('base64') }] };
    const withSignatures = { ...valid(), releaseSignatures: [record] } as TransferManifest;
    assert.deepEqual(transferManifestIssues(withSignatures), []);
    assert.deepEqual(parseTransferManifest(serializeTransferManifest(withSignatures)).releaseSignatures, [record]);
    // Sets written before releases existed (no field) stay valid: checked by the first test.
    for (const bad of [{}, [{ ...record, digest: 'sha256:x' }], [{ ...record, extra: 1 }], [{ ...record, signatures: [] }], [{ ...record, signatures: [{ index: 1, data: '%%' }] }]]) {
      const issues = transferManifestIssues(mutate((m) => (m.releaseSignatures = bad)));
      assert.equal(issues.length, 1, JSON.stringify(bad));
      assert.match(issues[0] ?? '', /^\.releaseSignatures is not valid: releaseSignatures/);
    }
  });

  it('carries operator catalog records when there are some, validated strictly and tied to an image of the set', () => {
    const record = { catalog: 'registry.redhat.io/redhat/redhat-operator-index:v4.19', name: 'a/b:1', digest: d('a'), rebuilt: true, catalogSourceTemplate: { file: '/t.yaml', text: 'kind: CatalogSource\n' }, incompleteBundles: ['pkg/pkg.v1'] };
    const withCatalogs = { ...valid(), operatorCatalogs: [record] } as TransferManifest;
    assert.deepEqual(transferManifestIssues(withCatalogs), []);
    assert.deepEqual(parseTransferManifest(serializeTransferManifest(withCatalogs)).operatorCatalogs, [record]);
    for (const bad of [{}, [{ ...record, digest: 'sha256:x' }], [{ ...record, extra: 1 }], [{ ...record, rebuilt: 'yes' }], [{ ...record, incompleteBundles: ['no-slash'] }]]) {
      const issues = transferManifestIssues(mutate((m) => (m.operatorCatalogs = bad)));
      assert.equal(issues.length, 1, JSON.stringify(bad));
      assert.match(issues[0] ?? '', /^\.operatorCatalogs is not valid: operatorCatalogs/);
    }
    // A record naming no image of the set (or the failed one) is refused.
    for (const other of [{ ...record, digest: d('f') }, { ...record, name: 'a/c:1' }]) {
      assert.match(transferManifestIssues(mutate((m) => (m.operatorCatalogs = [other])))[0] ?? '', /^\.operatorCatalogs\[0\] names .* which is not an image of the set/);
    }
  });

  it('reports several problems at once', () => {
    const issues = transferManifestIssues(mutate((m) => ((m.setId = ''), (blobs(m)[0]!.size = -5))));
    assert.equal(issues.length, 2);
  });
});
