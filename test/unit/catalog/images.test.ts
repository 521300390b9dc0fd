import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileBlockPattern } from '../../../src/config';
import { bundleCompleteness, describeOperatorImage, filterCatalog, operatorImages } from '../../../src/catalog';
import { formatReference } from '../../../src/reference';
import { bundleBlob, bundleImage, channelBlob, fakeDigest, packageBlob, SAMPLE_REGISTRY, SMALL_CATALOG } from '../../fixtures/catalogs';
import { handMade, modelOf, operatorCatalog } from './helpers';

const CATALOG = '- catalog: registry.redhat.io/redhat/redhat-operator-index:v4.15';

describe('operator images of a filtered catalog', () => {
  const result = filterCatalog(modelOf(SMALL_CATALOG), operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      minVersion: 6.0.0'));
  const images = operatorImages(result, { at: { file: 'isc.yaml', line: 5, column: 7 } });

  it('lists each bundle image and related image once, by digest or tag as the bundle names it', () => {
    const sources = images.images.map((i) => [formatReference(i.source), i.byDigest, i.bundleImage, i.bundles.map((b) => b.bundle)]);
    assert.deepEqual(sources, [
      [bundleImage('compliance-operator', 'co.v6.0.0'), true, true, ['co.v6.0.0']],
      [bundleImage('compliance-operator', 'co.v6.1.0'), true, true, ['co.v6.1.0']],
      [`${SAMPLE_REGISTRY}/compliance-operator/openscap:6.0.0`, false, false, ['co.v6.0.0']],
      [`${SAMPLE_REGISTRY}/compliance-operator/openscap:6.1.0`, false, false, ['co.v6.1.0']],
      [`${SAMPLE_REGISTRY}/compliance-operator/operator@${fakeDigest('compliance-operator/operator:6.0.0')}`, true, false, ['co.v6.0.0']],
      [`${SAMPLE_REGISTRY}/compliance-operator/operator@${fakeDigest('compliance-operator/operator:6.1.0')}`, true, false, ['co.v6.1.0']],
    ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)));
    for (const image of images.images) {
      assert.equal(image.origin, 'operator');
      assert.equal(image.catalog, 'registry.redhat.io/redhat/redhat-operator-index:v4.15');
      assert.deepEqual(image.at, { file: 'isc.yaml', line: 5, column: 7 });
    }
    const tagged = images.images.find((i) => i.source.tag === '6.0.0');
    assert.equal(tagged?.destination, 'compliance-operator/openscap:6.0.0');
    const digested = images.images.find((i) => i.source.repository === 'compliance-operator/bundle');
    assert.match(digested?.destination ?? '', /^compliance-operator\/bundle:sha256-[0-9a-f]{64}$/);
    assert.deepEqual(images.byBundle.get('compliance-operator/co.v6.1.0')?.length, 3);
  });

  it('names bundles and operators the way oc-mirror does in its error file', () => {
    assert.equal(
      describeOperatorImage([
        { package: 'b-op', bundle: 'b.v1' },
        { package: 'a-op', bundle: 'a.v2' },
        { package: 'a-op', bundle: 'a.v1' },
      ]),
      '(Operator bundles: [a.v1, a.v2, b.v1] - Operators: [a-op, b-op])',
    );
  });

  it('marks a bundle incomplete when one of its images failed, and withholds what only it needed', () => {
    const failed = new Set([`${SAMPLE_REGISTRY}/compliance-operator/openscap:6.1.0`]);
    const completeness = bundleCompleteness(images, failed);
    assert.deepEqual(completeness.incomplete, [{ package: 'compliance-operator', bundle: 'co.v6.1.0', failed: [`${SAMPLE_REGISTRY}/compliance-operator/openscap:6.1.0`] }]);
    assert.deepEqual(completeness.withhold, [
      bundleImage('compliance-operator', 'co.v6.1.0'),
      `${SAMPLE_REGISTRY}/compliance-operator/operator@${fakeDigest('compliance-operator/operator:6.1.0')}`,
    ]);
    assert.deepEqual(bundleCompleteness(images, new Set()), { incomplete: [], withhold: [] });
  });

  it('shares an image between bundles, and keeps it while one complete bundle needs it', () => {
    const shared = `${SAMPLE_REGISTRY}/p/shared@${fakeDigest('shared')}`;
    const model = modelOf([
      packageBlob('p', 'stable'),
      channelBlob('p', 'stable', [{ name: 'p.v1' }, { name: 'p.v2', replaces: 'p.v1' }]),
      bundleBlob({ pkg: 'p', name: 'p.v1', version: '1.0.0', related: [shared, `${SAMPLE_REGISTRY}/p/only-v1:1`] }),
      bundleBlob({ pkg: 'p', name: 'p.v2', version: '2.0.0', related: [shared, 'not a reference!', 'docker.io/library/busybox:1'] }),
    ]);
    const all = operatorImages(filterCatalog(model, handMade({ full: true, packages: [{ line: 1, column: 1, name: 'p', channels: [] }] })), {
      blocked: [{ line: 1, column: 1, name: 'docker.io/library/busybox', pattern: compileBlockPattern('docker.io/library/busybox') }],
    });
    assert.deepEqual(all.images.find((i) => formatReference(i.source) === shared)?.bundles.map((b) => b.bundle), ['p.v1', 'p.v2']);
    assert.deepEqual(all.invalid.map((i) => [i.reference, i.bundles.map((b) => b.bundle)]), [['not a reference!', ['p.v2']]]);
    assert.deepEqual(all.blocked.map((b) => [b.source, b.by]), [['docker.io/library/busybox:1', 'docker.io/library/busybox']]);
    const completeness = bundleCompleteness(all, new Set());
    // p.v2 has an invalid and a blocked image: incomplete; the shared image stays for p.v1.
    assert.deepEqual(completeness.incomplete.map((b) => [b.bundle, b.failed]), [['p.v2', ['docker.io/library/busybox:1', 'not a reference!']]]);
    assert.deepEqual(completeness.withhold, [bundleImage('p', 'p.v2')]);
  });
});
