import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { blobsOf, parseManifest } from '../../../src/registry/manifest';
import { MediaType } from '../../../src/registry/media-types';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const enc = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

describe('parseManifest', () => {
  it('reads an OCI image manifest without a mediaType field from its Content-Type', () => {
    const m = parseManifest(enc({ schemaVersion: 2, config: { mediaType: MediaType.OciConfig, digest: d('a'), size: 2 }, layers: [{ mediaType: 'x', digest: d('b'), size: 3 }, { mediaType: 'x', digest: d('a'), size: 2 }] }), MediaType.OciManifest, 'r/x');
    assert.equal(m.kind, 'image');
    assert.equal(m.mediaType, MediaType.OciManifest);
    if (m.kind === 'image') assert.deepEqual(blobsOf(m).map((b) => b.digest), [d('a'), d('b')]);
  });
  it('reads a Docker manifest list', () => {
    const m = parseManifest(enc({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [{ mediaType: MediaType.DockerManifest, digest: d('c'), size: 9, platform: { architecture: 'arm64', os: 'linux' } }] }), 'application/json', 'r/x');
    assert.equal(m.kind, 'index');
    if (m.kind === 'index') assert.equal(m.manifests[0]?.platform?.architecture, 'arm64');
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ['schema1', { schemaVersion: 1 }, /schemaVersion 1/],
    ['bad digest', { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'x', digest: 'md5:1', size: 1 }, layers: [] }, /config\.digest/],
    ['negative size', { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: 'x', digest: d('a'), size: -1 }, layers: [] }, /config\.size/],
    ['unknown type', { schemaVersion: 2, mediaType: 'application/vnd.foo', layers: [] }, /not one Airlock carries/],
    ['index without manifests', { schemaVersion: 2, mediaType: MediaType.OciIndex }, /without "manifests"/],
  ];
  for (const [name, body, re] of bad) {
    it(`refuses ${name}`, () => assert.throws(() => parseManifest(enc(body), undefined, 'r/x'), re));
  }
  it('refuses non-JSON', () => assert.throws(() => parseManifest(Buffer.from('<html>'), undefined, 'r/x'), /not JSON/));
});
