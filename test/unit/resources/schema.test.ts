import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  clusterResourceIssues,
  generateClusterResources,
  isDns1123Subdomain,
  MIRROR_PATTERN,
  mirrorSetsFor,
  SOURCE_PATTERN,
  type ClusterResource,
  type ClusterResourceKind,
  type ImageDigestMirrorSet,
} from '../../../src/resources';
import { CRD_DIR, isDnsSubdomain, loadCrd, type CrdValidator } from './crd-schema';
import { digest, META, mirrored, sampleImages } from './fixtures';

/** The kinds validated here; the release resources have their own test (release-resources.test.ts). */
type MirrorSetKind = Extract<ClusterResourceKind, 'ImageDigestMirrorSet' | 'ImageTagMirrorSet'>;

const CRD_FILES: Record<MirrorSetKind, string> = {
  ImageDigestMirrorSet: 'imagedigestmirrorset.crd.yaml',
  ImageTagMirrorSet: 'imagetagmirrorset.crd.yaml',
};

let validators: Record<MirrorSetKind, CrdValidator>;

interface MirrorListSchema {
  items: { properties: { source: { pattern: string }; mirrors: { items: { pattern: string } } } };
}
interface CrdShape {
  spec: {
    versions: { name: string; schema: { openAPIV3Schema: { properties: { spec: { properties: Record<string, MirrorListSchema | undefined> } } } } }[];
  };
}

before(() => {
  validators = {
    ImageDigestMirrorSet: loadCrd(CRD_FILES.ImageDigestMirrorSet, 'config.openshift.io/v1'),
    ImageTagMirrorSet: loadCrd(CRD_FILES.ImageTagMirrorSet, 'config.openshift.io/v1'),
  };
});

/** Plain JSON, as `oc apply` sends it. */
const json = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

function crdErrors(resource: unknown, kind: MirrorSetKind): string[] {
  return validators[kind].errors(json(resource));
}

/** A valid IDMS to break in the negative cases. */
function idms(): ImageDigestMirrorSet {
  const set = mirrorSetsFor([mirrored(`quay.io/org/app@${digest('a')}`, 'generic')], META).digestMirrorSets[0];
  assert.ok(set);
  return set;
}

const ALL_INPUTS: readonly (readonly [string, () => ClusterResource[]])[] = [
  ['the sample set', () => generateClusterResources({ images: sampleImages(), meta: META })],
  ['the sample set, repository-scoped', () => generateClusterResources({ images: sampleImages(), meta: META, maxNestedPaths: 2 })],
  [
    'ports, IPs, localhost, deep paths, odd separators',
    () =>
      generateClusterResources({
        meta: { createdAt: '2025-03-01T12:00:00.123456789Z', version: '1.0.0-rc.1+build.5' },
        images: [
          { source: 'localhost:5000/a/b/c/d:1', destination: '10.0.0.5:5000/x/a/b/c/d:1', category: 'generic', byDigest: false },
          { source: `reg.example.com:8443/x__y/a.b-c@${digest('a')}`, destination: `mirror.internal/p/x__y/a.b-c:sha256-${'a'.repeat(64)}`, category: 'operator', byDigest: true },
          { source: 'UPPER.example.com/app:1', destination: 'mirror.internal/app:1', category: 'release', byDigest: false },
        ],
      }),
  ],
];

describe('generated resources against the OpenShift CRDs', () => {
  for (const [name, generate] of ALL_INPUTS) {
    it(`${name}: every object validates`, () => {
      const resources = generate();
      assert.ok(resources.length > 0, 'nothing generated; the check would pass vacuously');
      for (const resource of resources) {
        const label = `${resource.kind}/${resource.metadata.name}`;
        if (resource.kind !== 'ImageDigestMirrorSet' && resource.kind !== 'ImageTagMirrorSet') assert.fail(`${label}: only mirror sets are generated from images alone`);
        assert.deepEqual(crdErrors(resource, resource.kind), [], label);
        assert.ok(isDnsSubdomain(resource.metadata.name), `${label}: name is not a DNS-1123 subdomain`);
        assert.deepEqual(clusterResourceIssues(resource), [], label);
        const entries = 'imageDigestMirrors' in resource.spec ? resource.spec.imageDigestMirrors : resource.spec.imageTagMirrors;
        assert.ok(entries.length > 0, `${label} is empty`);
      }
    });
  }
});

describe('the validation is not vacuous: broken objects fail it', () => {
  type Broken = Record<string, unknown>;
  const spec = (entries: unknown): Broken => ({ ...json(idms()), spec: { imageDigestMirrors: entries } });
  const M = '/spec/imageDigestMirrors/0';
  const cases: readonly (readonly [string, () => Broken, RegExp])[] = [
    ['a mirror with an upper-case path', () => spec([{ source: 'quay.io/org', mirrors: ['registry.enclave:5000/Mirror/org'] }]), /\/mirrors\/0 must match pattern/],
    ['a mirror with a tag', () => spec([{ source: 'quay.io/org', mirrors: ['registry.enclave:5000/mirror/org:1.0'] }]), /\/mirrors\/0 must match pattern/],
    ['a source with a digest', () => spec([{ source: `quay.io/org/app@${digest('a')}`, mirrors: ['registry.enclave:5000/mirror/org/app'] }]), /\/source must match pattern/],
    ['a source with a scheme', () => spec([{ source: 'docker://quay.io/org', mirrors: ['registry.enclave:5000/mirror/org'] }]), /\/source must match pattern/],
    ['an IPv6 mirror', () => spec([{ source: 'quay.io/org', mirrors: ['[fd00::1]:5000/mirror/org'] }]), /\/mirrors\/0 must match pattern/],
    ['an entry without source', () => spec([{ mirrors: ['registry.enclave:5000/mirror/org'] }]), /must have required property 'source'/],
    ['the same mirror twice (x-kubernetes-list-type: set)', () => spec([{ source: 'quay.io/org', mirrors: ['r.example.com/m', 'r.example.com/m'] }]), /\/mirrors violates x-kubernetes-list-type/],
    ['mirrors that is not a list', () => spec([{ source: 'quay.io/org', mirrors: 'registry.enclave:5000/mirror/org' }]), /\/mirrors must be array/],
    ['an unknown mirrorSourcePolicy', () => spec([{ source: 'quay.io/org', mirrors: ['r.example.com/m'], mirrorSourcePolicy: 'Sometimes' }]), /\/mirrorSourcePolicy must be equal to one of the allowed values/],
    ['a misspelt field the server would prune', () => ({ ...json(idms()), spec: { imageDigestMirror: json(idms()).spec } }), /^\/spec must NOT have additional properties/],
    ['no spec', () => ({ apiVersion: 'config.openshift.io/v1', kind: 'ImageDigestMirrorSet', metadata: { name: 'x' } }), /must have required property 'spec'/],
    ['the wrong apiVersion', () => ({ ...json(idms()), apiVersion: 'config.openshift.io/v1alpha1' }), /^\/apiVersion is not/],
    ['the wrong kind', () => ({ ...json(idms()), kind: 'ImageTagMirrorSet' }), /^\/kind is not/],
  ];
  for (const [name, build, expected] of cases) {
    it(name, () => {
      const errors = crdErrors(build(), 'ImageDigestMirrorSet');
      assert.ok(errors.length > 0, 'validated although it is broken');
      assert.ok(
        errors.some((e) => expected.test(e.startsWith(M) ? e.slice(M.length) : e)),
        `failed, but not for the expected reason: ${errors.join('; ')}`,
      );
    });
  }

  it('an IDMS does not validate as an ITMS (their spec fields differ)', () => {
    assert.ok(crdErrors({ ...json(idms()), kind: 'ImageTagMirrorSet' }, 'ImageTagMirrorSet').length > 0);
  });

  it('the generator-side check catches the same breakage', () => {
    const good = idms();
    const broken = (entries: ImageDigestMirrorSet['spec']['imageDigestMirrors'], name = good.metadata.name): ImageDigestMirrorSet => ({
      ...good,
      metadata: { ...good.metadata, name },
      spec: { imageDigestMirrors: entries },
    });
    assert.ok(clusterResourceIssues(broken([{ source: 'quay.io/org', mirrors: ['r.example.com/Mirror'] }])).length > 0);
    assert.ok(clusterResourceIssues(broken([{ source: 'quay.io/org', mirrors: ['r.example.com/m', 'r.example.com/m'] }])).length > 0);
    assert.ok(clusterResourceIssues(broken([{ source: 'quay.io/org', mirrors: [] }])).length > 0);
    assert.ok(clusterResourceIssues(broken([])).length > 0);
    assert.ok(clusterResourceIssues(broken(good.spec.imageDigestMirrors, 'IDMS_Release')).length > 0);
    assert.ok(clusterResourceIssues({ ...good, apiVersion: 'v1' as never }).length > 0);
    assert.ok(clusterResourceIssues({ ...good, kind: 'Pod' as never }).length > 0);
    assert.ok(clusterResourceIssues({ ...good, metadata: { ...good.metadata, namespace: 'default' } }).length > 0);
  });
});

describe('the patterns the generator checks are the CRDs\' own', () => {
  for (const [kind, file] of Object.entries(CRD_FILES)) {
    it(kind, () => {
      const crd = parse(readFileSync(join(CRD_DIR, file), 'utf8')) as CrdShape;
      const items = crd.spec.versions.find((v) => v.name === 'v1')?.schema.openAPIV3Schema.properties.spec.properties;
      const list = items?.imageDigestMirrors ?? items?.imageTagMirrors;
      assert.ok(list, `${file}: no mirror list in the schema`);
      assert.equal(new RegExp(list.items.properties.source.pattern).source, SOURCE_PATTERN.source);
      assert.equal(new RegExp(list.items.properties.mirrors.items.pattern).source, MIRROR_PATTERN.source);
    });
  }
});

describe('DNS-1123 subdomain names', () => {
  const cases: readonly (readonly [string, boolean])[] = [
    ['idms-release-0', true],
    ['a', true],
    ['a.b-c.d', true],
    ['0abc', true],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
    ['', false],
    ['-a', false],
    ['a-', false],
    ['A', false],
    ['a_b', false],
    ['a..b', false],
  ];
  for (const [name, valid] of cases) {
    it(`${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}...(${name.length})` : name)} is ${valid ? '' : 'not '}valid`, () => {
      assert.equal(isDns1123Subdomain(name), valid);
      assert.equal(isDnsSubdomain(name), valid);
    });
  }
});
