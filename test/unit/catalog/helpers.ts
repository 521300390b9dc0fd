import assert from 'node:assert/strict';
import { parseConfig, type OperatorCatalog } from '../../../src/config';
import { CatalogBuilder, type FbcCatalog } from '../../../src/catalog';
import type { Blob } from '../../fixtures/catalogs';

/** The model of a list of blobs, as if they were one catalog file per package. */
export function modelOf(blobs: readonly Blob[]): FbcCatalog {
  const builder = new CatalogBuilder();
  const byPackage = new Map<string, Blob[]>();
  for (const blob of blobs) {
    const pkg = String(blob.schema === 'olm.package' ? blob.name : blob.package);
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), blob]);
  }
  for (const [pkg, list] of byPackage) {
    const sink = builder.file(0, `configs/${pkg}/catalog.json`);
    for (const value of list) sink.add({ value });
  }
  return builder.build('/configs');
}

/** The one operator catalog of an ImageSetConfiguration whose `mirror.operators` is `operatorsYaml`. */
export function operatorCatalog(...operatorsYaml: string[]): OperatorCatalog {
  const text = ['kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v2alpha1', 'mirror:', '  operators:', ...operatorsYaml.map((l) => `    ${l}`), ''].join('\n');
  const config = parseConfig(text, 'isc.yaml');
  const catalog = config.mirror.operators[0];
  assert.ok(catalog, 'no operator catalog in the configuration');
  return catalog;
}

/** The same catalog entry, built by hand: for combinations the configuration loader refuses. */
export function handMade(entry: Partial<OperatorCatalog> & Pick<OperatorCatalog, 'packages'>): OperatorCatalog {
  return {
    line: 5,
    column: 7,
    catalog: 'registry.redhat.io/redhat/redhat-operator-index:v4.15',
    source: { kind: 'registry', reference: { registry: 'registry.redhat.io', repository: 'redhat/redhat-operator-index', tag: 'v4.15' } },
    full: false,
    ...entry,
  };
}
