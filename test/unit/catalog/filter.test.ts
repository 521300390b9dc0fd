import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CatalogFilterError, filterCatalog, keptBundleNames, summarizeCatalog, withoutBundles } from '../../../src/catalog';
import { bundleBlob, channelBlob, packageBlob, SMALL_CATALOG } from '../../fixtures/catalogs';
import { handMade, modelOf, operatorCatalog } from './helpers';

const CATALOG = '- catalog: registry.redhat.io/redhat/redhat-operator-index:v4.15';
const model = modelOf(SMALL_CATALOG);

function refused(fn: () => unknown): CatalogFilterError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CatalogFilterError, String(err));
    return err;
  }
  assert.fail('accepted');
}

describe('filter: dependencies are not added, but reported', () => {
  it('warns about a required package and API the filter left out, naming who provides them', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: cluster-logging'));
    assert.deepEqual(keptBundleNames(result), ['cl.v5.8.1']);
    assert.deepEqual(
      result.dependencyWarnings.map((w) => [w.package, w.bundles, w.requirement.kind, w.providers]),
      [
        ['cluster-logging', ['cl.v5.8.1'], 'gvk', ['elasticsearch-operator']],
        ['cluster-logging', ['cl.v5.8.1'], 'package', ['elasticsearch-operator']],
      ],
    );
    assert.match(result.dependencyWarnings[1]?.message ?? '', /cluster-logging \(cl\.v5\.8\.1\) requires package elasticsearch-operator >=5\.8\.0, .*add package elasticsearch-operator/);
    assert.match(result.dependencyWarnings[0]?.message ?? '', /requires API Elasticsearch\.v1\.logging\.openshift\.io/);
  });

  it('is quiet when the kept bundles satisfy each other; checks the required version range', () => {
    const both = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: cluster-logging', '    - name: elasticsearch-operator'));
    assert.deepEqual(both.dependencyWarnings, []);
    const tooOld = filterCatalog(
      model,
      operatorCatalog(CATALOG, '  packages:', '    - name: cluster-logging', '    - name: elasticsearch-operator', '      defaultChannel: stable-v0', '      channels:', '        - name: stable-v0'),
    );
    assert.deepEqual(tooOld.dependencyWarnings.map((w) => w.requirement.kind), ['package']);
  });
});

describe('filter: what it refuses', () => {
  it('a package the catalog does not have, with a suggestion; a channel the package does not have', () => {
    const err = refused(() => filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operatr', '    - name: cluster-logging', '      channels:', '        - name: beta')));
    assert.equal(err.code, 'CATALOG_PACKAGE_NOT_FOUND');
    assert.deepEqual(err.problems.map((p) => [p.code, p.line]), [
      ['CATALOG_PACKAGE_NOT_FOUND', 7],
      ['CATALOG_CHANNEL_NOT_FOUND', 10],
    ]);
    assert.match(err.message, /package compliance-operatr is not in the catalog \(did you mean compliance-operator\?\)/);
    assert.match(err.message, /package cluster-logging has no channel beta \(it has stable\)/);
    assert.equal(err.toJSON().problems.length, 2);
  });

  it('a range that selects nothing, and a default channel a range empties', () => {
    const empty = refused(() => filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      minVersion: 9.0.0')));
    assert.equal(empty.code, 'CATALOG_PACKAGE_EMPTY');
    assert.match(empty.message, /no bundle of channels stable, stable-5\.5 is in the range/);

    const lostDefault = refused(() => filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: elasticsearch-operator', '      maxVersion: 0.2.0')));
    assert.equal(lostDefault.code, 'CATALOG_DEFAULT_CHANNEL_REQUIRED');
    assert.match(lostDefault.hint ?? '', /defaultChannel: stable-v0/);
    const fixed = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: elasticsearch-operator', '      defaultChannel: stable-v0', '      maxVersion: 0.2.0'));
    assert.deepEqual(keptBundleNames(fixed), ['es.v0.1.0', 'es.v0.2.0']);

    const wrongDefault = refused(() => filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      defaultChannel: stable-5.5', '      minVersion: 5.6.0')));
    assert.equal(wrongDefault.code, 'CATALOG_DEFAULT_CHANNEL_INVALID');
  });

  it('bundles without a semver version are left out of ranges, with a note', () => {
    const odd = modelOf([
      packageBlob('odd', 'stable'),
      channelBlob('odd', 'stable', [{ name: 'odd.a' }, { name: 'odd.b', replaces: 'odd.a' }]),
      bundleBlob({ pkg: 'odd', name: 'odd.a', version: 'latest' }),
      bundleBlob({ pkg: 'odd', name: 'odd.b', version: '1.0.0' }),
    ]);
    const result = filterCatalog(odd, handMade({ packages: [{ line: 1, column: 1, name: 'odd', minVersion: '0.1.0', channels: [] }] }));
    assert.deepEqual(keptBundleNames(result), ['odd.b']);
    assert.match(result.notes.join('\n'), /odd\.a of odd\/stable has no semver version/);
  });
});

describe('withoutBundles: a bundle travels whole or not at all', () => {
  it('removes bundles, keeps channels that stay valid, drops the rest and says so', () => {
    const six = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      maxVersion: 6.0.0', '    - name: cluster-logging'));
    const fine = withoutBundles(six, new Set(['compliance-operator/co.v5.5.0']));
    assert.deepEqual(keptBundleNames(fine.result), ['cl.v5.8.1', 'co.v5.5.1', 'co.v5.5.2', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0']);
    assert.deepEqual(fine.dropped, []);

    const broken = withoutBundles(six, new Set(['compliance-operator/co.v5.6.0']));
    assert.deepEqual(keptBundleNames(broken.result), ['cl.v5.8.1']);
    assert.deepEqual(broken.dropped, [
      'channel compliance-operator/stable: without its incomplete bundles it has several heads: co.v5.5.0, co.v6.0.0',
      'package compliance-operator: its default channel stable is left once its incomplete bundles are removed',
    ]);
    assert.equal(withoutBundles(six, new Set()).result, six);
  });
});

describe('catalog summary for the export form', () => {
  it('lists packages, default channels, heads and version spans', () => {
    const summary = summarizeCatalog(model);
    assert.deepEqual(summary.map((p) => p.name), ['cluster-logging', 'compliance-operator', 'elasticsearch-operator', 'file-integrity-operator']);
    assert.deepEqual(summary.find((p) => p.name === 'compliance-operator'), {
      name: 'compliance-operator',
      defaultChannel: 'stable',
      bundles: 7,
      channels: [
        { name: 'stable', head: 'co.v6.1.0', headVersion: '6.1.0', bundles: 5, minVersion: '5.5.0', maxVersion: '6.1.0' },
        { name: 'stable-5.5', head: 'co.v5.5.2', headVersion: '5.5.2', bundles: 3, minVersion: '5.5.0', maxVersion: '5.5.2' },
      ],
    });
  });
});
