import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { parseReference } from '../../../src/reference';
import {
  generateClusterResources,
  mirrorCategoryOf,
  mirrorRule,
  mirrorSetsFor,
  renderClusterResourceFiles,
  type ClusterResourceGenerator,
  type ImageMirrors,
  type MirroredImage,
  type MirrorSetOptions,
  type MirrorSets,
} from '../../../src/resources';
import { digest, META, mirrored, sampleImages, shuffled, TARGET } from './fixtures';

/** name -> rules, for both kinds, so a case states the whole expected output. */
function summary(sets: MirrorSets): Record<string, readonly ImageMirrors[]> {
  const out: Record<string, readonly ImageMirrors[]> = {};
  for (const set of sets.digestMirrorSets) out[set.metadata.name] = set.spec.imageDigestMirrors;
  for (const set of sets.tagMirrorSets) out[set.metadata.name] = set.spec.imageTagMirrors;
  return out;
}

const rule = (source: string, ...mirrors: string[]): ImageMirrors => ({ source, mirrors });

interface GroupingCase {
  readonly name: string;
  readonly images: readonly MirroredImage[];
  readonly options?: MirrorSetOptions;
  readonly expected: Record<string, readonly ImageMirrors[]>;
}

const E = 'registry.enclave:5000';

const GROUPING: readonly GroupingCase[] = [
  {
    name: 'namespace scope when the destination ends with the source path',
    images: [mirrored('quay.io/org/app:1.0', 'generic')],
    expected: { 'itms-generic-0': [rule('quay.io/org', `${TARGET}/org`)] },
  },
  {
    name: 'namespace scope without a target prefix',
    images: [{ source: 'quay.io/org/app:1.0', destination: `${E}/org/app:1.0`, category: 'generic', byDigest: false }],
    expected: { 'itms-generic-0': [rule('quay.io/org', `${E}/org`)] },
  },
  {
    name: 'namespace scope of a one-component source path is the registry',
    images: [{ source: 'registry.example.com/app:1', destination: `${TARGET}/app:1`, category: 'generic', byDigest: false }],
    expected: { 'itms-generic-0': [rule('registry.example.com', TARGET)] },
  },
  {
    name: 'repository scope when the destination does not end with the source path',
    images: [{ source: 'quay.io/org/app:1.0', destination: `${E}/flat/app:1.0`, category: 'generic', byDigest: false }],
    expected: { 'itms-generic-0': [rule('quay.io/org/app', `${E}/flat/app`)] },
  },
  {
    name: 'repository scope when the paths only share a string suffix, not whole components',
    images: [{ source: 'quay.io/org/app:1.0', destination: `${E}/mirror/myorg/app:1.0`, category: 'generic', byDigest: false }],
    expected: { 'itms-generic-0': [rule('quay.io/org/app', `${E}/mirror/myorg/app`)] },
  },
  {
    name: 'Docker Hub names are normalised before comparing',
    images: [{ source: 'docker.io/nginx:1.27', destination: `${TARGET}/library/nginx:1.27`, category: 'generic', byDigest: false }],
    expected: { 'itms-generic-0': [rule('docker.io/library', `${TARGET}/library`)] },
  },
  {
    name: 'by digest goes to the IDMS, by tag to the ITMS',
    images: [mirrored(`quay.io/org/a@${digest('a')}`, 'generic'), mirrored('quay.io/other/b:1', 'generic')],
    expected: { 'idms-generic-0': [rule('quay.io/org', `${TARGET}/org`)], 'itms-generic-0': [rule('quay.io/other', `${TARGET}/other`)] },
  },
  {
    name: 'a reference with tag and digest goes where byDigest says',
    images: [
      { source: `quay.io/org/a:1@${digest('a')}`, destination: `${TARGET}/org/a:1`, category: 'generic', byDigest: true },
      { source: `quay.io/tag/b:1@${digest('b')}`, destination: `${TARGET}/tag/b:1`, category: 'generic', byDigest: false },
    ],
    expected: { 'idms-generic-0': [rule('quay.io/org', `${TARGET}/org`)], 'itms-generic-0': [rule('quay.io/tag', `${TARGET}/tag`)] },
  },
  {
    name: 'a reference without tag or digest is a pull by tag (latest)',
    images: [{ source: 'quay.io/org/app', destination: `${TARGET}/org/app:latest`, category: 'generic', byDigest: false }],
    expected: { 'itms-generic-0': [rule('quay.io/org', `${TARGET}/org`)] },
  },
  {
    name: 'duplicates collapse: same namespace, same mirror',
    images: [
      mirrored(`quay.io/org/a@${digest('a')}`, 'operator'),
      mirrored(`quay.io/org/a@${digest('b')}`, 'operator'),
      mirrored(`quay.io/org/b@${digest('c')}`, 'operator'),
      mirrored(`quay.io/org/a@${digest('a')}`, 'operator'),
    ],
    expected: { 'idms-operator-0': [rule('quay.io/org', `${TARGET}/org`)] },
  },
  {
    name: 'two mirrors of one source are both kept, sorted',
    images: [
      { source: 'quay.io/org/app:1', destination: `${E}/zeta/org/app:1`, category: 'generic', byDigest: false },
      { source: 'quay.io/org/app:1', destination: `${E}/alpha/org/app:1`, category: 'generic', byDigest: false },
    ],
    expected: { 'itms-generic-0': [rule('quay.io/org', `${E}/alpha/org`, `${E}/zeta/org`)] },
  },
  {
    name: 'namespace and repository rules side by side, sorted by source',
    images: [
      mirrored('quay.io/zz/app:1', 'generic'),
      { source: 'quay.io/org/app:1', destination: `${E}/flat/app:1`, category: 'generic', byDigest: false },
      mirrored('ghcr.io/acme/widget:2', 'generic'),
    ],
    expected: {
      'itms-generic-0': [rule('ghcr.io/acme', `${TARGET}/acme`), rule('quay.io/org/app', `${E}/flat/app`), rule('quay.io/zz', `${TARGET}/zz`)],
    },
  },
  {
    name: 'one object per category, empty ones left out',
    images: [mirrored(`quay.io/r/x@${digest('a')}`, 'release'), mirrored(`quay.io/o/y@${digest('b')}`, 'operator'), mirrored('quay.io/g/z:1', 'generic')],
    expected: {
      'idms-release-0': [rule('quay.io/r', `${TARGET}/r`)],
      'idms-operator-0': [rule('quay.io/o', `${TARGET}/o`)],
      'itms-generic-0': [rule('quay.io/g', `${TARGET}/g`)],
    },
  },
  {
    name: 'the same source in two categories appears in both objects',
    images: [mirrored(`quay.io/org/a@${digest('a')}`, 'operator'), mirrored(`quay.io/org/b@${digest('b')}`, 'generic')],
    expected: { 'idms-operator-0': [rule('quay.io/org', `${TARGET}/org`)], 'idms-generic-0': [rule('quay.io/org', `${TARGET}/org`)] },
  },
  {
    name: 'a release image by tag goes into both the ITMS and the IDMS (oc-mirror CLID-205)',
    images: [
      { source: 'quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64', destination: `${TARGET}/openshift/release-images:4.19.0-x86_64`, category: 'release', byDigest: false },
    ],
    expected: {
      'idms-release-0': [rule('quay.io/openshift-release-dev/ocp-release', `${TARGET}/openshift/release-images`)],
      'itms-release-0': [rule('quay.io/openshift-release-dev/ocp-release', `${TARGET}/openshift/release-images`)],
    },
  },
  {
    name: 'an operator or generic image by tag goes into the ITMS only',
    images: [mirrored('quay.io/o/op:1', 'operator'), mirrored('quay.io/g/gen:1', 'generic')],
    expected: { 'itms-operator-0': [rule('quay.io/o', `${TARGET}/o`)], 'itms-generic-0': [rule('quay.io/g', `${TARGET}/g`)] },
  },
  {
    name: '--max-nested-paths forces repository scope even where the suffix still matches',
    images: [{ source: 'quay.io/org/app:1', destination: `${E}/org/app:1`, category: 'generic', byDigest: false }],
    options: { maxNestedPaths: 2 },
    expected: { 'itms-generic-0': [rule('quay.io/org/app', `${E}/org/app`)] },
  },
  {
    name: 'forceRepositoryScope',
    images: [mirrored(`quay.io/org/a@${digest('a')}`, 'generic'), mirrored(`quay.io/org/b@${digest('b')}`, 'generic')],
    options: { forceRepositoryScope: true },
    expected: { 'idms-generic-0': [rule('quay.io/org/a', `${TARGET}/org/a`), rule('quay.io/org/b', `${TARGET}/org/b`)] },
  },
  { name: 'nothing mirrored, nothing generated', images: [], expected: {} },
];

describe('mirrorSetsFor: grouping', () => {
  for (const c of GROUPING) {
    it(c.name, () => {
      assert.deepEqual(summary(mirrorSetsFor(c.images, META, c.options)), c.expected);
    });
  }

  it('lists categories in release, operator, generic order and stamps every object', () => {
    const sets = mirrorSetsFor(sampleImages(), META);
    assert.deepEqual(
      sets.digestMirrorSets.map((s) => s.metadata.name),
      ['idms-release-0', 'idms-operator-0', 'idms-generic-0'],
    );
    assert.deepEqual(
      sets.tagMirrorSets.map((s) => s.metadata.name),
      ['itms-release-0', 'itms-generic-0'],
    );
    for (const set of [...sets.digestMirrorSets, ...sets.tagMirrorSets]) {
      assert.equal(set.apiVersion, 'config.openshift.io/v1');
      assert.deepEqual(set.metadata.annotations, { createdAt: META.createdAt, createdBy: 'airlock', airlock_version: META.version });
      assert.equal(set.metadata.namespace, undefined);
    }
  });
});

describe('mirrorCategoryOf', () => {
  const cases = [
    ['release', 'release'],
    ['operator', 'operator'],
    ['additional', 'generic'],
    ['helm', 'generic'],
  ] as const;
  for (const [origin, category] of cases) it(`${origin} -> ${category}`, () => assert.equal(mirrorCategoryOf(origin), category));
  it('refuses an origin it does not know', () => {
    assert.throws(() => mirrorCategoryOf('catalog' as never), (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCE_INPUT_INVALID'));
  });
});

describe('mirrorRule', () => {
  const cases: readonly (readonly [string, string, boolean, ReturnType<typeof mirrorRule>])[] = [
    ['quay.io/a/b/c:1', `${E}/p/a/b/c:1`, false, { scope: 'namespace', source: 'quay.io/a/b', mirror: `${E}/p/a/b` }],
    ['quay.io/a/b/c:1', `${E}/p/b/c:1`, false, { scope: 'repository', source: 'quay.io/a/b/c', mirror: `${E}/p/b/c` }],
    ['quay.io/a/b/c:1', `${E}/a/b/c:1`, true, { scope: 'repository', source: 'quay.io/a/b/c', mirror: `${E}/a/b/c` }],
    ['localhost:5000/x:1', `${E}/x:1`, false, { scope: 'namespace', source: 'localhost:5000', mirror: E }],
  ];
  for (const [source, destination, force, expected] of cases) {
    it(`${source} -> ${destination}${force ? ' (forced)' : ''}`, () => {
      assert.deepEqual(mirrorRule(parseReference(source), parseReference(destination), force), expected);
    });
  }
});

describe('mirrorSetsFor: refuses what it cannot express', () => {
  const image = (overrides: Partial<MirroredImage>): MirroredImage => ({ ...mirrored('quay.io/org/app:1', 'generic'), ...overrides });
  const cases: readonly (readonly [string, () => unknown, string])[] = [
    ['byDigest for a reference with only a tag', () => mirrorSetsFor([image({ byDigest: true })], META), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['byTag for a reference with only a digest', () => mirrorSetsFor([mirrored(`quay.io/o/a@${digest('a')}`, 'generic', false)], META), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['an unknown category', () => mirrorSetsFor([image({ category: 'other' as never })], META), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['a destination without a registry host', () => mirrorSetsFor([image({ destination: 'org/app:1' })], META), 'REFERENCE_INVALID'],
    ['an unparsable source', () => mirrorSetsFor([image({ source: 'quay.io/Org/app:1' })], META), 'REFERENCE_INVALID'],
    ['an IPv6 target registry (not allowed by the CRD pattern)', () => mirrorSetsFor([image({ destination: '[fd00::1]:5000/org/app:1' })], META), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['a createdAt that is not ISO 8601 UTC', () => mirrorSetsFor([], { ...META, createdAt: 'Saturday, 01-Mar-25 12:00:00 UTC' }), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['a createdAt with an offset', () => mirrorSetsFor([], { ...META, createdAt: '2025-03-01T12:00:00+01:00' }), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['an impossible date', () => mirrorSetsFor([], { ...META, createdAt: '2025-13-45T12:00:00Z' }), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['an empty version', () => mirrorSetsFor([], { ...META, version: '' }), 'CLUSTER_RESOURCE_INPUT_INVALID'],
    ['a negative --max-nested-paths', () => mirrorSetsFor([], META, { maxNestedPaths: -1 }), 'MAX_NESTED_PATHS_INVALID'],
  ];
  for (const [name, run, code] of cases) {
    it(name, () => assert.throws(run, (err: unknown) => isAirlockError(err, code)));
  }
});

describe('determinism', () => {
  const bytes = (images: readonly MirroredImage[]): string =>
    renderClusterResourceFiles(generateClusterResources({ images, meta: META }))
      .map((f) => `# ${f.name}\n${f.content}`)
      .join('');

  it('gives byte-identical files for the same set in any order, with duplicates', () => {
    const images = sampleImages();
    const reference = bytes(images);
    for (const seed of [1, 2, 3, 42, 2025]) {
      const input = shuffled([...images, ...shuffled(images, seed + 1).slice(0, 5)], seed);
      assert.equal(bytes(input), reference, `seed ${seed}`);
    }
  });

  it('takes createdAt from the input, never from the clock', () => {
    const images = sampleImages();
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2030-01-01T00:00:00Z') });
    try {
      const first = bytes(images);
      mock.timers.tick(86_400_000);
      assert.equal(bytes(images), first);
      assert.ok(first.includes(`createdAt: "${META.createdAt}"`));
      assert.ok(!first.includes('2030'));
    } finally {
      mock.timers.reset();
    }
  });

  it('a different createdAt or version changes only the annotations', () => {
    const a = bytes(sampleImages());
    const b = renderClusterResourceFiles(generateClusterResources({ images: sampleImages(), meta: { createdAt: '2025-04-01T00:00:00.5Z', version: '9.9.9' } }))
      .map((f) => `# ${f.name}\n${f.content}`)
      .join('');
    assert.notEqual(a, b);
    assert.equal(b.replaceAll('2025-04-01T00:00:00.5Z', META.createdAt).replaceAll('airlock_version: 9.9.9', `airlock_version: ${META.version}`), a);
  });
});

describe('generateClusterResources', () => {
  it('runs the mirror set generator by default', () => {
    const resources = generateClusterResources({ images: sampleImages(), meta: META });
    assert.deepEqual(
      resources.map((r) => `${r.kind}/${r.metadata.name}`),
      [
        'ImageDigestMirrorSet/idms-release-0',
        'ImageDigestMirrorSet/idms-operator-0',
        'ImageDigestMirrorSet/idms-generic-0',
        'ImageTagMirrorSet/itms-release-0',
        'ImageTagMirrorSet/itms-generic-0',
      ],
    );
  });

  it('passes --max-nested-paths through to the mirror sets', () => {
    const resources = generateClusterResources({ images: [mirrored('quay.io/org/app:1', 'generic')], meta: META, maxNestedPaths: 5 });
    assert.deepEqual(resources.map((r) => (r.kind === 'ImageTagMirrorSet' ? r.spec.imageTagMirrors : [])), [[rule('quay.io/org/app', `${TARGET}/org/app`)]]);
  });

  it('composes the generators it is given, in order', () => {
    const calls: string[] = [];
    const fake = (name: string): ClusterResourceGenerator => ({
      name,
      generate: (input) => {
        calls.push(`${name}:${input.images.length}`);
        return [];
      },
    });
    assert.deepEqual(generateClusterResources({ images: sampleImages().slice(0, 2), meta: META }, [fake('a'), fake('b')]), []);
    assert.deepEqual(calls, ['a:2', 'b:2']);
  });
});
