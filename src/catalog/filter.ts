import semver, { type SemVer } from 'semver';
import { AirlockError } from '../errors';
import type { OperatorCatalog, OperatorChannel, OperatorPackage } from '../config/types';
import { compareText } from '../resources/order';
import { channelHead, channelProblem, inVersionRange, parseVersion } from './graph';
import type { ChannelEntry, FbcBundle, FbcCatalog, FbcChannel, FbcPackage, Gvk } from './types';

/**
 * Table 5.2 of the OpenShift 4.19 manual (section 5.11): which bundles of a catalog an
 * `mirror.operators[]` entry selects.
 *
 *   no packages                       1  the head of every channel of every package
 *   full: true, no packages           2  everything
 *   package                           3  the head of each of its channels
 *   full: true, package               4  every bundle of every channel of the package
 *   package minVersion/maxVersion  5-7  every bundle in the range, in every channel; a channel head
 *                                       outside the range is not added; a channel left empty is dropped
 *   package channels               8,10  the head of each listed channel
 *   full: true, package channels      9  every bundle of each listed channel
 *   channel minVersion/maxVersion 11-13  every bundle of that channel in the range
 *   channels + package min/max       14  refused
 *   full: true + min/max          15,16  refused
 *
 * When the filter leaves out a package's default channel, `defaultChannel` must name one that is
 * kept (8, 9, 11-13). Every kept channel must be a valid upgrade graph (one head, no stranded
 * entry): a range that cuts a channel into several heads is refused, naming package and channel, as
 * the manual's note on "multiple channel heads" describes. Dependencies are not added (as oc-mirror),
 * but required packages and GVKs the filter left out are reported as warnings.
 */

export interface FilteredChannel {
  readonly name: string;
  readonly head: string;
  /** The kept entries, in catalog order, with their upgrade edges as the catalog has them. */
  readonly entries: readonly ChannelEntry[];
}

export interface FilteredPackage {
  readonly name: string;
  /** The default channel of the filtered catalog (the configuration's defaultChannel, else the catalog's). */
  readonly defaultChannel?: string;
  /** Sorted by name. */
  readonly channels: readonly FilteredChannel[];
  /** Sorted by name. */
  readonly bundles: readonly FbcBundle[];
}

export type Requirement =
  | { readonly kind: 'package'; readonly packageName: string; readonly versionRange: string }
  | { readonly kind: 'gvk'; readonly gvk: Gvk };

/** A dependency of kept bundles that the kept bundles do not provide. */
export interface DependencyWarning {
  readonly package: string;
  /** The kept bundles of `package` that declare it, sorted. */
  readonly bundles: readonly string[];
  readonly requirement: Requirement;
  /** Packages of the catalog that would provide it (empty: the catalog itself does not). */
  readonly providers: readonly string[];
  readonly message: string;
}

export interface FilterResult {
  /** The catalog as the configuration names it. */
  readonly catalog: string;
  readonly full: boolean;
  /**
   * False for `full: true` without packages: the catalog is carried unchanged and not rebuilt.
   */
  readonly rebuild: boolean;
  /** Sorted by name. */
  readonly packages: readonly FilteredPackage[];
  readonly dependencyWarnings: readonly DependencyWarning[];
  /** Other things worth telling (bundles without a version left out of a range ...). */
  readonly notes: readonly string[];
}

export interface FilterProblem {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly package?: string;
  readonly channel?: string;
  readonly line?: number;
  readonly column?: number;
}

/** Everything wrong with a filter at once; `code` is the first problem's. */
export class CatalogFilterError extends AirlockError {
  override readonly name = 'CatalogFilterError';
  readonly problems: readonly FilterProblem[];

  constructor(catalog: string, problems: readonly FilterProblem[], file?: string) {
    const first = problems[0];
    if (!first) throw new RangeError('CatalogFilterError needs a problem');
    super(first.code, `catalog ${catalog}: ${problems.map((p) => p.message).join('; ')}`, {
      context: {
        image: catalog,
        ...(file === undefined ? {} : { file }),
        ...(first.line === undefined ? {} : { line: first.line, column: first.column }),
        ...(first.package === undefined ? {} : { package: first.package }),
        ...(first.channel === undefined ? {} : { channel: first.channel }),
        ...(problems.length > 1 ? { problems: problems.length } : {}),
      },
      ...(first.hint === undefined ? {} : { hint: first.hint }),
    });
    this.problems = problems;
  }

  override toJSON(): ReturnType<AirlockError['toJSON']> & { problems: readonly FilterProblem[] } {
    return { ...super.toJSON(), problems: this.problems };
  }
}

export interface FilterOptions {
  /** The configuration file, named in errors. */
  readonly file?: string;
}

const TABLE = 'OpenShift 4.19 manual, table 5.2';

function at(entry: OperatorPackage | OperatorChannel): { line: number; column: number } {
  return { line: entry.line, column: entry.column };
}

function hasRange(entry: { minVersion?: string; maxVersion?: string }): boolean {
  return entry.minVersion !== undefined || entry.maxVersion !== undefined;
}

function rangeText(entry: { minVersion?: string; maxVersion?: string }): string {
  if (entry.minVersion !== undefined && entry.maxVersion !== undefined) return `${entry.minVersion} to ${entry.maxVersion}`;
  if (entry.minVersion !== undefined) return `${entry.minVersion} and later`;
  return `up to ${entry.maxVersion ?? ''}`;
}

/** Scenarios 14-16: the combinations table 5.2 refuses (the configuration loader refuses them too). */
export function combinationProblems(config: OperatorCatalog): FilterProblem[] {
  const problems: FilterProblem[] = [];
  for (const pkg of config.packages) {
    if (pkg.channels.length > 0 && hasRange(pkg)) {
      problems.push({
        code: 'CATALOG_FILTER_CONFLICT',
        message: `package ${pkg.name}: filtering by channel and by package minVersion/maxVersion is not allowed (${TABLE}, scenario 14)`,
        hint: 'move minVersion/maxVersion into the channel entries, or remove the channels',
        package: pkg.name,
        ...at(pkg),
      });
    }
    if (config.full && hasRange(pkg)) {
      problems.push({
        code: 'CATALOG_FILTER_CONFLICT',
        message: `package ${pkg.name}: full: true cannot be combined with minVersion/maxVersion (${TABLE}, scenario 15)`,
        hint: 'remove minVersion/maxVersion, or remove full: true',
        package: pkg.name,
        ...at(pkg),
      });
    }
    for (const channel of pkg.channels) {
      if (config.full && hasRange(channel)) {
        problems.push({
          code: 'CATALOG_FILTER_CONFLICT',
          message: `package ${pkg.name}, channel ${channel.name}: full: true cannot be combined with minVersion/maxVersion (${TABLE}, scenario 16)`,
          hint: 'remove minVersion/maxVersion, or remove full: true',
          package: pkg.name,
          channel: channel.name,
          ...at(channel),
        });
      }
    }
  }
  return problems;
}

/** Up to three names that look like `wanted` (shared prefix or substring), for "did you mean". */
function similar(wanted: string, names: Iterable<string>): string[] {
  const w = wanted.toLowerCase();
  const scored: Array<[number, string]> = [];
  for (const name of names) {
    const n = name.toLowerCase();
    let prefix = 0;
    while (prefix < w.length && prefix < n.length && w[prefix] === n[prefix]) prefix++;
    const score = n.includes(w) || w.includes(n) ? 100 : prefix;
    if (score >= 4) scored.push([score, name]);
  }
  return scored.sort((a, b) => b[0] - a[0] || compareText(a[1], b[1])).slice(0, 3).map(([, n]) => n);
}

type Mode = { readonly kind: 'all' } | { readonly kind: 'head' } | { readonly kind: 'range'; readonly min?: SemVer; readonly max?: SemVer; readonly text: string };

function modeFor(config: OperatorCatalog, pkg: OperatorPackage | undefined, channel: OperatorChannel | undefined): Mode {
  if (config.full) return { kind: 'all' };
  const range = channel && hasRange(channel) ? channel : pkg && pkg.channels.length === 0 && hasRange(pkg) ? pkg : undefined;
  if (!range) return { kind: 'head' };
  const min = parseVersion(range.minVersion);
  const max = parseVersion(range.maxVersion);
  return { kind: 'range', ...(min ? { min } : {}), ...(max ? { max } : {}), text: rangeText(range) };
}

interface Selection {
  readonly pkg: FbcPackage;
  readonly spec?: OperatorPackage;
}

export function filterCatalog(model: FbcCatalog, config: OperatorCatalog, options: FilterOptions = {}): FilterResult {
  const problems: FilterProblem[] = combinationProblems(config);
  if (problems.length > 0) throw new CatalogFilterError(config.catalog, problems, options.file);
  const notes: string[] = [];

  const selections: Selection[] = [];
  if (config.packages.length === 0) {
    for (const pkg of model.packages.values()) selections.push({ pkg });
  } else {
    for (const spec of config.packages) {
      const pkg = model.packages.get(spec.name);
      if (!pkg) {
        const like = similar(spec.name, model.packages.keys());
        problems.push({
          code: 'CATALOG_PACKAGE_NOT_FOUND',
          message: `package ${spec.name} is not in the catalog${like.length > 0 ? ` (did you mean ${like.join(', ')}?)` : ''}`,
          hint: 'check the package name against the catalog; `airlock` lists the packages of a catalog in the export form',
          package: spec.name,
          ...at(spec),
        });
        continue;
      }
      selections.push({ pkg, spec });
    }
  }

  const packages: FilteredPackage[] = [];
  for (const { pkg, spec } of selections) {
    const problemsBefore = problems.length;
    const wanted: Array<{ channel: FbcChannel; spec?: OperatorChannel }> = [];
    if (spec && spec.channels.length > 0) {
      for (const c of spec.channels) {
        const channel = pkg.channels.get(c.name);
        if (!channel) {
          problems.push({
            code: 'CATALOG_CHANNEL_NOT_FOUND',
            message: `package ${pkg.name} has no channel ${c.name} (it has ${[...pkg.channels.keys()].sort(compareText).join(', ') || 'none'})`,
            hint: 'use one of the channels the package has',
            package: pkg.name,
            channel: c.name,
            ...at(c),
          });
          continue;
        }
        wanted.push({ channel, spec: c });
      }
    } else {
      for (const name of [...pkg.channels.keys()].sort(compareText)) {
        const channel = pkg.channels.get(name);
        if (channel) wanted.push({ channel });
      }
    }

    const versionOf = (bundle: string): SemVer | undefined => parseVersion(pkg.bundles.get(bundle)?.version);
    const kept: FilteredChannel[] = [];
    const emptied: string[] = [];
    for (const { channel, spec: channelSpec } of wanted) {
      const where = { package: pkg.name, channel: channel.name, ...(channelSpec ? at(channelSpec) : spec ? at(spec) : {}) };
      const mode = modeFor(config, spec, channelSpec);
      let entries: ChannelEntry[];
      let head: string | undefined;
      if (mode.kind === 'head') {
        const result = channelHead(channel.entries, versionOf);
        if ('heads' in result) {
          problems.push({
            code: result.heads.length > 1 ? 'CATALOG_CHANNEL_MULTIPLE_HEADS' : 'CATALOG_CHANNEL_INVALID',
            message:
              result.heads.length > 1
                ? `package ${pkg.name}, channel ${channel.name} has several heads in the catalog itself (${result.heads.join(', ')})`
                : `package ${pkg.name}, channel ${channel.name} has no head: its upgrade graph is a cycle`,
            hint: 'the catalog is not valid; name the bundles you need with a version range instead',
            ...where,
          });
          continue;
        }
        head = result.head;
        entries = channel.entries.filter((e) => e.name === result.head).slice(0, 1);
      } else if (mode.kind === 'all') {
        entries = [...channel.entries];
      } else {
        entries = channel.entries.filter((e) => {
          const v = versionOf(e.name);
          if (!v) {
            notes.push(`bundle ${e.name} of ${pkg.name}/${channel.name} has no semver version and was left out of the range ${mode.text}`);
            return false;
          }
          return inVersionRange(v, mode.min, mode.max);
        });
      }
      if (entries.length === 0) {
        emptied.push(channel.name);
        continue;
      }
      const problem = channelProblem(entries);
      if (problem) {
        const ranged = mode.kind === 'range' ? ` after filtering to ${mode.text}` : '';
        problems.push({
          code: problem.code,
          message: `package ${pkg.name}, channel ${channel.name}${ranged} ${problem.message}`,
          hint:
            problem.code === 'CATALOG_CHANNEL_MULTIPLE_HEADS'
              ? "the range cuts the channel's upgrade graph into several branches: raise maxVersion or lower minVersion until one head remains (OpenShift 4.19 manual, note below table 5.2)"
              : 'the kept part of the channel is not a valid upgrade graph; widen the range',
          ...where,
        });
        continue;
      }
      kept.push({ name: channel.name, head: head ?? headOf(entries) ?? '', entries });
    }

    if (kept.length === 0) {
      if (problems.length > problemsBefore) continue;
      if (spec) {
        const why = emptied.length > 0 ? `no bundle of ${emptied.length === 1 ? `channel ${emptied[0]}` : `channels ${emptied.join(', ')}`} is in the range` : 'no channel is left';
        problems.push({
          code: 'CATALOG_PACKAGE_EMPTY',
          message: `package ${pkg.name} selects nothing: ${why}`,
          hint: 'check minVersion/maxVersion against the versions the catalog has for this package',
          package: pkg.name,
          ...at(spec),
        });
      } else if (pkg.channels.size > 0) {
        notes.push(`package ${pkg.name} was left out: none of its channels has a head`);
      }
      continue;
    }

    const keptNames = new Set(kept.map((c) => c.name));
    let defaultChannel = pkg.defaultChannel;
    if (spec?.defaultChannel !== undefined) {
      if (!keptNames.has(spec.defaultChannel)) {
        problems.push({
          code: 'CATALOG_DEFAULT_CHANNEL_INVALID',
          message: `package ${pkg.name}: defaultChannel ${spec.defaultChannel} is not among the channels the filter keeps (${[...keptNames].join(', ')})`,
          hint: 'set defaultChannel to one of the kept channels',
          package: pkg.name,
          channel: spec.defaultChannel,
          ...at(spec),
        });
        continue;
      }
      defaultChannel = spec.defaultChannel;
    } else if (pkg.defaultChannel !== undefined && !keptNames.has(pkg.defaultChannel)) {
      problems.push({
        code: 'CATALOG_DEFAULT_CHANNEL_REQUIRED',
        message: `package ${pkg.name}: the filter leaves out its default channel ${pkg.defaultChannel}, so defaultChannel must name one of ${[...keptNames].join(', ')}`,
        hint: `add defaultChannel: ${[...keptNames][0] ?? ''} to the package (${TABLE}, defaultChannel)`,
        package: pkg.name,
        channel: pkg.defaultChannel,
        ...(spec ? at(spec) : {}),
      });
      continue;
    }

    const bundleNames = new Set(kept.flatMap((c) => c.entries.map((e) => e.name)));
    const bundles: FbcBundle[] = [];
    for (const name of [...bundleNames].sort(compareText)) {
      const bundle = pkg.bundles.get(name);
      if (bundle) bundles.push(bundle);
      else notes.push(`channel entry ${name} of package ${pkg.name} has no olm.bundle in the catalog; nothing to mirror for it`);
    }
    packages.push({
      name: pkg.name,
      ...(defaultChannel === undefined ? {} : { defaultChannel }),
      channels: kept.sort((a, b) => compareText(a.name, b.name)),
      bundles,
    });
  }

  if (problems.length > 0) throw new CatalogFilterError(config.catalog, problems, options.file);
  packages.sort((a, b) => compareText(a.name, b.name));
  return {
    catalog: config.catalog,
    full: config.full,
    rebuild: !(config.full && config.packages.length === 0),
    packages,
    dependencyWarnings: dependencyWarnings(model, packages),
    notes,
  };
}

function headOf(entries: readonly ChannelEntry[]): string | undefined {
  // channelProblem has accepted the entries, so there is exactly one replaces/skips head.
  const names = new Set(entries.map((e) => e.name));
  const incoming = new Set<string>();
  for (const e of entries) {
    if (e.replaces !== undefined && names.has(e.replaces)) incoming.add(e.replaces);
    for (const s of e.skips ?? []) if (names.has(s)) incoming.add(s);
  }
  return entries.find((e) => !incoming.has(e.name))?.name;
}

function gvkKey(g: Gvk): string {
  return `${g.group}/${g.version}/${g.kind}`;
}

function gvkText(g: Gvk): string {
  return `${g.kind}.${g.version}${g.group === '' ? '' : `.${g.group}`}`;
}

function satisfies(version: string | undefined, range: string): boolean {
  if (range.trim() === '') return true;
  const v = parseVersion(version);
  if (!v) return false;
  try {
    return semver.satisfies(v, range, { includePrerelease: true, loose: true });
  } catch {
    return false;
  }
}

/** Required packages and GVKs of kept bundles that no kept bundle provides. */
export function dependencyWarnings(model: FbcCatalog, kept: readonly FilteredPackage[]): DependencyWarning[] {
  const keptByPackage = new Map(kept.map((p) => [p.name, p.bundles]));
  const keptGvks = new Set(kept.flatMap((p) => p.bundles.flatMap((b) => b.providedGvks.map(gvkKey))));
  let gvkProviders: Map<string, Set<string>> | undefined;
  const providersOfGvk = (g: Gvk): string[] => {
    if (!gvkProviders) {
      gvkProviders = new Map();
      for (const pkg of model.packages.values()) {
        for (const b of pkg.bundles.values()) {
          for (const p of b.providedGvks) {
            const key = gvkKey(p);
            const set = gvkProviders.get(key) ?? new Set<string>();
            set.add(pkg.name);
            gvkProviders.set(key, set);
          }
        }
      }
    }
    return [...(gvkProviders.get(gvkKey(g)) ?? [])].sort(compareText);
  };

  const found = new Map<string, { package: string; bundles: Set<string>; requirement: Requirement }>();
  const add = (pkg: string, bundle: string, key: string, requirement: Requirement): void => {
    const k = `${pkg}\u0000${key}`;
    const entry = found.get(k) ?? { package: pkg, bundles: new Set<string>(), requirement };
    entry.bundles.add(bundle);
    found.set(k, entry);
  };
  for (const pkg of kept) {
    for (const b of pkg.bundles) {
      for (const r of b.requiredPackages) {
        const have = keptByPackage.get(r.packageName) ?? [];
        if (!have.some((x) => satisfies(x.version, r.versionRange))) {
          add(pkg.name, b.name, `package:${r.packageName}:${r.versionRange}`, { kind: 'package', packageName: r.packageName, versionRange: r.versionRange });
        }
      }
      for (const g of b.requiredGvks) {
        if (!keptGvks.has(gvkKey(g))) add(pkg.name, b.name, `gvk:${gvkKey(g)}`, { kind: 'gvk', gvk: g });
      }
    }
  }

  const warnings: DependencyWarning[] = [];
  for (const { package: pkg, bundles, requirement } of found.values()) {
    let providers: string[];
    let what: string;
    if (requirement.kind === 'package') {
      const candidate = model.packages.get(requirement.packageName);
      providers = candidate && [...candidate.bundles.values()].some((b) => satisfies(b.version, requirement.versionRange)) ? [requirement.packageName] : [];
      what = `package ${requirement.packageName}${requirement.versionRange ? ` ${requirement.versionRange}` : ''}`;
    } else {
      providers = providersOfGvk(requirement.gvk).filter((p) => p !== pkg);
      what = `API ${gvkText(requirement.gvk)}`;
    }
    const list = [...bundles].sort(compareText);
    const fix =
      providers.length > 0
        ? `add ${providers.length === 1 ? `package ${providers[0]}` : `one of the packages ${providers.join(', ')}`} to mirror.operators[].packages`
        : 'this catalog does not provide it; mirror it from another catalog';
    warnings.push({
      package: pkg,
      bundles: list,
      requirement,
      providers,
      message: `${pkg} (${list.join(', ')}) requires ${what}, which the filtered catalog does not contain: ${fix}`,
    });
  }
  return warnings.sort((a, b) => compareText(a.message, b.message));
}

/** The names of every kept bundle, sorted (what the table's "expected bundle versions" lists). */
export function keptBundleNames(result: FilterResult): string[] {
  return result.packages.flatMap((p) => p.bundles.map((b) => b.name)).sort(compareText);
}

/**
 * The result without the bundles in `drop` (`package/bundle` keys): bundles that could not be
 * shipped whole, so that the rebuilt catalog offers only what the enclave will have. A channel
 * left empty, or no longer a valid upgrade graph, is dropped; a package that loses its default
 * channel (or every channel) is dropped. `dropped` says what went, for the report.
 */
export function withoutBundles(result: FilterResult, drop: ReadonlySet<string>): { result: FilterResult; dropped: string[] } {
  if (drop.size === 0) return { result, dropped: [] };
  const dropped: string[] = [];
  const packages: FilteredPackage[] = [];
  for (const pkg of result.packages) {
    if (!pkg.bundles.some((b) => drop.has(`${pkg.name}/${b.name}`))) {
      packages.push(pkg);
      continue;
    }
    const channels: FilteredChannel[] = [];
    for (const channel of pkg.channels) {
      const entries = channel.entries.filter((e) => !drop.has(`${pkg.name}/${e.name}`));
      if (entries.length === channel.entries.length) {
        channels.push(channel);
        continue;
      }
      const problem = entries.length === 0 ? { message: 'has no complete bundle left' } : channelProblem(entries);
      if (problem) {
        dropped.push(`channel ${pkg.name}/${channel.name}: without its incomplete bundles it ${problem.message}`);
        continue;
      }
      channels.push({ name: channel.name, head: headOf(entries) ?? '', entries });
    }
    if (channels.length === 0 || (pkg.defaultChannel !== undefined && !channels.some((c) => c.name === pkg.defaultChannel))) {
      dropped.push(`package ${pkg.name}: ${channels.length === 0 ? 'no channel' : `its default channel ${pkg.defaultChannel ?? ''}`} is left once its incomplete bundles are removed`);
      continue;
    }
    const names = new Set(channels.flatMap((c) => c.entries.map((e) => e.name)));
    packages.push({ ...pkg, channels, bundles: pkg.bundles.filter((b) => names.has(b.name)) });
  }
  const keptBundles = new Set(packages.flatMap((p) => p.bundles.map((b) => `${p.name}/${b.name}`)));
  const dependencyWarningsLeft = result.dependencyWarnings.filter((w) => w.bundles.some((b) => keptBundles.has(`${w.package}/${b}`)));
  return { result: { ...result, packages, dependencyWarnings: dependencyWarningsLeft }, dropped };
}
