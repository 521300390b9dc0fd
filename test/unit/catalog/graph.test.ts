import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelHead, channelHeads, channelProblem, inVersionRange, parseVersion, type ChannelEntry } from '../../../src/catalog';

const v = (text: string): ReturnType<typeof parseVersion> => parseVersion(text);
const versions = (map: Record<string, string>) => (name: string) => parseVersion(map[name]);

describe('channel graphs', () => {
  it('the head is the entry nothing replaces or skips', () => {
    const entries: ChannelEntry[] = [{ name: 'a' }, { name: 'b', replaces: 'a' }, { name: 'c', replaces: 'b', skips: ['x'] }, { name: 'x', replaces: 'a' }];
    assert.deepEqual(channelHeads(entries), ['c']);
    assert.equal(channelProblem(entries), undefined);
  });

  it('a skipRange settles between two heads, as OLM would upgrade through it', () => {
    const entries: ChannelEntry[] = [{ name: 'a' }, { name: 'b', skipRange: '>=1.0.0 <2.0.0' }];
    assert.deepEqual(channelHeads(entries), ['a', 'b']);
    assert.deepEqual(channelHead(entries, versions({ a: '1.5.0', b: '2.0.0' })), { head: 'b' });
    // A range that does not contain the other candidate settles nothing.
    assert.deepEqual(channelHead(entries, versions({ a: '2.5.0', b: '2.0.0' })), { heads: ['a', 'b'] });
    // opm does not follow skipRange: as a channel of its own this still has two heads.
    assert.equal(channelProblem(entries)?.code, 'CATALOG_CHANNEL_MULTIPLE_HEADS');
  });

  it('reports what opm refuses: several heads, cycles, stranded entries, duplicates', () => {
    const cases: ReadonlyArray<readonly [string, ChannelEntry[], string, RegExp]> = [
      ['two branches', [{ name: 'a' }, { name: 'b', replaces: 'a' }, { name: 'c', replaces: 'a' }], 'CATALOG_CHANNEL_MULTIPLE_HEADS', /several heads: b, c/],
      ['a cycle', [{ name: 'a', replaces: 'b' }, { name: 'b', replaces: 'a' }], 'CATALOG_CHANNEL_INVALID', /no head/],
      ['a cycle below the head', [{ name: 'h', replaces: 'a' }, { name: 'a', replaces: 'b' }, { name: 'b', replaces: 'a' }], 'CATALOG_CHANNEL_INVALID', /cycle in its replaces chain: h -> a -> b -> a/],
      ['a stranded entry', [{ name: 'h', replaces: 'a', skips: ['s'] }, { name: 'a' }, { name: 's', replaces: 't' }, { name: 't' }], 'CATALOG_CHANNEL_INVALID', /stranded\): t/],
      ['a duplicate', [{ name: 'a' }, { name: 'a' }], 'CATALOG_CHANNEL_INVALID', /lists a twice/],
      ['empty', [], 'CATALOG_CHANNEL_EMPTY', /no entries/],
    ];
    for (const [name, entries, code, message] of cases) {
      const problem = channelProblem(entries);
      assert.equal(problem?.code, code, name);
      assert.match(problem?.message ?? '', message, name);
    }
    // The tail may replace an entry that is not in the channel (a filtered channel always does).
    assert.equal(channelProblem([{ name: 'b', replaces: 'gone' }, { name: 'c', replaces: 'b' }]), undefined);
  });

  it('version ranges are inclusive and order pre-releases as semver does', () => {
    const min = v('5.6.0');
    const max = v('6.0.0');
    for (const [version, inside] of [
      ['5.6.0', true],
      ['6.0.0', true],
      ['5.9.9', true],
      ['5.6.0-1', false],
      ['6.0.0-rc.1', true],
      ['6.0.1', false],
      ['v5.7.0', true],
    ] as const) {
      const parsed = v(version);
      assert.ok(parsed, version);
      assert.equal(inVersionRange(parsed, min, max), inside, version);
    }
    assert.equal(v('not-a-version'), undefined);
  });
});
