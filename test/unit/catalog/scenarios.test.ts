import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/config';
import { CatalogFilterError, filterCatalog, keptBundleNames, type FilterResult } from '../../../src/catalog';
import { SMALL_CATALOG } from '../../fixtures/catalogs';
import { handMade, modelOf, operatorCatalog } from './helpers';

// Table 5.2 of the OpenShift 4.19 manual (section 5.11), one test per scenario, against the small
// hand-written catalog of test/fixtures/catalogs.ts (its channel graphs are drawn there).

const CATALOG = '- catalog: registry.redhat.io/redhat/redhat-operator-index:v4.15';
const model = modelOf(SMALL_CATALOG);

function channels(result: FilterResult, pkg: string): Record<string, { head: string; entries: string[] }> {
  const p = result.packages.find((x) => x.name === pkg);
  assert.ok(p, `package ${pkg} is not in the result`);
  return Object.fromEntries(p.channels.map((c) => [c.name, { head: c.head, entries: c.entries.map((e) => e.name) }]));
}

function filterError(fn: () => unknown): CatalogFilterError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CatalogFilterError, `expected a CatalogFilterError, got ${String(err)}`);
    return err;
  }
  assert.fail('the filter accepted it');
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('the configuration was accepted');
}

describe('table 5.2: which bundles a catalog filter selects', () => {
  it('scenario 1: no packages: the head of every channel of every package', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG));
    assert.deepEqual(keptBundleNames(result), ['cl.v5.8.1', 'co.v5.5.2', 'co.v6.1.0', 'es.v0.2.0', 'es.v5.8.1', 'fio.v1.2.0']);
    assert.deepEqual(channels(result, 'compliance-operator'), {
      stable: { head: 'co.v6.1.0', entries: ['co.v6.1.0'] },
      'stable-5.5': { head: 'co.v5.5.2', entries: ['co.v5.5.2'] },
    });
    assert.equal(result.rebuild, true);
  });

  it('scenario 2: full: true: every bundle of every channel, and the catalog is not rebuilt', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  full: true'));
    assert.deepEqual(keptBundleNames(result), [
      'cl.v5.8.0', 'cl.v5.8.1',
      'co.v5.5.0', 'co.v5.5.1', 'co.v5.5.2', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'co.v6.1.0',
      'es.v0.1.0', 'es.v0.2.0', 'es.v5.8.0', 'es.v5.8.1',
      'fio.v1.0.0', 'fio.v1.0.1', 'fio.v1.1.0', 'fio.v1.2.0',
    ]);
    assert.equal(result.rebuild, false);
    assert.deepEqual(result.dependencyWarnings, []);
  });

  it('scenario 3: a package: the head of each of its channels', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.5.2', 'co.v6.1.0']);
    assert.deepEqual(result.packages.map((p) => p.name), ['compliance-operator']);
    assert.equal(result.packages[0]?.defaultChannel, 'stable');
  });

  it('scenario 4: full: true with a package: every bundle of every channel of that package', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  full: true', '  packages:', '    - name: elasticsearch-operator'));
    assert.deepEqual(keptBundleNames(result), ['es.v0.1.0', 'es.v0.2.0', 'es.v5.8.0', 'es.v5.8.1']);
    assert.equal(result.rebuild, true);
  });

  it('scenario 5: package minVersion: every bundle from minVersion up to the head, in every channel', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      minVersion: 5.6.0'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'co.v6.1.0']);
    // stable-5.5 has nothing at or above 5.6.0: the channel is dropped; the default channel stays.
    assert.deepEqual(channels(result, 'compliance-operator'), {
      stable: { head: 'co.v6.1.0', entries: ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'co.v6.1.0'] },
    });
  });

  it('scenario 6: package maxVersion: every bundle up to maxVersion, in every channel', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      maxVersion: 6.0.0'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.5.0', 'co.v5.5.1', 'co.v5.5.2', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0']);
    assert.deepEqual(channels(result, 'compliance-operator'), {
      stable: { head: 'co.v6.0.0', entries: ['co.v5.5.0', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0'] },
      'stable-5.5': { head: 'co.v5.5.2', entries: ['co.v5.5.0', 'co.v5.5.1', 'co.v5.5.2'] },
    });
  });

  it('scenario 7: package minVersion and maxVersion: the bundles in between; the channel head is not added', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      minVersion: 5.6.0', '      maxVersion: 6.0.0'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0']);
    assert.deepEqual(channels(result, 'compliance-operator'), { stable: { head: 'co.v6.0.0', entries: ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0'] } });
  });

  it('scenario 8: a channel: its head; another than the default channel needs defaultChannel', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable'));
    assert.deepEqual(keptBundleNames(result), ['co.v6.1.0']);

    const without = filterError(() => filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable-5.5')));
    assert.equal(without.code, 'CATALOG_DEFAULT_CHANNEL_REQUIRED');
    assert.match(without.message, /compliance-operator.*default channel stable.*defaultChannel/);
    assert.equal(without.context.line, 7);

    const withDefault = filterCatalog(
      model,
      operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      defaultChannel: stable-5.5', '      channels:', '        - name: stable-5.5'),
    );
    assert.deepEqual(keptBundleNames(withDefault), ['co.v5.5.2']);
    assert.equal(withDefault.packages[0]?.defaultChannel, 'stable-5.5');
  });

  it('scenario 9: full: true with a package and channel: every bundle of that channel (defaultChannel when it is not the default)', () => {
    const yaml = [CATALOG, '  full: true', '  packages:', '    - name: elasticsearch-operator', '      channels:', "        - name: 'stable-v0'"];
    const without = filterError(() => filterCatalog(model, operatorCatalog(...yaml)));
    assert.equal(without.code, 'CATALOG_DEFAULT_CHANNEL_REQUIRED');

    const result = filterCatalog(model, operatorCatalog(...yaml.slice(0, 4), '      defaultChannel: stable-v0', ...yaml.slice(4)));
    assert.deepEqual(keptBundleNames(result), ['es.v0.1.0', 'es.v0.2.0']);
    assert.deepEqual(channels(result, 'elasticsearch-operator'), { 'stable-v0': { head: 'es.v0.2.0', entries: ['es.v0.1.0', 'es.v0.2.0'] } });
  });

  it('scenario 10: several channels: the head of each', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable', '        - name: stable-5.5'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.5.2', 'co.v6.1.0']);
  });

  it('scenario 11: channel minVersion: from minVersion up to the channel head', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable', '          minVersion: 5.6.0'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0', 'co.v6.1.0']);

    // Not the default channel: defaultChannel names it. co.v5.5.1 stays although co.v5.5.2 skips it.
    const other = filterCatalog(
      model,
      operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      defaultChannel: stable-5.5', '      channels:', '        - name: stable-5.5', '          minVersion: 5.5.1'),
    );
    assert.deepEqual(keptBundleNames(other), ['co.v5.5.1', 'co.v5.5.2']);
  });

  it('scenario 12: channel maxVersion: everything up to maxVersion, head not added; a cut into several heads is an error', () => {
    const result = filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable', '          maxVersion: 6.0.0'));
    assert.deepEqual(keptBundleNames(result), ['co.v5.5.0', 'co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0']);

    const cut = filterError(() =>
      filterCatalog(model, operatorCatalog(CATALOG, '  packages:', '    - name: file-integrity-operator', '      channels:', '        - name: stable', '          maxVersion: 1.1.0')),
    );
    assert.equal(cut.code, 'CATALOG_CHANNEL_MULTIPLE_HEADS');
    assert.match(cut.message, /package file-integrity-operator, channel stable after filtering to up to 1\.1\.0 has several heads: fio\.v1\.0\.1, fio\.v1\.1\.0/);
    assert.equal(cut.context.package, 'file-integrity-operator');
    assert.equal(cut.context.channel, 'stable');
    assert.match(cut.hint ?? '', /raise maxVersion or lower minVersion/);
  });

  it('scenario 13: channel minVersion and maxVersion: the versions in between, head not added', () => {
    const result = filterCatalog(
      model,
      operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable', '          minVersion: 5.6.0', '          maxVersion: 6.0.0'),
    );
    assert.deepEqual(keptBundleNames(result), ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0']);
    assert.deepEqual(channels(result, 'compliance-operator'), { stable: { head: 'co.v6.0.0', entries: ['co.v5.6.0', 'co.v5.6.1', 'co.v6.0.0'] } });

    const cut = filterError(() =>
      filterCatalog(
        model,
        operatorCatalog(CATALOG, '  packages:', '    - name: file-integrity-operator', '      channels:', '        - name: stable', '          minVersion: 1.0.0', '          maxVersion: 1.1.0'),
      ),
    );
    assert.equal(cut.code, 'CATALOG_CHANNEL_MULTIPLE_HEADS');
  });

  it('scenario 14: channels together with package minVersion/maxVersion are refused', () => {
    const err = configError(() =>
      operatorCatalog(CATALOG, '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable', '      minVersion: 5.6.0', '      maxVersion: 6.0.0'),
    );
    assert.match(err.message, /minVersion: cannot be combined with channels/);
    const refused = filterError(() =>
      filterCatalog(
        model,
        handMade({ packages: [{ line: 7, column: 9, name: 'compliance-operator', minVersion: '5.6.0', maxVersion: '6.0.0', channels: [{ line: 9, column: 13, name: 'stable' }] }] }),
      ),
    );
    assert.equal(refused.code, 'CATALOG_FILTER_CONFLICT');
    assert.match(refused.message, /filtering by channel and by package minVersion\/maxVersion is not allowed .*scenario 14/);
  });

  it('scenario 15: full: true with package minVersion/maxVersion is refused', () => {
    const err = configError(() => operatorCatalog(CATALOG, '  full: true', '  packages:', '    - name: compliance-operator', '      minVersion: 5.6.0', '      maxVersion: 6.0.0'));
    assert.match(err.message, /cannot be combined with full: true/);
    const refused = filterError(() =>
      filterCatalog(model, handMade({ full: true, packages: [{ line: 7, column: 9, name: 'compliance-operator', minVersion: '5.6.0', maxVersion: '6.0.0', channels: [] }] })),
    );
    assert.equal(refused.code, 'CATALOG_FILTER_CONFLICT');
    assert.match(refused.message, /full: true cannot be combined with minVersion\/maxVersion .*scenario 15/);
  });

  it('scenario 16: full: true with channel minVersion/maxVersion is refused', () => {
    const err = configError(() =>
      operatorCatalog(CATALOG, '  full: true', '  packages:', '    - name: compliance-operator', '      channels:', '        - name: stable', '          minVersion: 5.6.0', '          maxVersion: 6.0.0'),
    );
    assert.match(err.message, /cannot be combined with full: true/);
    const refused = filterError(() =>
      filterCatalog(
        model,
        handMade({ full: true, packages: [{ line: 7, column: 9, name: 'compliance-operator', channels: [{ line: 9, column: 13, name: 'stable', minVersion: '5.6.0', maxVersion: '6.0.0' }] }] }),
      ),
    );
    assert.equal(refused.code, 'CATALOG_FILTER_CONFLICT');
    assert.match(refused.message, /channel stable: full: true cannot be combined with minVersion\/maxVersion .*scenario 16/);
    assert.equal(refused.context.line, 9);
  });
});
