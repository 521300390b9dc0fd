import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { parseBootImagesKubeVirt, parseImageReferences, releaseWantedImages, type ReleaseRef } from '../../../src/releases/payload';
import { channelOffer } from '../../../src/releases/select';
import { parseUpdateGraph } from '../../../src/releases/graph';
import { bootImagesYaml, imageReferencesJson } from '../../fixtures/release-images';
import { graphDocument } from '../../fixtures/update-graph';

const D = (c: string): string => `sha256:${c.repeat(64)}`;
const ART = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';
const RELEASE: ReleaseRef = { version: '4.19.0', arch: 'amd64', payload: `quay.io/openshift-release-dev/ocp-release@${D('f')}` };

describe('parseImageReferences', () => {
  it('reads every spec.tags[] component by digest (JSON, as oc adm release new writes it)', () => {
    const m = parseImageReferences(imageReferencesJson('4.19.0', [{ name: 'cli', reference: `${ART}@${D('a')}` }, { name: 'etcd', reference: `${ART}@${D('b')}` }]), RELEASE);
    assert.equal(m.name, '4.19.0');
    assert.deepEqual(m.components.map((c) => [c.name, c.reference.digest]), [['cli', D('a')], ['etcd', D('b')]]);
  });

  it('reads YAML too', () => {
    const yaml = `kind: ImageStream\nmetadata:\n  name: 4.19.0\nspec:\n  tags:\n  - name: cli\n    from:\n      kind: DockerImage\n      name: ${ART}@${D('a')}\n`;
    assert.equal(parseImageReferences(yaml, RELEASE).components[0]?.name, 'cli');
  });

  const tag = (name: string, from: unknown): string => JSON.stringify({ kind: 'ImageStream', metadata: { name: '4.19.0' }, spec: { tags: [{ name, from }] } });
  const broken: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['not YAML', '{', /neither JSON nor YAML/],
    ['another kind', JSON.stringify({ kind: 'ConfigMap' }), /not an ImageStream/],
    ['no tags', JSON.stringify({ kind: 'ImageStream', spec: {} }), /no spec\.tags/],
    ['no components', JSON.stringify({ kind: 'ImageStream', spec: { tags: [] } }), /no component/],
    ['a component by tag', tag('cli', { kind: 'DockerImage', name: `${ART}:latest` }), /not named by sha256 digest/],
    ['a component from an ImageStreamTag', tag('cli', { kind: 'ImageStreamTag', name: 'x:y' }), /not a DockerImage/],
    ['a component without from', tag('cli', undefined), /no from\.name/],
    ['a name that is no tag', tag('-cli', { kind: 'DockerImage', name: `${ART}@${D('a')}` }), /not a valid tag/],
    ['an unparseable image', tag('cli', { kind: 'DockerImage', name: 'UPPER/Case@sha256:1' }), /not an image reference/],
  ];
  for (const [name, text, expected] of broken) {
    it(`refuses ${name}, naming the release`, () => {
      assert.throws(() => parseImageReferences(text, RELEASE), (err: unknown) => isAirlockError(err, 'RELEASE_PAYLOAD_INVALID') && expected.test(err.message) && err.message.includes('release 4.19.0 (amd64'));
    });
  }

  it('refuses a component listed twice', () => {
    const text = imageReferencesJson('4.19.0', [{ name: 'cli', reference: `${ART}@${D('a')}` }, { name: 'cli', reference: `${ART}@${D('b')}` }]);
    assert.throws(() => parseImageReferences(text, RELEASE), (err: unknown) => isAirlockError(err, 'RELEASE_PAYLOAD_INVALID') && /twice/.test(err.message));
  });
});

describe('KubeVirt container in the coreos-bootimages ConfigMap', () => {
  const yaml = bootImagesYaml('4.19.0', { x86_64: `${ART}@${D('c')}`, aarch64: `${ART}@${D('d')}` });
  it('per CoreOS architecture', () => {
    assert.equal(parseBootImagesKubeVirt(yaml, 'x86_64'), `${ART}@${D('c')}`);
    assert.equal(parseBootImagesKubeVirt(yaml, 'aarch64'), `${ART}@${D('d')}`);
    assert.equal(parseBootImagesKubeVirt(yaml, 's390x'), undefined);
    assert.equal(parseBootImagesKubeVirt('data: {}', 'x86_64'), undefined);
    assert.equal(parseBootImagesKubeVirt('data:\n  stream: "{not json"', 'x86_64'), undefined);
  });
});

describe('releaseWantedImages', () => {
  it('names destinations as oc-mirror, origin release, by digest', () => {
    const images = releaseWantedImages({ ...RELEASE, arch: 'arm64' }, { name: '4.19.0', components: [{ name: 'etcd', reference: { registry: 'quay.io', repository: 'openshift-release-dev/ocp-v4.0-art-dev', digest: D('a') } }] });
    assert.deepEqual(images.map((i) => [i.kind, i.destination, i.origin, i.byDigest]), [
      ['payload', 'openshift/release-images:4.19.0-aarch64', 'release', true],
      ['component', 'openshift/release:4.19.0-aarch64-etcd', 'release', true],
    ]);
  });

  it('refuses a component whose tag would exceed 128 characters', () => {
    const name = 'x'.repeat(120);
    assert.throws(
      () => releaseWantedImages(RELEASE, { name: '4.19.0', components: [{ name, reference: { registry: 'quay.io', repository: 'a/b', digest: D('a') } }] }),
      (err: unknown) => isAirlockError(err, 'RELEASE_PAYLOAD_INVALID') && /128/.test(err.message),
    );
  });
});

describe('channelOffer', () => {
  it('lists a channel\'s releases in semver order with its head, for the release-channel picker', () => {
    const g = parseUpdateGraph(graphDocument({ nodes: ['4.19.10', '4.19.9', '4.19.0-rc.1'] }, 'amd64'), { channel: 'fast-4.19', arch: 'amd64', type: 'ocp' });
    assert.deepEqual(channelOffer(g), { channel: 'fast-4.19', arch: 'amd64', versions: ['4.19.0-rc.1', '4.19.9', '4.19.10'], head: '4.19.10' });
  });
});
