import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { DEFAULT_OCP_GRAPH_URL, DEFAULT_OKD_GRAPH_URL, graphUrl, parseUpdateGraph, type GraphWhere } from '../../../src/releases/graph';
import { architectureNames, releaseTag } from '../../../src/releases/arch';
import { graphDocument } from '../../fixtures/update-graph';

const WHERE: GraphWhere = { channel: 'stable-4.19', arch: 'amd64', type: 'ocp' };
const DIGEST = `sha256:${'c'.repeat(64)}`;
const good = (): Record<string, unknown> =>
  graphDocument({ nodes: ['4.19.0', '4.19.1'], edges: [['4.19.0', '4.19.1']], conditionalEdges: [['4.19.0', '4.19.1']] }, 'amd64');

describe('parseUpdateGraph', () => {
  it('reads nodes, edges and conditional edges', () => {
    const g = parseUpdateGraph(good(), WHERE);
    assert.deepEqual(g.nodes.map((n) => n.version), ['4.19.0', '4.19.1']);
    assert.deepEqual(g.edges, [[0, 1]]);
    assert.equal(g.conditionalEdges.length, 1);
    assert.equal(g.conditionalEdges[0]?.risks[0]?.name, 'Risk4190');
    assert.equal(g.nodes[0]?.reference.registry, 'quay.io');
    assert.match(g.nodes[0]?.reference.digest ?? '', /^sha256:[0-9a-f]{64}$/);
  });

  it('tolerates absent edges and conditionalEdges (a one-release channel)', () => {
    const g = parseUpdateGraph({ nodes: [{ version: '4.19.0', payload: `quay.io/a/b@${DIGEST}` }] }, WHERE);
    assert.deepEqual(g.edges, []);
    assert.deepEqual(g.conditionalEdges, []);
  });

  const node = { version: '4.19.0', payload: `quay.io/a/b@${DIGEST}` };
  const broken: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['not an object', [], /not a JSON object/],
    ['no nodes', { edges: [] }, /"nodes" is missing/],
    ['a version that is not semver', { nodes: [{ ...node, version: '4.19' }] }, /not a semantic version/],
    ['a version with a v', { nodes: [{ ...node, version: 'v4.19.0' }] }, /not a semantic version/],
    ['a payload by tag', { nodes: [{ ...node, payload: 'quay.io/a/b:4.19.0' }] }, /sha256 digest/],
    ['a payload that is no reference', { nodes: [{ ...node, payload: 'not a reference' }] }, /not an image reference/],
    ['metadata with a number', { nodes: [{ ...node, metadata: { a: 1 } }] }, /metadata\["a"\] is not a string/],
    ['the same version twice', { nodes: [node, node] }, /both version 4\.19\.0/],
    ['an edge out of range', { nodes: [node], edges: [[0, 1]] }, /edges\[0\]/],
    ['an edge that is not a pair', { nodes: [node], edges: [[0]] }, /edges\[0\]/],
    ['an edge with a fraction', { nodes: [node], edges: [[0, 0.5]] }, /edges\[0\]/],
    ['edges that are not a list', { nodes: [node], edges: {} }, /"edges" is not a list/],
    ['a conditional edge to an unknown version', { nodes: [node], conditionalEdges: [{ edges: [{ from: '4.19.0', to: '4.19.9' }], risks: [] }] }, /4\.19\.9, which is not a node/],
    ['a conditional edge without risks', { nodes: [node], conditionalEdges: [{ edges: [] }] }, /risks is not a list/],
    ['a risk without a name', { nodes: [node], conditionalEdges: [{ edges: [], risks: [{ url: 'u', message: 'm' }] }] }, /risks\[0\]\.name is missing/],
  ];
  for (const [name, doc, expected] of broken) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseUpdateGraph(doc, WHERE),
        (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_INVALID') && expected.test(err.message) && err.message.includes('stable-4.19'),
      );
    });
  }

  it('an empty graph is an unknown channel, named', () => {
    assert.throws(
      () => parseUpdateGraph({ nodes: [], edges: [] }, { ...WHERE, channel: 'stabel-4.19' }),
      (err: unknown) => isAirlockError(err, 'RELEASE_CHANNEL_UNKNOWN') && err.message.includes('stabel-4.19'),
    );
  });
});

describe('graphUrl', () => {
  it('public services by default, UPDATE_URL_OVERRIDE for both types, explicit options first', () => {
    assert.equal(graphUrl('ocp', { env: {} }).toString(), DEFAULT_OCP_GRAPH_URL);
    assert.equal(graphUrl('okd', { env: {} }).toString(), DEFAULT_OKD_GRAPH_URL);
    const env = { UPDATE_URL_OVERRIDE: 'https://osus.enclave.example/api/upgrades_info/v1/graph' };
    assert.equal(graphUrl('ocp', { env }).host, 'osus.enclave.example');
    assert.equal(graphUrl('okd', { env }).host, 'osus.enclave.example');
    assert.equal(graphUrl('ocp', { env, url: 'http://127.0.0.1:1/g' }).host, '127.0.0.1:1');
  });

  it('refuses something that is not an http(s) URL', () => {
    assert.throws(() => graphUrl('ocp', { env: { UPDATE_URL_OVERRIDE: 'osus.example.com/graph' } }), (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_URL_INVALID'));
    assert.throws(() => graphUrl('ocp', { url: 'file:///etc/passwd' }), (err: unknown) => isAirlockError(err, 'RELEASE_GRAPH_URL_INVALID'));
  });
});

describe('architecture names', () => {
  const cases = [
    ['amd64', 'amd64', 'x86_64', 'x86_64'],
    ['arm64', 'arm64', 'aarch64', 'aarch64'],
    ['ppc64le', 'ppc64le', 'ppc64le', 'ppc64le'],
    ['s390x', 's390x', 's390x', 's390x'],
    ['multi', 'multi', 'multi', 'x86_64'],
  ] as const;
  for (const [arch, graph, tag, coreos] of cases) {
    it(`${arch}: graph arch=${graph}, tag -${tag}`, () => {
      const names = architectureNames(arch);
      assert.equal(names.graph, graph);
      assert.equal(names.tag, tag);
      assert.equal(names.coreos, coreos);
      assert.equal(releaseTag('4.19.0', arch), `4.19.0-${tag}`);
    });
  }
});
