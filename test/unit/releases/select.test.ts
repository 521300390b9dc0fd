import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Architecture } from '../../../src/config/types';
import { isAirlockError } from '../../../src/errors';
import { parseUpdateGraph, type UpdateGraph } from '../../../src/releases/graph';
import { channelBounds, describeSelection, selectChannel, selectReleases, shortestUpdatePath, type ChannelRequest } from '../../../src/releases/select';
import { graphDocument, sampleChannels, type ChannelAnswer, type FixtureArch } from '../../fixtures/update-graph';

const SAMPLE = sampleChannels(['amd64', 'arm64', 'multi']);

function graph(name: string, arch: Architecture = 'amd64', channels: Record<string, ChannelAnswer> = SAMPLE): UpdateGraph {
  const answer = channels[name];
  assert.ok(answer?.kind === 'graph', `no fixture channel ${name}`);
  const fixture = answer.byArch[arch as FixtureArch];
  assert.ok(fixture, `no ${arch} graph for ${name}`);
  return parseUpdateGraph(graphDocument(fixture, arch, name), { channel: name, arch, type: 'ocp' });
}

function channel(name: string, settings: Partial<ChannelRequest> = {}): ChannelRequest {
  return { name, type: 'ocp', full: false, shortestPath: false, ...settings };
}

const select = (requests: readonly ChannelRequest[], arch: Architecture = 'amd64') => selectReleases(requests, (c) => graph(c.name, arch), arch);
const versions = (requests: readonly ChannelRequest[], arch: Architecture = 'amd64'): string[] => select(requests, arch).releases.map((r) => r.version);

describe('one channel: the rules of the table', () => {
  const cases: ReadonlyArray<readonly [string, Partial<ChannelRequest>, string, readonly string[]]> = [
    ['no min/max: the channel head', {}, 'head', ['4.18.5']],
    ['only minVersion: min..latest', { minVersion: '4.18.3' }, 'min-to-latest', ['4.18.3', '4.18.4', '4.18.5']],
    ['only maxVersion: first..max', { maxVersion: '4.18.2' }, 'first-to-max', ['4.18.0', '4.18.1', '4.18.2']],
    ['min and max: the full range', { minVersion: '4.18.1', maxVersion: '4.18.4' }, 'range', ['4.18.1', '4.18.2', '4.18.3', '4.18.4']],
    ['full: true: the whole channel', { full: true }, 'full', ['4.18.0', '4.18.1', '4.18.2', '4.18.3', '4.18.4', '4.18.5']],
    ['full: true with minVersion: min..latest', { full: true, minVersion: '4.18.4' }, 'min-to-latest', ['4.18.4', '4.18.5']],
    ['full: true with both: the range wins', { full: true, minVersion: '4.18.1', maxVersion: '4.18.2' }, 'range', ['4.18.1', '4.18.2']],
    ['bounds that are not releases still bound a range', { minVersion: '4.17.9', maxVersion: '4.18.1' }, 'range', ['4.18.0', '4.18.1']],
    ['min = max: exactly one', { minVersion: '4.18.2', maxVersion: '4.18.2' }, 'range', ['4.18.2']],
    ['shortestPath over the whole channel', { full: true, shortestPath: true }, 'full', ['4.18.0', '4.18.3', '4.18.5']],
    ['shortestPath min..max', { minVersion: '4.18.1', maxVersion: '4.18.5', shortestPath: true }, 'range', ['4.18.1', '4.18.4', '4.18.5']],
    ['shortestPath with only the head', { shortestPath: true }, 'head', ['4.18.5']],
  ];
  for (const [name, settings, rule, expected] of cases) {
    it(name, () => {
      const c = channel('stable-4.18', settings);
      const selection = selectChannel(graph('stable-4.18'), c);
      assert.equal(selection.rule, rule);
      assert.deepEqual(selection.versions, expected);
      const selected = select([c]);
      assert.deepEqual(selected.releases.map((r) => r.version), expected);
      const why = settings.shortestPath ? 'shortest-path' : rule;
      for (const r of selected.releases) assert.deepEqual(r.reasons, [{ rule: why, channel: 'stable-4.18' }]);
      assert.deepEqual(selected.warnings, []);
    });
  }

  it('bounds come from the graph, in semver order, not from the node order', () => {
    assert.deepEqual(channelBounds(graph('stable-4.18'), channel('stable-4.18', { full: true })), { rule: 'full', minVersion: '4.18.0', maxVersion: '4.18.5' });
    // Prereleases sort before their release; a string sort would put 4.20.0 first.
    assert.deepEqual(channelBounds(graph('candidate-4.20'), channel('candidate-4.20', { full: true })), { rule: 'full', minVersion: '4.20.0-rc.0', maxVersion: '4.20.0' });
    assert.deepEqual(versions([channel('candidate-4.20', { full: true })]), ['4.20.0-rc.0', '4.20.0-rc.1', '4.20.0']);
    assert.deepEqual(versions([channel('candidate-4.20')]), ['4.20.0']);
  });

  it('versions compare as semver: 4.18.10 is above 4.18.9', () => {
    const channels: Record<string, ChannelAnswer> = {
      big: { kind: 'graph', byArch: { amd64: { nodes: ['4.18.9', '4.18.10', '4.18.2'], edges: [['4.18.2', '4.18.9'], ['4.18.9', '4.18.10']] } } },
    };
    const g = graph('big', 'amd64', channels);
    assert.deepEqual(selectChannel(g, channel('big')).versions, ['4.18.10']);
    assert.deepEqual(selectChannel(g, channel('big', { minVersion: '4.18.3' })).versions, ['4.18.9', '4.18.10']);
    assert.deepEqual(shortestUpdatePath(g, '4.18.2', '4.18.10'), ['4.18.2', '4.18.9', '4.18.10']);
  });
});

describe('shortestPath on a branching graph', () => {
  it('differs from the full range', () => {
    const full = versions([channel('stable-4.18', { minVersion: '4.18.0', maxVersion: '4.18.5' })]);
    const shortest = select([channel('stable-4.18', { minVersion: '4.18.0', maxVersion: '4.18.5', shortestPath: true })]);
    assert.deepEqual(full, ['4.18.0', '4.18.1', '4.18.2', '4.18.3', '4.18.4', '4.18.5']);
    assert.deepEqual(shortest.releases.map((r) => r.version), ['4.18.0', '4.18.3', '4.18.5']);
    assert.deepEqual(shortest.channels[0]?.path, ['4.18.0', '4.18.3', '4.18.5']);
  });

  it('never takes a conditional edge (4.18.0 -> 4.18.5 is only conditionally recommended)', () => {
    const g = graph('stable-4.18');
    assert.ok(g.conditionalEdges.some((e) => e.from === '4.18.0' && e.to === '4.18.5'), 'the fixture must have the conditional shortcut');
    assert.deepEqual(shortestUpdatePath(g, '4.18.0', '4.18.5'), ['4.18.0', '4.18.3', '4.18.5']);
  });

  it('follows edge direction: there is no path downwards', () => {
    assert.equal(shortestUpdatePath(graph('stable-4.18'), '4.18.5', '4.18.0'), undefined);
    assert.deepEqual(shortestUpdatePath(graph('stable-4.18'), '4.18.2', '4.18.2'), ['4.18.2']);
  });

  it('without a path keeps the two ends and warns, as oc-mirror', () => {
    const channels: Record<string, ChannelAnswer> = { split: { kind: 'graph', byArch: { amd64: { nodes: ['1.0.0', '1.0.1', '1.1.0'], edges: [['1.0.0', '1.0.1']] } } } };
    const g = graph('split', 'amd64', channels);
    const warnings: string[] = [];
    const selection = selectChannel(g, channel('split', { full: true, shortestPath: true }), warnings);
    assert.deepEqual(selection.versions, ['1.0.0', '1.1.0']);
    assert.match(warnings[0] ?? '', /no update path leads from 1\.0\.0 to 1\.1\.0/);
  });

  it('a bound that is not a release of the channel is an error naming channel and version', () => {
    assert.throws(
      () => select([channel('stable-4.18', { minVersion: '4.18.0', maxVersion: '4.18.7', shortestPath: true })]),
      (err: unknown) => isAirlockError(err, 'RELEASE_VERSION_NOT_FOUND') && /4\.18\.7/.test(err.message) && /stable-4\.18/.test(err.message),
    );
  });
});

describe('several channels', () => {
  it('each channel is selected, plus the shortest path from the lowest to the highest in the higher channel', () => {
    const s = select([channel('stable-4.18', { minVersion: '4.18.3', maxVersion: '4.18.3' }), channel('stable-4.19')]);
    assert.deepEqual(s.channels.map((c) => [c.channel, c.rule, c.versions]), [
      ['stable-4.18', 'range', ['4.18.3']],
      ['stable-4.19', 'head', ['4.19.3']],
    ]);
    assert.deepEqual(s.crossChannel, { fromChannel: 'stable-4.18', toChannel: 'stable-4.19', from: '4.18.3', to: '4.19.3', path: ['4.18.3', '4.19.0', '4.19.1', '4.19.3'] });
    assert.deepEqual(s.releases.map((r) => r.version), ['4.18.3', '4.19.0', '4.19.1', '4.19.3']);
    const why = Object.fromEntries(s.releases.map((r) => [r.version, r.reasons.map((x) => `${x.rule}@${x.channel}`)]));
    assert.deepEqual(why, {
      '4.18.3': ['range@stable-4.18', 'cross-channel@stable-4.19'],
      '4.19.0': ['cross-channel@stable-4.19'],
      '4.19.1': ['cross-channel@stable-4.19'],
      '4.19.3': ['head@stable-4.19', 'cross-channel@stable-4.19'],
    });
    assert.deepEqual(s.warnings, []);
    assert.deepEqual(describeSelection(s).slice(0, 1), ['4.18.3 (amd64): range in stable-4.18, cross-channel in stable-4.19']);
  });

  it('warns, and adds nothing, when the higher channel does not contain the lower release', () => {
    const s = select([channel('stable-4.18', { minVersion: '4.18.0', maxVersion: '4.18.1' }), channel('stable-4.19')]);
    assert.equal(s.crossChannel, undefined);
    assert.deepEqual(s.releases.map((r) => r.version), ['4.18.0', '4.18.1', '4.19.3']);
    assert.equal(s.warnings.length, 1);
    assert.match(s.warnings[0] ?? '', /stable-4\.19 does not contain 4\.18\.0/);
  });

  it('the highest release may sit in any channel: fast-4.19 beats stable-4.19', () => {
    const s = select([channel('stable-4.19', { minVersion: '4.18.5', maxVersion: '4.18.5' }), channel('fast-4.19')]);
    assert.deepEqual(s.crossChannel?.path, ['4.18.5', '4.19.1', '4.19.3', '4.19.4']);
    assert.equal(s.crossChannel?.toChannel, 'fast-4.19');
  });

  it('OKD channels take no part in the cross-channel path', () => {
    const okd = (name: string, settings: Partial<ChannelRequest> = {}): ChannelRequest => channel(name, { type: 'okd', ...settings });
    const s = select([okd('stable-4.18', { minVersion: '4.18.3', maxVersion: '4.18.3' }), okd('stable-4.19')]);
    assert.equal(s.crossChannel, undefined);
    assert.deepEqual(s.releases.map((r) => r.version), ['4.18.3', '4.19.3']);
    assert.ok(s.releases.every((r) => r.type === 'okd'));
  });

  it('two graphs that disagree about a payload stop the selection', () => {
    const channels: Record<string, ChannelAnswer> = {
      a: { kind: 'graph', byArch: { amd64: { nodes: [{ version: '1.0.0', payload: `quay.io/x/y@sha256:${'a'.repeat(64)}` }] } } },
      b: { kind: 'graph', byArch: { amd64: { nodes: [{ version: '1.0.0', payload: `quay.io/x/y@sha256:${'b'.repeat(64)}` }] } } },
    };
    assert.throws(
      () => selectReleases([channel('a'), channel('b')], (c) => graph(c.name, 'amd64', channels), 'amd64'),
      (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_INCONSISTENT'),
    );
  });
});

describe('architectures', () => {
  it('multi: the same rules over the multi graph, with its own payloads', () => {
    const amd = select([channel('stable-4.18', { full: true, shortestPath: true })], 'amd64');
    const multi = select([channel('stable-4.18', { full: true, shortestPath: true })], 'multi');
    assert.deepEqual(multi.releases.map((r) => r.version), ['4.18.0', '4.18.3', '4.18.5']);
    assert.ok(multi.releases.every((r) => r.arch === 'multi'));
    assert.notEqual(multi.releases[0]?.digest, amd.releases[0]?.digest);
  });

  it('a graph for another architecture is refused', () => {
    assert.throws(() => selectReleases([channel('stable-4.18')], () => graph('stable-4.18', 'arm64'), 'amd64'), (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_INVALID'));
  });
});

describe('empty selections', () => {
  it('a range without releases is an error naming channel and range', () => {
    assert.throws(
      () => select([channel('stable-4.18', { minVersion: '4.17.0', maxVersion: '4.17.9' })]),
      (err: unknown) => isAirlockError(err, 'RELEASE_SELECTION_EMPTY') && /stable-4\.18/.test(err.message) && /4\.17\.0 and 4\.17\.9/.test(err.message),
    );
  });
});
