import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { AirlockError } from '../errors';
import type { ImageReference } from '../reference';

/**
 * containers-registries.d(5): YAML files of per-registry, per-namespace and per-image settings,
 * read the way containers/image reads them (docker/registries_d.go), so that a directory that
 * works for skopeo, podman and `oc mirror` means the same here. Airlock uses one setting,
 * `use-sigstore-attachments`: whether an image's cosign tag-scheme attachments travel with it.
 * The lookaside keys are recognised (they are common in these files) but Airlock does not read
 * lookaside signature stores.
 */

export interface SigstoreSection {
  /** `default-docker`, or a `docker` key: host[:port][/namespace...][:tag|@digest], or `*.domain`. */
  readonly scope: string;
  /** Unset when the section does not say: the next broader scope (then default-docker) decides. */
  readonly useSigstoreAttachments?: boolean;
  readonly file: string;
  readonly line: number;
}

export interface RegistriesD {
  /** The directory read; absent when there was none. */
  readonly dir?: string;
  /** The `.yaml` files read, in name order. */
  readonly files: readonly string[];
  /** The `default-docker` section, when a file has one with at least one setting. */
  readonly defaultDocker?: SigstoreSection;
  readonly docker: readonly SigstoreSection[];
  /** What containers tools silently ignore that an operator should still hear about. */
  readonly warnings: readonly string[];
}

export const EMPTY_REGISTRIES_D: RegistriesD = { files: [], docker: [], warnings: [] };

const SECTION_KEYS = new Set(['lookaside', 'lookaside-staging', 'sigstore', 'sigstore-staging', 'use-sigstore-attachments']);
const FORMAT_HINT = 'see containers-registries.d(5): a mapping with `default-docker:` and `docker:` (scope: settings), e.g. docker: {quay.io: {use-sigstore-attachments: false}}';

interface ParsedFile {
  readonly defaultDocker?: SigstoreSection;
  readonly docker: readonly SigstoreSection[];
  readonly warnings: readonly string[];
}

class FileReader {
  readonly warnings: string[] = [];
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 1 : this.lines.linePos(offset).line;
  }

  invalid(line: number, message: string, hint: string = FORMAT_HINT): AirlockError {
    return new AirlockError('REGISTRIES_D_INVALID', `${this.file}:${line}: ${message}`, { context: { file: this.file, line }, hint });
  }

  /** One configuration section; undefined when it sets nothing Airlock or containers tools know. */
  section(scope: string, value: unknown, keyLine: number): SigstoreSection | undefined {
    if (value === null || value === undefined || (isScalar(value) && value.value === null)) return undefined;
    if (!isMap(value)) throw this.invalid(keyLine, `the settings of "${scope}" must be a mapping (e.g. use-sigstore-attachments: true)`);
    let known = false;
    let use: boolean | undefined;
    for (const pair of value.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const line = this.lineOf(pair.key as Node);
      if (!SECTION_KEYS.has(key)) {
        this.warnings.push(`${this.file}:${line}: unknown key "${key}" in the settings of "${scope}" is ignored`);
        continue;
      }
      const raw = isScalar(pair.value) ? pair.value.value : pair.value;
      if (raw === null || raw === undefined) continue;
      known = true;
      if (key === 'use-sigstore-attachments') {
        if (typeof raw !== 'boolean') throw this.invalid(line, `use-sigstore-attachments of "${scope}" must be true or false, not ${JSON.stringify(isScalar(pair.value) ? pair.value.source ?? raw : String(raw))}`);
        use = raw;
      }
    }
    return known ? { scope, ...(use === undefined ? {} : { useSigstoreAttachments: use }), file: this.file, line: keyLine } : undefined;
  }
}

/** Parses one registries.d file; `file` is only used in messages. */
export function parseRegistriesDFile(text: string, file: string): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new AirlockError('REGISTRIES_D_INVALID', `${file}:${line}:${col}: not valid YAML: ${syntax.message.split('\n')[0] ?? syntax.message}`, {
      context: { file, line, column: col },
      hint: `fix line ${line} of ${file}; skopeo, podman and oc mirror read the same directory`,
      cause: syntax,
    });
  }
  const reader = new FileReader(file, lines);
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return { docker: [], warnings: [] };
  if (!isMap(top)) throw reader.invalid(reader.lineOf(top), 'the file must be a YAML mapping with `default-docker` and/or `docker`');
  let defaultDocker: SigstoreSection | undefined;
  const docker: SigstoreSection[] = [];
  for (const pair of top.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const line = reader.lineOf(pair.key as Node);
    if (key === 'default-docker') {
      defaultDocker = reader.section('default-docker', pair.value, line);
    } else if (key === 'docker') {
      const scopes = pair.value;
      if (scopes === null || (isScalar(scopes) && scopes.value === null)) continue;
      if (!isMap(scopes)) throw reader.invalid(line, '`docker` must be a mapping of scopes (registry, namespace or image) to their settings');
      for (const entry of scopes.items) {
        const scope = isScalar(entry.key) ? String(entry.key.value) : String(entry.key);
        const scopeLine = reader.lineOf(entry.key as Node);
        // containers/image looks scopes up verbatim: one that can never match deserves a word.
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(scope)) reader.warnings.push(`${file}:${scopeLine}: scope "${scope}" never matches an image: write it without the URL scheme`);
        docker.push(reader.section(scope, entry.value, scopeLine) ?? { scope, file, line: scopeLine });
      }
    } else {
      reader.warnings.push(`${file}:${line}: unknown top-level key "${key}" is ignored`);
    }
  }
  return { ...(defaultDocker ? { defaultDocker } : {}), docker, warnings: reader.warnings };
}

/**
 * Merges the files of a directory as containers/image does: at most one `default-docker` across
 * all of them and each `docker` scope in one file only; a second one is an error naming both.
 */
export function mergeRegistriesD(dir: string | undefined, files: ReadonlyArray<{ readonly file: string; readonly parsed: ParsedFile }>): RegistriesD {
  let defaultDocker: SigstoreSection | undefined;
  const docker = new Map<string, SigstoreSection>();
  const warnings: string[] = [];
  for (const { parsed } of files) {
    warnings.push(...parsed.warnings);
    if (parsed.defaultDocker) {
      if (defaultDocker) throw duplicate('"default-docker"', defaultDocker, parsed.defaultDocker);
      defaultDocker = parsed.defaultDocker;
    }
    for (const section of parsed.docker) {
      const before = docker.get(section.scope);
      if (before) throw duplicate(`"docker" scope "${section.scope}"`, before, section);
      docker.set(section.scope, section);
    }
  }
  return { ...(dir === undefined ? {} : { dir }), files: files.map((f) => f.file), ...(defaultDocker ? { defaultDocker } : {}), docker: [...docker.values()], warnings };
}

function duplicate(what: string, first: SigstoreSection, second: SigstoreSection): AirlockError {
  const same = first.file === second.file;
  return new AirlockError('REGISTRIES_D_INVALID', `${second.file}:${second.line}: ${what} is already defined ${same ? `on line ${first.line}` : `in ${first.file}:${first.line}`}`, {
    context: { file: second.file, line: second.line, expected: `${first.file}:${first.line}` },
    hint: 'containers-registries.d(5) allows one configuration per scope across all files: merge the two',
  });
}

/**
 * The scopes that may configure an image, most precise first, as containers/image builds them
 * (PolicyConfigurationIdentity, then PolicyConfigurationNamespaces): the image with its tag or
 * digest, the repository, each parent namespace, the host (with its port), then `*.domain`
 * wildcards of the port-less host name.
 */
export function registriesDScopes(ref: ImageReference): string[] {
  const name = `${ref.registry}/${ref.repository}`;
  const scopes = [ref.digest ? `${name}@${ref.digest}` : `${name}:${ref.tag ?? 'latest'}`];
  let namespace = name;
  for (;;) {
    scopes.push(namespace);
    const slash = namespace.lastIndexOf('/');
    if (slash < 0) break;
    namespace = namespace.slice(0, slash);
  }
  const colon = namespace.indexOf(':');
  let host = colon < 0 ? namespace : namespace.slice(0, colon);
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.')) {
    host = host.slice(dot + 1);
    scopes.push(`*.${host}`);
  }
  return scopes;
}

export interface SigstoreDecision {
  readonly use: boolean;
  /** The scope that decided, or `default-docker`. */
  readonly scope: string;
  readonly file: string;
}

/**
 * What the directory says about an image's sigstore attachments: the most precise scope that sets
 * `use-sigstore-attachments`, else `default-docker` if it sets it; undefined when nothing does.
 * A scope that exists but does not set the key is passed over, as containers/image does.
 */
export function sigstoreAttachmentsSetting(conf: RegistriesD, ref: ImageReference): SigstoreDecision | undefined {
  if (conf.docker.length > 0) {
    const byScope = new Map(conf.docker.map((s) => [s.scope, s]));
    for (const scope of registriesDScopes(ref)) {
      const section = byScope.get(scope);
      if (section?.useSigstoreAttachments !== undefined) return { use: section.useSigstoreAttachments, scope, file: section.file };
    }
  }
  const fallback = conf.defaultDocker;
  if (fallback?.useSigstoreAttachments !== undefined) return { use: fallback.useSigstoreAttachments, scope: 'default-docker', file: fallback.file };
  return undefined;
}

export interface RegistriesDSearch {
  /** `--registries.d`: this directory and no other; it must exist. */
  readonly dir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the system directory is; /etc/containers/registries.d (tests point it elsewhere). */
  readonly systemDir?: string;
}

export const SYSTEM_REGISTRIES_D = '/etc/containers/registries.d';

/**
 * The directory containers tools would read: `$HOME/.config/containers/registries.d` when it
 * exists, else the system one. One directory, never both: a user directory replaces the system's.
 */
export function findRegistriesD(search: RegistriesDSearch = {}): { dir: string; explicit: boolean } {
  if (search.dir !== undefined) return { dir: search.dir, explicit: true };
  const env = search.env ?? process.env;
  const user = join(env.HOME || homedir(), '.config', 'containers', 'registries.d');
  return { dir: existsSync(user) ? user : (search.systemDir ?? SYSTEM_REGISTRIES_D), explicit: false };
}

async function yamlFiles(dir: string, explicit: boolean): Promise<string[] | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => !e.isDirectory() && e.name.endsWith('.yaml'))
      .map((e) => e.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => join(dir, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!explicit && code === 'ENOENT') return undefined;
    throw new AirlockError('REGISTRIES_D_UNREADABLE', code === 'ENOENT' ? `the registries.d directory ${dir} does not exist` : `cannot read the registries.d directory ${dir}: ${(err as Error).message}`, {
      context: { file: dir },
      hint: explicit ? '--registries.d names a directory of *.yaml files (containers-registries.d(5)); fix the path' : 'check the permissions of the directory',
      cause: err,
    });
  }
}

/**
 * Loads registries.d as containers tools find it (see findRegistriesD), or `search.dir` when given.
 * No directory at all is not an error: nothing is configured then.
 */
export async function loadRegistriesD(search: RegistriesDSearch = {}): Promise<RegistriesD> {
  const found = findRegistriesD(search);
  const names = await yamlFiles(found.dir, found.explicit);
  if (names === undefined) return EMPTY_REGISTRIES_D;
  const files: Array<{ file: string; parsed: ParsedFile }> = [];
  for (const file of names) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // Removed between the listing and the read: containers/image skips it too.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new AirlockError('REGISTRIES_D_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { context: { file }, hint: 'check the permissions of the file', cause: err });
    }
    files.push({ file, parsed: parseRegistriesDFile(text, file) });
  }
  return mergeRegistriesD(found.dir, files);
}
