import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileBlockPattern } from '../../../src/config/blocked';
import { blockReleaseImages } from '../../../src/releases/blocked';
import { releaseWantedImages, type ReleaseManifests, type ReleaseWantedImage } from '../../../src/releases/payload';
import { parseReference } from '../../../src/reference';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const COMPONENTS = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';

function release(version: string, payload: string, components: Record<string, string>): ReleaseWantedImage[] {
  const manifests: ReleaseManifests = {
    name: version,
    components: Object.entries(components).map(([name, c]) => ({ name, reference: parseReference(`${COMPONENTS}@${digest(c)}`) as ReleaseManifests['components'][number]['reference'] })),
  };
  return releaseWantedImages({ version, arch: 'amd64', payload: `quay.io/openshift-release-dev/ocp-release@${digest(payload)}` }, manifests);
}

// Two z-streams sharing `cli` by digest, as real ones share unchanged images.
const IMAGES = [...release('4.19.0', 'a', { cli: '1', etcd: '2' }), ...release('4.19.1', 'b', { cli: '1', etcd: '3' })];

describe('blockReleaseImages (mirror.blockedImages over release images)', () => {
  const cases: ReadonlyArray<{ name: string; patterns: string[]; left: string[]; blocked: Array<[string, string[]]>; incomplete: RegExp[] }> = [
    { name: 'no pattern: everything kept', patterns: [], left: [], blocked: [], incomplete: [] },
    {
      name: 'one component by source digest',
      patterns: [`${COMPONENTS}@${digest('3')}`],
      left: ['openshift/release:4.19.1-x86_64-etcd'],
      blocked: [[`${COMPONENTS}@${digest('3')}`, ['4.19.1 (amd64) component etcd']]],
      incomplete: [/^release 4\.19\.1 \(amd64\) is incomplete: .*its component etcd quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev@sha256:3{64} \(blocked by "quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev@sha256:3{64}"\)/],
    },
    {
      name: 'a shared component: one blocked entry, both releases incomplete',
      patterns: [`${COMPONENTS}@${digest('1')}`],
      left: ['openshift/release:4.19.0-x86_64-cli', 'openshift/release:4.19.1-x86_64-cli'],
      blocked: [[`${COMPONENTS}@${digest('1')}`, ['4.19.0 (amd64) component cli', '4.19.1 (amd64) component cli']]],
      incomplete: [/^release 4\.19\.0 \(amd64\) is incomplete: .*component cli/, /^release 4\.19\.1 \(amd64\) is incomplete: .*component cli/],
    },
    {
      name: 'by destination glob',
      patterns: ['**:4.19.0-x86_64-etcd'],
      left: ['openshift/release:4.19.0-x86_64-etcd'],
      blocked: [[`${COMPONENTS}@${digest('2')}`, ['4.19.0 (amd64) component etcd']]],
      incomplete: [/^release 4\.19\.0 \(amd64\) is incomplete: .*component etcd .*blocked by "\*\*:4\.19\.0-x86_64-etcd"/],
    },
    {
      name: 'the payload repository blocks the payloads, not the components',
      patterns: ['quay.io/openshift-release-dev/ocp-release'],
      left: ['openshift/release-images:4.19.0-x86_64', 'openshift/release-images:4.19.1-x86_64'],
      blocked: [
        [`quay.io/openshift-release-dev/ocp-release@${digest('a')}`, ['4.19.0 (amd64) payload']],
        [`quay.io/openshift-release-dev/ocp-release@${digest('b')}`, ['4.19.1 (amd64) payload']],
      ],
      incomplete: [/^release 4\.19\.0 \(amd64\) is incomplete: .*its payload/, /^release 4\.19\.1 \(amd64\) is incomplete: .*its payload/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = blockReleaseImages(IMAGES, c.patterns.map(compileBlockPattern));
      assert.deepEqual(
        IMAGES.filter((i) => !result.kept.includes(i)).map((i) => i.destination),
        c.left,
      );
      assert.deepEqual(result.blocked.map((b) => [b.source, b.usedBy]), c.blocked);
      for (const b of result.blocked) assert.ok(c.patterns.includes(b.by));
      assert.equal(result.warnings.length, c.incomplete.length);
      c.incomplete.forEach((re, i) => assert.match(result.warnings[i] ?? '', re));
    });
  }

  it('names the payloads whose signatures no longer travel', () => {
    const result = blockReleaseImages(IMAGES, [compileBlockPattern(`quay.io/openshift-release-dev/ocp-release@${digest('b')}`)]);
    assert.deepEqual([...result.blockedPayloads], [digest('b')]);
  });
});
