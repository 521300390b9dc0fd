import semver from 'semver';
import type { Architecture, PlatformChannel, PlatformType } from '../config/types';
import { AirlockError } from '../errors';
import type { GraphNode, UpdateGraph } from './graph';

/**
 * Which releases a `mirror.platform` section selects, exactly as oc-mirror v2 selects them
 * (internal/pkg/release/cincinnati.go), as a pure function of the channels' update graphs:
 *
 * | channel settings          | bounds                          | rule            |
 * | ------------------------- | ------------------------------- | --------------- |
 * | nothing                   | latest .. latest (the head)     | `head`          |
 * | minVersion                | minVersion .. latest            | `min-to-latest` |
 * | maxVersion                | first .. maxVersion             | `first-to-max`  |
 * | minVersion and maxVersion | minVersion .. maxVersion        | `range`         |
 * | full: true (no min/max)   | first .. latest                 | `full`          |
 *
 * Between the bounds every release of the channel is taken, or with `shortestPath: true` only
 * those on the shortest update path from the lower to the upper bound over the graph's edges
 * (conditional edges are not recommendations and never count). With several channels, each is
 * selected on its own, and the shortest path from the lowest selected release to the highest is
 * added when the graph of the channel holding the highest one contains the lowest (OpenShift
 * channels only, as oc-mirror); otherwise a warning says why no path was added. Versions are always
 * compared as semantic versions.
 */

export type BoundsRule = 'head' | 'min-to-latest' | 'first-to-max' | 'range' | 'full';
export type SelectionRule = BoundsRule | 'shortest-path' | 'cross-channel';

/** The part of a configured channel selection reads (a PlatformChannel is one). */
export type ChannelRequest = Pick<PlatformChannel, 'name' | 'type' | 'full' | 'shortestPath' | 'minVersion' | 'maxVersion'>;

export interface ChannelSelection {
  readonly channel: string;
  readonly type: PlatformType;
  readonly arch: Architecture;
  readonly rule: BoundsRule;
  readonly shortestPath: boolean;
  /** The resolved bounds. */
  readonly minVersion: string;
  readonly maxVersion: string;
  /** Ascending. */
  readonly versions: readonly string[];
  /** With shortestPath: the update path, in upgrade order (lower bound first). */
  readonly path?: readonly string[];
}

export interface SelectionReason {
  readonly rule: SelectionRule;
  /** The channel whose graph the rule was applied to. */
  readonly channel: string;
}

export interface SelectedRelease {
  readonly version: string;
  readonly arch: Architecture;
  readonly type: PlatformType;
  /** The payload by digest, from the graph. */
  readonly payload: string;
  readonly digest: string;
  /** Every rule that chose it, in the order they were applied. */
  readonly reasons: readonly SelectionReason[];
}

export interface CrossChannelPath {
  readonly fromChannel: string;
  readonly toChannel: string;
  readonly from: string;
  readonly to: string;
  /** The update path in the graph of toChannel, in upgrade order. */
  readonly path: readonly string[];
}

export interface ReleaseSelection {
  readonly arch: Architecture;
  readonly channels: readonly ChannelSelection[];
  readonly crossChannel?: CrossChannelPath;
  /** Ascending by version, each version once. */
  readonly releases: readonly SelectedRelease[];
  readonly warnings: readonly string[];
}

function compare(a: string, b: string): number {
  return semver.compare(a, b);
}

function versionNotFound(graph: UpdateGraph, version: string, what: string): AirlockError {
  const known = graph.nodes.map((n) => n.version).sort(compare);
  const shown = known.length > 8 ? `${known.slice(0, 4).join(', ')}, ..., ${known.slice(-3).join(', ')}` : known.join(', ');
  return new AirlockError('RELEASE_VERSION_NOT_FOUND', `${what} ${version} is not a release of channel ${graph.channel} (${graph.arch})`, {
    context: { channel: graph.channel, arch: graph.arch, actual: version },
    hint: `the channel holds ${shown}; pick one of those, or drop shortestPath to select every release in the range`,
  });
}

/** The bounds oc-mirror derives from a channel's settings and the channel's graph. */
export function channelBounds(graph: UpdateGraph, channel: ChannelRequest): { rule: BoundsRule; minVersion: string; maxVersion: string } {
  const versions = graph.nodes.map((n) => n.version).sort(compare);
  const first = versions[0];
  const latest = versions[versions.length - 1];
  if (first === undefined || latest === undefined) throw new AirlockError('RELEASE_CHANNEL_UNKNOWN', `channel ${graph.channel} has no releases`, { context: { channel: graph.channel } });
  const { minVersion, maxVersion } = channel;
  if (minVersion !== undefined && maxVersion !== undefined) return { rule: 'range', minVersion, maxVersion };
  if (minVersion !== undefined) return { rule: 'min-to-latest', minVersion, maxVersion: latest };
  if (maxVersion !== undefined) return { rule: 'first-to-max', minVersion: first, maxVersion };
  if (channel.full) return { rule: 'full', minVersion: first, maxVersion: latest };
  return { rule: 'head', minVersion: latest, maxVersion: latest };
}

/**
 * The shortest update path from `from` to `to` over the graph's edges (breadth first, higher
 * versions tried first, as oc-mirror, so the answer is deterministic), or undefined when there is
 * none. Conditional edges are not walked. Both versions must be nodes of the graph.
 */
export function shortestUpdatePath(graph: UpdateGraph, from: string, to: string): readonly string[] | undefined {
  const index = new Map(graph.nodes.map((n, i) => [n.version, i]));
  const start = index.get(from);
  const end = index.get(to);
  if (start === undefined) throw versionNotFound(graph, from, 'version');
  if (end === undefined) throw versionNotFound(graph, to, 'version');
  const next = new Map<number, number[]>();
  for (const [a, b] of graph.edges) {
    const list = next.get(a) ?? [];
    list.push(b);
    next.set(a, list);
  }
  const node = (i: number): GraphNode => graph.nodes[i] as GraphNode;
  for (const list of next.values()) list.sort((x, y) => compare(node(y).version, node(x).version));
  const previous = new Map<number, number>([[start, -1]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    if (current === end) break;
    for (const neighbour of next.get(current) ?? []) {
      if (previous.has(neighbour)) continue;
      previous.set(neighbour, current);
      queue.push(neighbour);
    }
  }
  if (!previous.has(end)) return undefined;
  const path: string[] = [];
  for (let i = end; i !== -1; i = previous.get(i) ?? -1) path.unshift(node(i).version);
  return path;
}

/** One channel's own selection. Throws RELEASE_VERSION_NOT_FOUND (shortestPath bounds) or RELEASE_SELECTION_EMPTY. */
export function selectChannel(graph: UpdateGraph, channel: ChannelRequest, warnings: string[] = []): ChannelSelection {
  const { rule, minVersion, maxVersion } = channelBounds(graph, channel);
  const base = { channel: channel.name, type: channel.type, arch: graph.arch, rule, shortestPath: channel.shortestPath, minVersion, maxVersion };
  if (channel.shortestPath) {
    const path = shortestUpdatePath(graph, minVersion, maxVersion);
    if (path === undefined) {
      // oc-mirror keeps the two ends when no path joins them.
      warnings.push(`channel ${channel.name} (${graph.arch}): no update path leads from ${minVersion} to ${maxVersion}; only those two releases are mirrored`);
      return { ...base, versions: [...new Set([minVersion, maxVersion])].sort(compare), path: [] };
    }
    return { ...base, versions: [...path].sort(compare), path };
  }
  const versions = graph.nodes
    .map((n) => n.version)
    .filter((v) => semver.gte(v, minVersion) && semver.lte(v, maxVersion))
    .sort(compare);
  if (versions.length === 0) {
    throw new AirlockError('RELEASE_SELECTION_EMPTY', `channel ${channel.name} (${graph.arch}) has no release between ${minVersion} and ${maxVersion}`, {
      context: { channel: channel.name, arch: graph.arch, expected: `${minVersion}..${maxVersion}` },
      hint: 'widen minVersion/maxVersion, or check that the versions belong to this channel',
    });
  }
  return { ...base, versions };
}

/** The lowest and highest selected release over OpenShift channels, as oc-mirror's FindRelease. */
function extremes(selections: readonly ChannelSelection[]): { low: ChannelSelection; high: ChannelSelection } | undefined {
  const ocp = selections.filter((s) => s.type === 'ocp');
  if (ocp.length === 0) return undefined;
  let low = ocp[0] as ChannelSelection;
  let high = ocp[0] as ChannelSelection;
  for (const s of ocp) {
    if (compare(s.minVersion, low.minVersion) < 0) low = s;
    if (compare(s.maxVersion, high.maxVersion) > 0) high = s;
  }
  return { low, high };
}

/**
 * Applies every channel's rule to its graph (`graphOf` returns the graph fetched for that channel
 * and this architecture) and adds the cross-channel path. Throws on a version a rule needs that a
 * graph lacks, an empty selection, or two graphs that disagree about a release's payload.
 */
export function selectReleases(channels: readonly ChannelRequest[], graphOf: (channel: ChannelRequest) => UpdateGraph, arch: Architecture): ReleaseSelection {
  const warnings: string[] = [];
  const chosen = new Map<string, { node: GraphNode; type: PlatformType; reasons: SelectionReason[] }>();
  const choose = (graph: UpdateGraph, type: PlatformType, version: string, reason: SelectionReason): void => {
    const node = graph.nodes.find((n) => n.version === version);
    if (!node) throw versionNotFound(graph, version, 'release');
    const existing = chosen.get(version);
    if (!existing) {
      chosen.set(version, { node, type, reasons: [reason] });
      return;
    }
    if (existing.node.reference.digest !== node.reference.digest) {
      throw new AirlockError('RELEASE_GRAPH_INCONSISTENT', `release ${version} (${arch}) has payload ${existing.node.payload} in one channel and ${node.payload} in channel ${graph.channel}`, {
        context: { channel: graph.channel, arch, expected: existing.node.payload, actual: node.payload },
        hint: 'the update service serves contradicting graphs; try again later or report it to whoever runs the service',
      });
    }
    if (!existing.reasons.some((r) => r.rule === reason.rule && r.channel === reason.channel)) existing.reasons.push(reason);
  };

  const graphs = new Map<string, UpdateGraph>();
  const selections: ChannelSelection[] = [];
  for (const channel of channels) {
    const graph = graphOf(channel);
    if (graph.arch !== arch) throw new AirlockError('RELEASE_GRAPH_INVALID', `the graph given for channel ${channel.name} is for ${graph.arch}, not ${arch}`, { hint: 'this is a bug in Airlock' });
    graphs.set(channel.name, graph);
    const selection = selectChannel(graph, channel, warnings);
    selections.push(selection);
    const rule: SelectionRule = channel.shortestPath ? 'shortest-path' : selection.rule;
    for (const version of selection.versions) choose(graph, channel.type, version, { rule, channel: channel.name });
  }

  let crossChannel: CrossChannelPath | undefined;
  const ends = channels.length > 1 ? extremes(selections) : undefined;
  if (ends) {
    const { low, high } = ends;
    const from = low.minVersion;
    const to = high.maxVersion;
    const graph = graphs.get(high.channel) as UpdateGraph;
    if (compare(from, to) === 0) {
      // One release is both ends: there is nothing to walk.
    } else if (!graph.nodes.some((n) => n.version === from)) {
      warnings.push(
        `no update path from ${from} (channel ${low.channel}) to ${to} (channel ${high.channel}) is added for ${arch}: channel ${high.channel} does not contain ${from}; add an intermediate channel (or a minVersion in ${high.channel}) to carry the releases in between`,
      );
    } else {
      const path = shortestUpdatePath(graph, from, to);
      if (path === undefined) {
        warnings.push(`no update path leads from ${from} to ${to} in channel ${high.channel} (${arch}); only the releases the channels select are mirrored`);
      } else {
        crossChannel = { fromChannel: low.channel, toChannel: high.channel, from, to, path };
        for (const version of path) choose(graph, high.type, version, { rule: 'cross-channel', channel: high.channel });
      }
    }
  }

  const releases = [...chosen.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([version, c]): SelectedRelease => ({ version, arch, type: c.type, payload: c.node.payload, digest: c.node.reference.digest, reasons: c.reasons }));
  return { arch, channels: selections, ...(crossChannel ? { crossChannel } : {}), releases, warnings };
}

/** One line per release for plans and logs: `4.19.2 (amd64): shortest-path in stable-4.19, cross-channel in stable-4.20`. */
export function describeSelection(selection: ReleaseSelection): string[] {
  return selection.releases.map((r) => `${r.version} (${r.arch}): ${r.reasons.map((x) => `${x.rule} in ${x.channel}`).join(', ')}`);
}

/** What a channel offers, for a picker: every release ascending, and the head. */
export function channelOffer(graph: UpdateGraph): { readonly channel: string; readonly arch: Architecture; readonly versions: readonly string[]; readonly head: string } {
  const versions = graph.nodes.map((n) => n.version).sort(compare);
  return { channel: graph.channel, arch: graph.arch, versions, head: versions[versions.length - 1] ?? '' };
}
