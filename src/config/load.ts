import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { AirlockError } from '../errors';
import { ConfigError } from './problems';
import { validateDocument } from './validate';
import { Reader } from './yaml-reader';
import type { AnyImageSetConfig, ConfigProblem, DeleteImageSetConfig, ImageSetConfig } from './types';

export const CONFIG_UNREADABLE = 'CONFIG_UNREADABLE';

const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'a key may appear only once in a mapping: remove or merge one of them',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTIPLE_DOCS: 'put one configuration in each file (remove the "---" separator and what follows)',
  BAD_INDENT: 'check the indentation: items of one list or mapping line up in the same column',
  MULTILINE_IMPLICIT_KEY: 'a key and its colon must be on one line; a value continued on the next line must be indented further than its key',
};

export interface ParsedYaml {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** Parses YAML keeping positions; throws ConfigError listing every syntax error at file:line:col. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems: ConfigProblem[] = doc.errors.map((err) => {
      const { line, col } = lines.linePos(err.pos[0]);
      const hint = SYNTAX_HINTS[err.code] ?? (/quote/i.test(err.message) ? 'close the quoted string' : undefined);
      return { file, line, column: col, path: '', message: `YAML syntax error: ${err.message}`, ...(hint === undefined ? {} : { hint }) };
    });
    throw new ConfigError(problems);
  }
  return { doc, lines };
}

function parse(text: string, fileName: string, expected: 'any' | 'mirror' | 'delete'): AnyImageSetConfig {
  const { doc, lines } = parseYaml(text, fileName);
  const reader = new Reader(fileName, doc, lines);
  const config = validateDocument(reader, doc.contents, expected);
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  if (config === undefined) throw new Error(`config validation of ${fileName} produced neither a result nor a problem`);
  return deepFreeze(config);
}

/** Plain objects and arrays only: compiled RegExps stay as they are. */
function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)) {
    for (const child of Object.values(value as object)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses and validates an ImageSetConfiguration (apiVersion mirror.openshift.io/v2alpha1).
 * Throws ConfigError (an AirlockError, code CONFIG_INVALID) listing every problem found, each as
 * `file:line:column: path: what is wrong`.
 */
export function parseConfig(text: string, fileName: string): ImageSetConfig {
  return parse(text, fileName, 'mirror') as ImageSetConfig;
}

/** Parses and validates a DeleteImageSetConfiguration (table 5.4). */
export function parseDeleteConfig(text: string, fileName: string): DeleteImageSetConfig {
  return parse(text, fileName, 'delete') as DeleteImageSetConfig;
}

/** Either kind, told apart by `kind`. */
export function parseAnyConfig(text: string, fileName: string): AnyImageSetConfig {
  return parse(text, fileName, 'any');
}

async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw new AirlockError(CONFIG_UNREADABLE, `${path}: the configuration file ${why}`, {
      context: { file: path },
      hint: 'give the path of an ImageSetConfiguration YAML file',
      cause: err,
    });
  }
}

/** Reads and validates an ImageSetConfiguration file; messages name `path` as given. */
export async function loadConfigFile(path: string): Promise<ImageSetConfig> {
  return parseConfig(await readConfigText(path), path);
}

export async function loadDeleteConfigFile(path: string): Promise<DeleteImageSetConfig> {
  return parseDeleteConfig(await readConfigText(path), path);
}

export type UnsupportedSection = 'platform' | 'operators' | 'helm';

/**
 * The sections Airlock cannot carry yet that this configuration uses: `helm` when present; for a
 * DeleteImageSetConfiguration also `platform` and `operators` (releases and catalogs are mirrored,
 * but not deleted yet). In that order.
 */
export function unsupportedSections(config: AnyImageSetConfig): UnsupportedSection[] {
  const spec = config.kind === 'ImageSetConfiguration' ? config.mirror : config.delete;
  const found: UnsupportedSection[] = [];
  if (config.kind !== 'ImageSetConfiguration' && spec.platform !== undefined) found.push('platform');
  if (config.kind !== 'ImageSetConfiguration' && spec.operators.length > 0) found.push('operators');
  if ('helm' in spec && spec.helm !== undefined) found.push('helm');
  return found;
}
