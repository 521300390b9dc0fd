import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { AirlockError, isAirlockError } from '../errors';
import { formatReference, parseReference } from '../reference/parse';

/**
 * containers-registries.conf(5) version 2: where to pull an image from (mirrors, remapped
 * locations), and which registries are insecure or blocked, read the way podman, skopeo and
 * `oc mirror` read it so that Airlock pulls from the same places they would.
 */

export type PullFromMirror = 'all' | 'digest-only' | 'tag-only';

export interface RegistryMirror {
  readonly location: string;
  readonly insecure: boolean;
  readonly pullFromMirror: PullFromMirror;
}

export interface RegistryEntry {
  /** What image names this entry applies to: a name prefix, or `*.example.com`. */
  readonly prefix: string;
  /** Where the prefix-rooted namespace really lives; empty for a wildcard prefix, meaning "as written". */
  readonly location: string;
  readonly insecure: boolean;
  readonly blocked: boolean;
  readonly mirrorByDigestOnly: boolean;
  readonly mirrors: readonly RegistryMirror[];
  /** The file that defined the entry, named in errors. */
  readonly file: string;
}

export interface RegistriesConf {
  /** The files read, main file first, then drop-ins in the order applied. */
  readonly files: readonly string[];
  readonly registries: readonly RegistryEntry[];
  readonly unqualifiedSearchRegistries: readonly string[];
  /** Things containers tools silently ignore that an operator should still hear about (unknown keys). */
  readonly warnings: readonly string[];
}

/** One place to try for an image, in the order to try them. */
export interface PullSource {
  readonly reference: string;
  readonly insecure: boolean;
  /** True for a mirror, false for the primary location. */
  readonly mirror: boolean;
}

export const EMPTY_REGISTRIES_CONF: RegistriesConf = { files: [], registries: [], unqualifiedSearchRegistries: [], warnings: [] };

const PULL_FROM_MIRROR: readonly PullFromMirror[] = ['all', 'digest-only', 'tag-only'];
const REGISTRY_KEYS = new Set(['prefix', 'location', 'insecure', 'blocked', 'mirror-by-digest-only', 'mirror']);
const MIRROR_KEYS = new Set(['location', 'insecure', 'pull-from-mirror']);
const FORMAT_HINT = 'see containers-registries.conf(5): [[registry]] tables with prefix, location, insecure, blocked, mirror-by-digest-only and [[registry.mirror]] tables';

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Where the i-th `[[registry]]` header is, so that errors about a table can name a line. */
function registryHeaderLines(text: string): number[] {
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (/^\s*\[\[\s*registry\s*\]\]/.test(line)) lines.push(i + 1);
  });
  return lines;
}

class ConfReader {
  readonly warnings: string[] = [];
  private readonly headerLines: number[];

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.headerLines = registryHeaderLines(text);
  }

  /** "file:line: the 2nd [[registry]] table" or "file: ..." when the position is unknown. */
  where(index?: number): { text: string; line?: number } {
    if (index === undefined) return { text: this.file };
    const line = this.headerLines[index];
    const table = `the ${ordinal(index + 1)} [[registry]] table`;
    return line === undefined ? { text: `${this.file}: ${table}` } : { text: `${this.file}:${line}: ${table}`, line };
  }

  invalid(message: string, index?: number, hint: string = FORMAT_HINT): AirlockError {
    const at = this.where(index);
    return new AirlockError('REGISTRIES_CONF_INVALID', `${at.text}: ${message}`, {
      context: { file: this.file, ...(at.line === undefined ? {} : { line: at.line }) },
      hint,
    });
  }

  bool(table: Record<string, unknown>, key: string, index: number): boolean {
    const value = table[key];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') throw this.invalid(`"${key}" must be true or false, not ${JSON.stringify(value)}`, index);
    return value;
  }

  string(table: Record<string, unknown>, key: string, index: number): string | undefined {
    const value = table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.invalid(`"${key}" must be a string, not ${JSON.stringify(value)}`, index);
    return value;
  }

  warnUnknown(table: Record<string, unknown>, known: ReadonlySet<string>, what: string, index: number): void {
    for (const key of Object.keys(table)) {
      if (!known.has(key)) this.warnings.push(`${this.where(index).text}: unknown key "${key}" in ${what} is ignored`);
    }
  }

  /**
   * A prefix or location as containers tools accept it: host[:port][/path][:tag|@digest], no URL
   * scheme, trailing slashes dropped, host lower-cased. Wildcards only where `allowWildcard`.
   */
  location(value: string, field: string, index: number | undefined, allowWildcard: boolean): string {
    const trimmed = value.trim().replace(/\/+$/, '');
    if (trimmed === '') throw this.invalid(`"${field}" is empty`, index);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
      throw this.invalid(`"${field}" = "${value}": URL schemes are not supported`, index, `write it as host[:port]/path, without ${trimmed.slice(0, trimmed.indexOf('://') + 3)}`);
    }
    if (trimmed.startsWith('*.')) {
      if (!allowWildcard) throw this.invalid(`"${field}" = "${value}": only a prefix may use a *. wildcard`, index);
      const host = trimmed.slice(2);
      if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host)) {
        throw this.invalid(`"${field}" = "${value}": a wildcard prefix is *. followed by a host name, with no port or path`, index, 'e.g. prefix = "*.example.com"');
      }
      return `*.${host.toLowerCase()}`;
    }
    if (trimmed.includes('*')) {
      throw this.invalid(`"${field}" = "${value}": a wildcard may only open the prefix, as in *.example.com`, index);
    }
    const slash = trimmed.indexOf('/');
    const host = (slash < 0 ? trimmed : trimmed.slice(0, slash)).toLowerCase();
    const normalised = host + (slash < 0 ? '' : trimmed.slice(slash));
    if (!(host.includes('.') || host.includes(':') || host === 'localhost')) {
      throw this.invalid(`"${field}" = "${value}" does not start with a registry host`, index, 'start it with the registry host, e.g. quay.io/ns or registry.local:5000/ns');
    }
    try {
      // A bare host is not an image name on its own; give it a repository to check the host part.
      const parsed = parseReference(slash < 0 ? `${normalised}/x` : normalised, { requireRegistry: true });
      if (parsed.registry !== host) throw new Error(`"${host}" is read as registry ${parsed.registry}`);
    } catch (err) {
      const why = isAirlockError(err) ? err.message.replace(/^invalid image reference "[^"]*": /, '') : (err as Error).message;
      throw this.invalid(`"${field}" = "${value}" is not a valid registry location: ${why}`, index);
    }
    return normalised;
  }
}

function parseMirror(reader: ConfReader, raw: unknown, index: number, mirrorByDigestOnly: boolean): RegistryMirror {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw reader.invalid('each [[registry.mirror]] must be a table', index);
  const table = raw as Record<string, unknown>;
  reader.warnUnknown(table, MIRROR_KEYS, '[[registry.mirror]]', index);
  const location = reader.string(table, 'location', index);
  if (location === undefined) throw reader.invalid('a [[registry.mirror]] has no "location"', index);
  const pull = reader.string(table, 'pull-from-mirror', index);
  if (pull !== undefined && pull !== '' && !PULL_FROM_MIRROR.includes(pull as PullFromMirror)) {
    throw reader.invalid(`pull-from-mirror = "${pull}" is not one of ${PULL_FROM_MIRROR.map((p) => `"${p}"`).join(', ')}`, index);
  }
  // The two settings would contradict each other, and containers tools refuse the combination.
  if (mirrorByDigestOnly && pull !== undefined && pull !== '') {
    throw reader.invalid('pull-from-mirror cannot be set on a mirror of a registry that has mirror-by-digest-only = true', index, 'keep one of the two: mirror-by-digest-only for the registry, or pull-from-mirror on each mirror');
  }
  return {
    location: reader.location(location, 'mirror location', index, false),
    insecure: reader.bool(table, 'insecure', index),
    pullFromMirror: pull === undefined || pull === '' ? 'all' : (pull as PullFromMirror),
  };
}

function parseRegistry(reader: ConfReader, raw: unknown, index: number): RegistryEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw reader.invalid('"registry" must be an array of [[registry]] tables', index);
  const table = raw as Record<string, unknown>;
  reader.warnUnknown(table, REGISTRY_KEYS, '[[registry]]', index);
  const rawLocation = reader.string(table, 'location', index) ?? '';
  const rawPrefix = reader.string(table, 'prefix', index) ?? '';
  if (rawLocation.trim() === '' && rawPrefix.trim() === '') throw reader.invalid('it has neither "prefix" nor "location"', index);
  const prefix = rawPrefix.trim() === '' ? reader.location(rawLocation, 'location', index, false) : reader.location(rawPrefix, 'prefix', index, true);
  const wildcard = prefix.startsWith('*.');
  if (!wildcard && rawLocation.trim() === '') {
    throw reader.invalid(`prefix "${prefix}" has no "location"`, index, 'add location = "<where the images really are>" (the same as the prefix if they are not moved)');
  }
  const location = rawLocation.trim() === '' ? '' : reader.location(rawLocation, 'location', index, false);
  const mirrorByDigestOnly = reader.bool(table, 'mirror-by-digest-only', index);
  const rawMirrors = table.mirror ?? [];
  if (!Array.isArray(rawMirrors)) throw reader.invalid('"mirror" must be written as [[registry.mirror]] tables', index);
  return {
    prefix,
    location,
    insecure: reader.bool(table, 'insecure', index),
    blocked: reader.bool(table, 'blocked', index),
    mirrorByDigestOnly,
    mirrors: rawMirrors.map((m) => parseMirror(reader, m, index, mirrorByDigestOnly)),
    file: reader.file,
  };
}

/** The deprecated version 1 lists, turned into the version 2 entries they mean. */
function convertV1(reader: ConfReader, v1: Record<string, unknown>): { registries: RegistryEntry[]; search: string[] } {
  const list = (name: string): string[] => {
    const section = v1[name];
    if (section === undefined) return [];
    const regs = (section as { registries?: unknown }).registries;
    if (!Array.isArray(regs) || regs.some((r) => typeof r !== 'string')) throw reader.invalid(`[registries.${name}] registries must be a list of host names`);
    return regs as string[];
  };
  const byLocation = new Map<string, { insecure: boolean; blocked: boolean }>();
  const entry = (host: string): { insecure: boolean; blocked: boolean } => {
    const location = reader.location(host, 'registries', undefined, false);
    let e = byLocation.get(location);
    if (!e) byLocation.set(location, (e = { insecure: false, blocked: false }));
    return e;
  };
  for (const host of list('block')) entry(host).blocked = true;
  for (const host of list('insecure')) entry(host).insecure = true;
  const registries = [...byLocation].map(([location, e]) => ({ prefix: location, location, insecure: e.insecure, blocked: e.blocked, mirrorByDigestOnly: false, mirrors: [], file: reader.file }));
  return { registries, search: list('search') };
}

interface ParsedFile {
  readonly registries: readonly RegistryEntry[];
  /** Undefined when the file does not set it, so a drop-in only overrides what it names. */
  readonly unqualifiedSearchRegistries?: readonly string[];
  readonly warnings: readonly string[];
}

function parseFile(text: string, file: string, allowV1: boolean): ParsedFile {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '') ?? err.message;
      throw new AirlockError('REGISTRIES_CONF_INVALID', `${file}:${err.line}:${err.column}: not valid TOML: ${first}`, {
        context: { file, line: err.line, column: err.column },
        hint: `fix line ${err.line} of ${file}; podman, skopeo and oc read the same file`,
        cause: err,
      });
    }
    throw err;
  }
  const reader = new ConfReader(file, text);
  const v1 = doc.registries;
  const rawRegistries = doc.registry;
  let registries: RegistryEntry[];
  let search: string[] | undefined;
  if (v1 !== undefined) {
    if (!allowV1) throw reader.invalid('drop-in files must use the version 2 format ([[registry]] tables), not [registries.*]');
    if (typeof v1 !== 'object' || v1 === null || Array.isArray(v1)) throw reader.invalid('"registries" must be a table');
    if (rawRegistries !== undefined || doc['unqualified-search-registries'] !== undefined) {
      throw reader.invalid('it mixes the version 1 [registries.*] format with version 2 settings', undefined, 'rewrite the [registries.search/insecure/block] lists as unqualified-search-registries and [[registry]] tables');
    }
    ({ registries, search } = convertV1(reader, v1 as Record<string, unknown>));
  } else {
    if (rawRegistries !== undefined && !Array.isArray(rawRegistries)) throw reader.invalid('"registry" must be written as [[registry]] tables');
    registries = ((rawRegistries as unknown[] | undefined) ?? []).map((r, i) => parseRegistry(reader, r, i));
    const rawSearch = doc['unqualified-search-registries'];
    if (rawSearch !== undefined) {
      if (!Array.isArray(rawSearch) || rawSearch.some((r) => typeof r !== 'string')) throw reader.invalid('"unqualified-search-registries" must be a list of host names');
      search = rawSearch as string[];
    }
  }
  const seen = new Map<string, number>();
  registries.forEach((r, i) => {
    const before = seen.get(r.prefix);
    if (before !== undefined) throw reader.invalid(`prefix "${r.prefix}" is already used by the ${ordinal(before + 1)} [[registry]] table`, i, 'merge the two tables into one');
    seen.set(r.prefix, i);
  });
  return { registries, ...(search === undefined ? {} : { unqualifiedSearchRegistries: search }), warnings: reader.warnings };
}

/** Parses one registries.conf text; `file` is only used in messages. */
export function parseRegistriesConf(text: string, file: string): RegistriesConf {
  const parsed = parseFile(text, file, true);
  return { files: [file], registries: parsed.registries, unqualifiedSearchRegistries: parsed.unqualifiedSearchRegistries ?? [], warnings: parsed.warnings };
}

/**
 * containers-registries.conf.d(5): a drop-in replaces the entry with the same prefix, adds the
 * others, and replaces unqualified-search-registries when it sets them.
 */
function merge(base: RegistriesConf, file: string, dropIn: ParsedFile): RegistriesConf {
  const registries = [...base.registries];
  for (const entry of dropIn.registries) {
    const at = registries.findIndex((r) => r.prefix === entry.prefix);
    if (at >= 0) registries[at] = entry;
    else registries.push(entry);
  }
  return {
    files: [...base.files, file],
    registries,
    unqualifiedSearchRegistries: dropIn.unqualifiedSearchRegistries ?? base.unqualifiedSearchRegistries,
    warnings: [...base.warnings, ...dropIn.warnings],
  };
}

export interface RegistriesConfSearch {
  readonly env?: NodeJS.ProcessEnv;
  readonly exists?: (path: string) => boolean;
}

/**
 * The file containers tools would read: CONTAINERS_REGISTRIES_CONF (or the older
 * REGISTRIES_CONFIG_PATH), else $HOME/.config/containers/registries.conf, else
 * /etc/containers/registries.conf. `explicit` is true for a path the environment named: such a path
 * must exist, as it must for podman, rather than silently falling back to direct pulls.
 */
export function findRegistriesConf(search: RegistriesConfSearch = {}): { file: string; explicit: boolean } | undefined {
  const env = search.env ?? process.env;
  const exists = search.exists ?? existsSync;
  const override = env.CONTAINERS_REGISTRIES_CONF || env.REGISTRIES_CONFIG_PATH;
  if (override) return { file: override, explicit: true };
  const candidates = [join(env.HOME || homedir(), '.config', 'containers', 'registries.conf'), '/etc/containers/registries.conf'];
  const file = candidates.find((c) => exists(c));
  return file === undefined ? undefined : { file, explicit: false };
}

async function readConf(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AirlockError('REGISTRIES_CONF_UNREADABLE', missing ? `registries.conf ${file} does not exist` : `cannot read registries.conf ${file}: ${(err as Error).message}`, {
      context: { file },
      hint: missing ? 'CONTAINERS_REGISTRIES_CONF (or the path given) names a file that is not there; fix or unset it' : 'check the permissions of the file',
      cause: err,
    });
  }
}

/** The drop-ins of `file`: `<file>.d/*.conf`, in byte order of their names. */
async function dropInFiles(file: string): Promise<string[]> {
  const dir = `${file}.d`;
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.conf'))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => join(dir, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new AirlockError('REGISTRIES_CONF_UNREADABLE', `cannot list the drop-in directory ${dir}: ${(err as Error).message}`, { context: { file: dir }, cause: err });
  }
}

/**
 * Loads registries.conf as containers tools find it (see findRegistriesConf), or `options.file`
 * when given, plus the `.d` drop-ins next to it. No file at all is not an error: images are then
 * pulled from where their names say.
 */
export async function loadRegistriesConf(options: RegistriesConfSearch & { readonly file?: string } = {}): Promise<RegistriesConf> {
  const found = options.file === undefined ? findRegistriesConf(options) : { file: options.file, explicit: true };
  if (found === undefined) return EMPTY_REGISTRIES_CONF;
  let conf = parseRegistriesConf(await readConf(found.file), found.file);
  for (const dropIn of await dropInFiles(found.file)) {
    conf = merge(conf, dropIn, parseFile(await readConf(dropIn), dropIn, false));
  }
  return conf;
}

/**
 * How much of `name` (canonical registry/repository[:tag][@digest]) the prefix covers, or -1.
 * Matches end on a component boundary, and a host never matches the same host with a port:
 * containers/image lets "example.com" match "example.com:5000" but documents that as unintended, and
 * here it would send an image to the wrong registry.
 */
function matchLength(name: string, host: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    // `*` is any number of subdomains, but at least one; no port.
    return host.endsWith(prefix.slice(1)) && host.length > prefix.length - 1 && !host.includes(':') ? host.length : -1;
  }
  if (!name.startsWith(prefix)) return -1;
  if (name.length === prefix.length) return prefix.length;
  const next = name[prefix.length];
  if (next === '/' || next === '@') return prefix.length;
  // Past the host a ':' starts a tag; at the end of the host it would start a port.
  if (next === ':' && prefix.length > host.length) return prefix.length;
  return -1;
}

interface Match {
  readonly entry: RegistryEntry;
  readonly length: number;
}

function bestMatch(conf: RegistriesConf, name: string, host: string): Match | undefined {
  let best: Match | undefined;
  for (const entry of conf.registries) {
    const length = matchLength(name, host, entry.prefix);
    if (length < 0) continue;
    if (best === undefined || isBetter(entry, length, best)) best = { entry, length };
  }
  return best;
}

/** Longest match wins; on a tie an exact prefix beats a wildcard, and a narrower wildcard a wider one. */
function isBetter(entry: RegistryEntry, length: number, than: Match): boolean {
  if (length !== than.length) return length > than.length;
  const wild = entry.prefix.startsWith('*.');
  const thanWild = than.entry.prefix.startsWith('*.');
  if (wild !== thanWild) return !wild;
  return entry.prefix.length > than.entry.prefix.length;
}

function canonical(reference: string): { name: string; host: string; byDigest: boolean } {
  const ref = parseReference(reference, { requireRegistry: true });
  return { name: formatReference(ref), host: ref.registry, byDigest: ref.digest !== undefined };
}

/** The [[registry]] entry that governs an image reference (longest matching prefix), if any. */
export function findRegistry(conf: RegistriesConf, reference: string): RegistryEntry | undefined {
  const { name, host } = canonical(reference);
  return bestMatch(conf, name, host)?.entry;
}

function rewrite(name: string, match: Match, location: string): string {
  if (location === '') return name;
  const rewritten = location + name.slice(match.length);
  try {
    return formatReference(parseReference(rewritten, { requireRegistry: true }));
  } catch (err) {
    throw new AirlockError('REGISTRIES_CONF_INVALID', `${match.entry.file}: prefix "${match.entry.prefix}" maps ${name} to "${rewritten}", which is not a valid image reference`, {
      context: { file: match.entry.file, registry: match.entry.prefix, image: name },
      hint: 'check the location of that [[registry]] table and of its mirrors',
      cause: err,
    });
  }
}

function mirrorApplies(entry: RegistryEntry, mirror: RegistryMirror, byDigest: boolean): boolean {
  if (entry.mirrorByDigestOnly) return byDigest;
  if (mirror.pullFromMirror === 'digest-only') return byDigest;
  if (mirror.pullFromMirror === 'tag-only') return !byDigest;
  return true;
}

/**
 * The places to try for an image, in order: the mirrors that apply to this kind of reference (by
 * digest or by tag), then the primary location unless the registry is blocked. A mirror that is
 * itself under a blocked prefix is skipped, as containers/image skips it. Throws REGISTRY_BLOCKED
 * when nothing is left.
 */
export function pullSources(conf: RegistriesConf, reference: string): readonly PullSource[] {
  const { name, host, byDigest } = canonical(reference);
  const match = bestMatch(conf, name, host);
  if (match === undefined) return [{ reference: name, insecure: false, mirror: false }];
  const { entry } = match;

  const sources: PullSource[] = [];
  for (const mirror of entry.mirrors) {
    if (!mirrorApplies(entry, mirror, byDigest)) continue;
    const target = rewrite(name, match, mirror.location);
    const { name: targetName, host: targetHost } = canonical(target);
    if (bestMatch(conf, targetName, targetHost)?.entry.blocked) continue;
    sources.push({ reference: target, insecure: mirror.insecure, mirror: true });
  }
  if (!entry.blocked) sources.push({ reference: rewrite(name, match, entry.location), insecure: entry.insecure, mirror: false });

  if (sources.length === 0) {
    const onlyDigest = entry.mirrors.length > 0 && !byDigest && entry.mirrors.every((m) => !mirrorApplies(entry, m, false));
    throw new AirlockError('REGISTRY_BLOCKED', `pulling ${name} is blocked by ${entry.file} ([[registry]] prefix "${entry.prefix}" has blocked = true${entry.mirrors.length > 0 ? ' and no mirror that serves this reference' : ''})`, {
      context: { registry: entry.prefix, image: name, file: entry.file },
      hint: onlyDigest
        ? 'its mirrors only serve pulls by digest: refer to the image by its @sha256: digest'
        : `pull it from an allowed registry, or change blocked = true in ${entry.file} if the block is wrong`,
    });
  }
  return sources;
}
