import semver, { type SemVer } from 'semver';
import { compareText } from '../resources/order';
import type { ChannelEntry } from './types';

/**
 * The upgrade graph of one channel. An entry has an incoming edge from every entry that `replaces`
 * or `skips` it (the edges opm counts), and, for OLM, from every entry whose `skipRange` contains
 * its version. The rules for a valid channel are opm's (alpha/model): exactly one head (an entry
 * nothing replaces or skips), no cycle on the replaces chain from the head, and no stranded entry
 * (one that neither that chain reaches nor any entry skips). Versions compare as semver, with
 * pre-releases ordered as semver orders them and included in ranges.
 */

export function parseVersion(version: string | undefined): SemVer | undefined {
  if (version === undefined) return undefined;
  return semver.parse(version, { loose: true }) ?? undefined;
}

/** min <= v <= max, both ends optional and inclusive. */
export function inVersionRange(version: SemVer, min: SemVer | undefined, max: SemVer | undefined): boolean {
  if (min && semver.compare(version, min) < 0) return false;
  if (max && semver.compare(version, max) > 0) return false;
  return true;
}

/** Whether `skipRange` (an OLM semver range such as `>=4.1.0 <4.3.0`) contains `version`. */
export function inSkipRange(version: SemVer, skipRange: string): boolean {
  try {
    return semver.satisfies(version, skipRange, { includePrerelease: true, loose: true });
  } catch {
    return false;
  }
}

/** The entries nothing in the set replaces or skips (opm's channel heads), in entry order. */
export function channelHeads(entries: readonly ChannelEntry[]): string[] {
  const names = new Set(entries.map((e) => e.name));
  const incoming = new Set<string>();
  for (const e of entries) {
    if (e.replaces !== undefined && names.has(e.replaces) && e.replaces !== e.name) incoming.add(e.replaces);
    for (const s of e.skips ?? []) if (names.has(s) && s !== e.name) incoming.add(s);
  }
  return entries.filter((e) => !incoming.has(e.name)).map((e) => e.name).filter((n, i, all) => all.indexOf(n) === i);
}

export type HeadResult = { readonly head: string } | { readonly heads: readonly string[] };

/**
 * The head of a channel as OLM would install it. When replaces/skips leave several candidates, a
 * candidate whose version another candidate's skipRange contains is not a head (OLM upgrades from
 * it through the skipRange); several remaining candidates are reported as they are.
 */
export function channelHead(entries: readonly ChannelEntry[], versionOf: (bundle: string) => SemVer | undefined): HeadResult {
  const heads = channelHeads(entries);
  if (heads.length === 1 && heads[0] !== undefined) return { head: heads[0] };
  if (heads.length === 0) return { heads: [] };
  const byName = new Map(entries.map((e) => [e.name, e]));
  const remaining = heads.filter((candidate) => {
    const v = versionOf(candidate);
    if (!v) return true;
    return !heads.some((other) => {
      if (other === candidate) return false;
      const range = byName.get(other)?.skipRange;
      const otherVersion = versionOf(other);
      return range !== undefined && inSkipRange(v, range) && (!otherVersion || semver.compare(otherVersion, v) > 0);
    });
  });
  if (remaining.length === 1 && remaining[0] !== undefined) return { head: remaining[0] };
  return { heads: [...heads].sort(compareText) };
}

export type ChannelProblem =
  | { readonly code: 'CATALOG_CHANNEL_EMPTY'; readonly message: string }
  | { readonly code: 'CATALOG_CHANNEL_MULTIPLE_HEADS'; readonly message: string; readonly heads: readonly string[] }
  | { readonly code: 'CATALOG_CHANNEL_INVALID'; readonly message: string };

/** What opm would refuse in a channel made of `entries`; undefined when it is valid. */
export function channelProblem(entries: readonly ChannelEntry[]): ChannelProblem | undefined {
  if (entries.length === 0) return { code: 'CATALOG_CHANNEL_EMPTY', message: 'has no entries' };
  const byName = new Map<string, ChannelEntry>();
  for (const e of entries) {
    if (byName.has(e.name)) return { code: 'CATALOG_CHANNEL_INVALID', message: `lists ${e.name} twice` };
    if (e.replaces === e.name) return { code: 'CATALOG_CHANNEL_INVALID', message: `has ${e.name} replacing itself` };
    if ((e.skips ?? []).includes(e.name)) return { code: 'CATALOG_CHANNEL_INVALID', message: `has ${e.name} skipping itself` };
    byName.set(e.name, e);
  }
  const heads = channelHeads(entries);
  if (heads.length === 0) return { code: 'CATALOG_CHANNEL_INVALID', message: 'has no head: its upgrade graph is a cycle' };
  if (heads.length > 1) {
    const sorted = [...heads].sort(compareText);
    return { code: 'CATALOG_CHANNEL_MULTIPLE_HEADS', message: `has several heads: ${sorted.join(', ')}`, heads: sorted };
  }
  const chain = new Set<string>();
  const path: string[] = [];
  for (let cur = byName.get(heads[0] as string); cur; cur = cur.replaces === undefined ? undefined : byName.get(cur.replaces)) {
    path.push(cur.name);
    if (chain.has(cur.name)) return { code: 'CATALOG_CHANNEL_INVALID', message: `has a cycle in its replaces chain: ${path.join(' -> ')}` };
    chain.add(cur.name);
  }
  const skipped = new Set(entries.flatMap((e) => e.skips ?? []));
  const stranded = entries.filter((e) => !chain.has(e.name) && !skipped.has(e.name)).map((e) => e.name);
  if (stranded.length > 0) {
    return { code: 'CATALOG_CHANNEL_INVALID', message: `has entries that no upgrade from the head reaches (stranded): ${stranded.sort(compareText).join(', ')}` };
  }
  return undefined;
}
