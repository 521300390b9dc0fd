import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogImageNames, catalogResourceInputs, parseCatalogRecords, type OperatorCatalogRecord } from '../../../src/catalog';
import { isAirlockError } from '../../../src/errors';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const TEMPLATE = 'apiVersion: operators.coreos.com/v1alpha1\nkind: CatalogSource\nmetadata:\n  name: x\nspec:\n  updateStrategy:\n    registryPoll:\n      interval: 30m0s\n';
const RECORD: OperatorCatalogRecord = {
  catalog: 'registry.redhat.io/redhat/redhat-operator-index:v4.19',
  name: 'redhat/redhat-operator-index:v4.19',
  digest: DIGEST,
  rebuilt: true,
  catalogSourceTemplate: { file: '/tmp/cs.yaml', text: TEMPLATE },
  incompleteBundles: ['cluster-logging/cl.v5.8.1'],
};

describe('operator catalog records in transfer.json', () => {
  it('round-trip through JSON and the strict reader', () => {
    assert.deepEqual(parseCatalogRecords(JSON.parse(JSON.stringify([RECORD])), 'transfer.json'), [RECORD]);
    assert.deepEqual(parseCatalogRecords([{ ...RECORD, catalogSourceTemplate: undefined, incompleteBundles: undefined }].map((r) => JSON.parse(JSON.stringify(r)) as unknown), 'transfer.json'), [
      { catalog: RECORD.catalog, name: RECORD.name, digest: DIGEST, rebuilt: true },
    ]);
  });

  it('refuse what an altered set could carry', () => {
    const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
      [{}, /operatorCatalogs is not a list/],
      [[{ ...RECORD, extra: 1 }], /unknown field "extra"/],
      [[{ ...RECORD, digest: 'sha256:nope' }], /digest is not a sha256 digest/],
      [[{ ...RECORD, rebuilt: 'yes' }], /rebuilt is not a boolean/],
      [[{ ...RECORD, name: 'a b' }], /name is not an image name/],
      [[{ ...RECORD, catalogSourceTemplate: { file: 'x', text: 'y'.repeat(70_000) } }], /larger than/],
      [[{ ...RECORD, incompleteBundles: ['no-slash'] }], /package\/bundle/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseCatalogRecords(value, 'transfer.json'), (err: unknown) => isAirlockError(err, 'CATALOG_RECORD_INVALID') && message.test(err.message), String(message));
    }
  });

  it('give the CatalogSource inputs of the catalogs that were pushed, with their template', () => {
    const inputs = catalogResourceInputs([RECORD, { ...RECORD, name: 'other/index:v1' }], [{ name: RECORD.name, digest: DIGEST, reference: 'enclave:5000/mirror/redhat/redhat-operator-index:v4.19' }]);
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0]?.image, 'enclave:5000/mirror/redhat/redhat-operator-index:v4.19');
    assert.deepEqual(inputs[0]?.template?.spec, { updateStrategy: { registryPoll: { interval: '30m0s' } } });
    assert.deepEqual([...catalogImageNames([RECORD])], [RECORD.name]);
  });
});
