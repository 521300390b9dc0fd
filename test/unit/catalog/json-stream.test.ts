import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { decodeFbcFile, splitJsonValues, splitYamlDocuments } from '../../../src/catalog';

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of gen) out.push(v);
  return out;
}

/** The same bytes cut into chunks of `size`. */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isAirlockError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

const TRICKY = [
  { schema: 'olm.package', name: 'a', description: 'braces } { ] [ inside a string' },
  { schema: 'olm.bundle', name: 'b', text: 'quote \" and backslash \\ and \\\\" ends', nested: { list: [1, [2, { x: '}' }]] } },
  { schema: 'olm.channel', name: 'ünïcødé ✓', entries: [] },
  { schema: 'x', trailing: 'backslash at the end \\' },
];

describe('splitJsonValues', () => {
  const text = `\uFEFF${TRICKY.map((v, i) => JSON.stringify(v, null, i % 2 === 0 ? 2 : 0)).join('\n \t\r\n')}\n`;

  it('cuts concatenated objects at every possible chunk boundary', async () => {
    for (const size of [1, 2, 3, 5, 7, 13, 64, 4096]) {
      const values = (await collect(splitJsonValues(chunks(text, size), 'x.json'))).map((b) => JSON.parse(b.toString('utf8')) as unknown);
      assert.deepEqual(values, TRICKY, `chunk size ${size}`);
    }
  });

  it('keeps the exact bytes of each value', async () => {
    const raw = '{"a":  1}{ "b" :[ ] }';
    const values = (await collect(splitJsonValues(chunks(raw, 4), 'x.json'))).map((b) => b.toString());
    assert.deepEqual(values, ['{"a":  1}', '{ "b" :[ ] }']);
  });

  it('reads nothing from an empty or blank file', async () => {
    assert.deepEqual(await collect(splitJsonValues(chunks('', 3), 'x.json')), []);
    assert.deepEqual(await collect(splitJsonValues(chunks(' \n\t ', 3), 'x.json')), []);
  });

  it('refuses a scalar at the top level, a truncated value and a value above the size limit', async () => {
    await rejects(collect(splitJsonValues(chunks('{"a":1} 42', 3), 'x.json')), 'CATALOG_FBC_INVALID', /x\.json .*expected a JSON object, found "4" at byte 8/);
    await rejects(collect(splitJsonValues(chunks('{"a":{"b":1}', 3), 'x.json')), 'CATALOG_FBC_INVALID', /ends in the middle of a JSON value/);
    await rejects(collect(splitJsonValues(chunks('{"a":"unterminated}', 3), 'x.json')), 'CATALOG_FBC_INVALID', /ends in the middle/);
    await rejects(collect(splitJsonValues(chunks(`{"a":"${'x'.repeat(100)}"}`, 7), 'x.json', 50)), 'CATALOG_FBC_INVALID', /larger than 50 bytes/);
  });

  it('keeps memory bounded: only the value being read is buffered', async () => {
    const big = { schema: 'olm.bundle', name: 'big', blob: 'A'.repeat(5_000_000) };
    async function* many(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 40; i++) yield* chunks(JSON.stringify({ ...big, name: `b${i}` }), 65536);
    }
    let count = 0;
    for await (const value of splitJsonValues(many(), 'big.json')) {
      assert.ok(value.length < 5_100_000);
      count++;
    }
    assert.equal(count, 40);
  });
});

describe('splitYamlDocuments', () => {
  it('splits on --- lines and ... ends, at any chunk size, skipping empty documents', async () => {
    const text = '---\nschema: olm.package\nname: a\n---\n# only a comment\n---\nschema: olm.channel\nentries:\n  - name: x\n...\n---\r\nschema: olm.bundle\r\nname: "--- not a marker"\r\n';
    for (const size of [1, 4, 9, 1000]) {
      const docs = await collect(splitYamlDocuments(chunks(text, size), 'x.yaml'));
      assert.equal(docs.length, 4, `chunk size ${size}: ${JSON.stringify(docs)}`);
      assert.equal(docs[3], 'schema: olm.bundle\nname: "--- not a marker"');
    }
  });

  it('decodes YAML and JSON files into the same blobs', async () => {
    const yaml = '---\nschema: olm.package\nname: a\ndefaultChannel: stable\n---\nschema: olm.channel\npackage: a\nname: stable\nentries:\n- name: a.v1\n';
    const json = '{"schema":"olm.package","name":"a","defaultChannel":"stable"}\n{"schema":"olm.channel","package":"a","name":"stable","entries":[{"name":"a.v1"}]}';
    const fromYaml = (await collect(decodeFbcFile(chunks(yaml, 5), 'a.yaml', 'yaml'))).map((b) => b.value);
    const fromJson = (await collect(decodeFbcFile(chunks(json, 5), 'a.json', 'json'))).map((b) => b.value);
    assert.deepEqual(fromYaml, fromJson);
  });

  it('refuses a document that is not a mapping, and JSON that does not parse', async () => {
    await rejects(collect(decodeFbcFile(chunks('---\n- a\n- b\n', 3), 'a.yaml', 'yaml')), 'CATALOG_FBC_INVALID', /a\.yaml .*YAML document 1 is not a mapping/);
    await rejects(collect(decodeFbcFile(chunks('{"a": nope}', 3), 'a.json', 'json')), 'CATALOG_FBC_INVALID', /value 1 is not JSON/);
    await rejects(collect(decodeFbcFile(chunks('[1,2]', 3), 'a.json', 'json')), 'CATALOG_FBC_INVALID', /value 1 is not a JSON object/);
  });
});
