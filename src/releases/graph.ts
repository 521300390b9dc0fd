import semver from 'semver';
import type { Architecture, PlatformType } from '../config/types';
import { AirlockError } from '../errors';
import { parseReference, type ImageReference } from '../reference';
import { architectureNames } from './arch';
import { describeUrl, HttpSource, type HttpOptions } from './http';

/**
 * The update graph (Cincinnati v1 graph API) of one channel and architecture: which releases the
 * channel holds (nodes), which updates between them are recommended (edges) and which are only
 * recommended under conditions (conditionalEdges). Read strictly: a graph that does not have this
 * shape stops the export rather than selecting releases from half-understood data.
 */

export interface GraphNode {
  /** A semantic version, as the graph writes it (4.19.0, 4.19.0-rc.1). */
  readonly version: string;
  /** The release payload, by digest: quay.io/openshift-release-dev/ocp-release@sha256:... */
  readonly payload: string;
  readonly reference: ImageReference & { readonly digest: string };
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ConditionalRisk {
  readonly name: string;
  readonly url: string;
  readonly message: string;
}

export interface ConditionalEdge {
  readonly from: string;
  readonly to: string;
  readonly risks: readonly ConditionalRisk[];
}

export interface UpdateGraph {
  readonly channel: string;
  readonly arch: Architecture;
  readonly type: PlatformType;
  readonly nodes: readonly GraphNode[];
  /** Recommended updates as node index pairs [from, to]. */
  readonly edges: ReadonlyArray<readonly [number, number]>;
  /** Updates recommended only when the cluster is not exposed to the risks. Never walked by shortestPath. */
  readonly conditionalEdges: readonly ConditionalEdge[];
}

export const DEFAULT_OCP_GRAPH_URL = 'https://api.openshift.com/api/upgrades_info/v1/graph';
export const DEFAULT_OKD_GRAPH_URL = 'https://origin-release.ci.openshift.org/graph';
/** oc-mirror's variable: an OpenShift Update Service inside an enclave, for example. */
export const UPDATE_URL_OVERRIDE_ENV = 'UPDATE_URL_OVERRIDE';

/** The graph of one channel of a big product line is a few MB; far more means something else answered. */
export const MAX_GRAPH_BYTES = 64 * 1024 * 1024;

export interface GraphWhere {
  readonly channel: string;
  readonly arch: Architecture;
  readonly type: PlatformType;
  readonly url?: string;
}

function invalid(where: GraphWhere, why: string): AirlockError {
  return new AirlockError('RELEASE_GRAPH_INVALID', `the update graph of channel ${where.channel} (${where.arch}) is malformed: ${why}`, {
    context: { channel: where.channel, arch: where.arch, ...(where.url ? { url: where.url } : {}) },
    hint: 'the update service URL (UPDATE_URL_OVERRIDE) must point at a Cincinnati graph API, such as .../api/upgrades_info/v1/graph',
  });
}

export function unknownChannel(where: GraphWhere, why: string): AirlockError {
  return new AirlockError('RELEASE_CHANNEL_UNKNOWN', `the update service does not know channel ${where.channel} for ${where.arch} (${why})`, {
    context: { channel: where.channel, arch: where.arch, ...(where.url ? { url: where.url } : {}) },
    hint: `check the channel name (e.g. stable-4.19, fast-4.19, eus-4.18) and that it offers releases for ${where.arch}${where.type === 'okd' ? '; OKD channels are named like stable-4 or 4-scos-stable' : ''}`,
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, where: GraphWhere, path: string): string {
  if (typeof value !== 'string') throw invalid(where, `${path} is ${value === undefined ? 'missing' : 'not a string'}`);
  return value;
}

function parseNode(raw: unknown, i: number, where: GraphWhere): GraphNode {
  const path = `nodes[${i}]`;
  if (!isObject(raw)) throw invalid(where, `${path} is not an object`);
  const version = text(raw.version, where, `${path}.version`);
  if (semver.valid(version) !== version) throw invalid(where, `${path}.version "${version}" is not a semantic version`);
  const payload = text(raw.payload, where, `${path}.payload`);
  let reference: ImageReference;
  try {
    reference = parseReference(payload, { requireRegistry: true });
  } catch (err) {
    throw invalid(where, `${path}.payload "${payload}" is not an image reference: ${(err as Error).message}`);
  }
  if (reference.digest === undefined || !reference.digest.startsWith('sha256:')) throw invalid(where, `${path}.payload "${payload}" does not name its image by sha256 digest`);
  const metadata: Record<string, string> = {};
  if (raw.metadata !== undefined && raw.metadata !== null) {
    if (!isObject(raw.metadata)) throw invalid(where, `${path}.metadata is not an object`);
    for (const [key, value] of Object.entries(raw.metadata)) metadata[key] = text(value, where, `${path}.metadata["${key}"]`);
  }
  return { version, payload, reference: reference as ImageReference & { digest: string }, metadata };
}

/** Validates a graph document (already JSON-parsed); throws RELEASE_GRAPH_INVALID or RELEASE_CHANNEL_UNKNOWN. */
export function parseUpdateGraph(json: unknown, where: GraphWhere): UpdateGraph {
  if (!isObject(json)) throw invalid(where, 'it is not a JSON object');
  if (!Array.isArray(json.nodes)) throw invalid(where, '"nodes" is missing or not a list');
  if (json.edges !== undefined && json.edges !== null && !Array.isArray(json.edges)) throw invalid(where, '"edges" is not a list');
  const nodes = json.nodes.map((n, i) => parseNode(n, i, where));
  // The real service answers an unknown channel with 200 and an empty graph.
  if (nodes.length === 0) throw unknownChannel(where, 'its graph has no releases');
  const byVersion = new Map<string, number>();
  nodes.forEach((n, i) => {
    const before = byVersion.get(n.version);
    if (before !== undefined) throw invalid(where, `nodes[${before}] and nodes[${i}] are both version ${n.version}`);
    byVersion.set(n.version, i);
  });

  const edges: Array<readonly [number, number]> = [];
  ((json.edges as unknown[] | undefined | null) ?? []).forEach((e, i) => {
    const ok = Array.isArray(e) && e.length === 2 && e.every((x) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) < nodes.length);
    if (!ok) throw invalid(where, `edges[${i}] ${JSON.stringify(e)} is not a pair of node indexes below ${nodes.length}`);
    edges.push([e[0] as number, e[1] as number]);
  });

  const conditionalEdges: ConditionalEdge[] = [];
  const rawConditional = json.conditionalEdges;
  if (rawConditional !== undefined && rawConditional !== null) {
    if (!Array.isArray(rawConditional)) throw invalid(where, '"conditionalEdges" is not a list');
    rawConditional.forEach((c, i) => {
      const path = `conditionalEdges[${i}]`;
      if (!isObject(c)) throw invalid(where, `${path} is not an object`);
      if (!Array.isArray(c.edges)) throw invalid(where, `${path}.edges is not a list`);
      if (!Array.isArray(c.risks)) throw invalid(where, `${path}.risks is not a list`);
      const risks = c.risks.map((r, j): ConditionalRisk => {
        if (!isObject(r)) throw invalid(where, `${path}.risks[${j}] is not an object`);
        return { name: text(r.name, where, `${path}.risks[${j}].name`), url: text(r.url, where, `${path}.risks[${j}].url`), message: text(r.message, where, `${path}.risks[${j}].message`) };
      });
      c.edges.forEach((e, j) => {
        if (!isObject(e)) throw invalid(where, `${path}.edges[${j}] is not an object`);
        const from = text(e.from, where, `${path}.edges[${j}].from`);
        const to = text(e.to, where, `${path}.edges[${j}].to`);
        for (const v of [from, to]) if (!byVersion.has(v)) throw invalid(where, `${path}.edges[${j}] names version ${v}, which is not a node of the graph`);
        conditionalEdges.push({ from, to, risks });
      });
    });
  }
  return { channel: where.channel, arch: where.arch, type: where.type, nodes, edges, conditionalEdges };
}

export interface UpdateGraphClientOptions extends HttpOptions {
  /** Graph API of OpenShift; default UPDATE_URL_OVERRIDE from `env`, else api.openshift.com. */
  readonly url?: string;
  /** Graph API of OKD; default UPDATE_URL_OVERRIDE from `env`, else origin-release.ci.openshift.org. */
  readonly okdUrl?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The graph API URL for a platform type: explicit option, then UPDATE_URL_OVERRIDE, then the public service. */
export function graphUrl(type: PlatformType, options: Pick<UpdateGraphClientOptions, 'url' | 'okdUrl' | 'env'> = {}): URL {
  const override = (options.env ?? process.env)[UPDATE_URL_OVERRIDE_ENV];
  const explicit = type === 'ocp' ? options.url : options.okdUrl;
  const chosen = explicit ?? (override ? override : type === 'ocp' ? DEFAULT_OCP_GRAPH_URL : DEFAULT_OKD_GRAPH_URL);
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new AirlockError('RELEASE_GRAPH_URL_INVALID', `the update graph URL "${chosen}" is not a URL`, {
      context: { url: chosen },
      hint: `set ${UPDATE_URL_OVERRIDE_ENV} to the graph API of an update service, e.g. https://osus.example.com/api/upgrades_info/v1/graph`,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AirlockError('RELEASE_GRAPH_URL_INVALID', `the update graph URL "${chosen}" is not http(s)`, { context: { url: chosen } });
  }
  return url;
}

/**
 * Fetches update graphs: `GET <url>?channel=<name>&arch=<arch>` with `Accept: application/json`.
 * Each (type, channel, arch) is fetched once per client; a 404, or an empty graph as the real
 * service answers, is RELEASE_CHANNEL_UNKNOWN naming the channel.
 */
export class UpdateGraphClient {
  private readonly http: HttpSource;
  private readonly cache = new Map<string, Promise<UpdateGraph>>();

  constructor(private readonly options: UpdateGraphClientOptions = {}) {
    this.http = new HttpSource(options);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** Where the graph of this channel comes from (shown in plans and errors). */
  url(channel: string, arch: Architecture, type: PlatformType = 'ocp'): URL {
    const url = graphUrl(type, this.options);
    url.searchParams.set('channel', channel);
    url.searchParams.set('arch', architectureNames(arch).graph);
    return url;
  }

  fetchGraph(channel: string, arch: Architecture, options: { type?: PlatformType; signal?: AbortSignal } = {}): Promise<UpdateGraph> {
    const type = options.type ?? 'ocp';
    const key = `${type}\0${channel}\0${arch}`;
    let graph = this.cache.get(key);
    if (!graph) {
      graph = this.fetchOnce(channel, arch, type, options.signal);
      graph.catch(() => this.cache.delete(key));
      this.cache.set(key, graph);
    }
    return graph;
  }

  private async fetchOnce(channel: string, arch: Architecture, type: PlatformType, signal?: AbortSignal): Promise<UpdateGraph> {
    const url = this.url(channel, arch, type);
    const where: GraphWhere = { channel, arch, type, url: describeUrl(url) };
    const res = await this.http.get(url, {
      accept: 'application/json',
      maxBytes: MAX_GRAPH_BYTES,
      what: `update graph of channel ${channel} (${arch})`,
      answers: [404],
      ...(signal ? { signal } : {}),
    });
    if (res.status === 404) throw unknownChannel(where, `HTTP 404 from ${describeUrl(res.url)}`);
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw invalid(where, 'it is not JSON');
    }
    return parseUpdateGraph(json, where);
  }
}
