/**
 * v1alpha2 -> v2alpha1 (OpenShift 4.19 manual, section 6.2): the text is edited in place, so
 * comments, key order, quoting and blank lines survive; only the changed spans differ.
 *
 * What changes:
 * - apiVersion becomes mirror.openshift.io/v2alpha1;
 * - storageConfig is removed (with a comment block directly above it), since v2 keeps state in
 *   its workspace;
 * - an additionalImages name without a registry host gets the one v1 used implicitly, docker.io
 *   (the manual: v2 needs explicit hosts, or images land at the wrong destination path);
 * - operators[].targetName (deprecated in v1) becomes targetCatalog, or is dropped when a
 *   targetCatalog is already there;
 * - operators[].skipDependencies is removed: v2 never adds dependencies.
 * What cannot be migrated (channels[].minBundle, anything else v2 does not know) is left in place
 * and comes back as a problem, pointing into the migrated text.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { formatReference, parseReference } from '../reference/parse';
import { ConfigError, formatProblem } from './problems';
import { parseAnyConfig, parseYaml } from './load';
import { API_VERSION, LEGACY_API_VERSION, type ConfigProblem } from './types';

export interface MigrationResult {
  /** The migrated file. */
  readonly text: string;
  /** One line per change made, `file:line:column: what` (positions in the original text). */
  readonly changes: readonly string[];
  /** What is still wrong with the migrated text (positions in the migrated text); empty when it validates. */
  readonly problems: readonly ConfigProblem[];
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Migrates and returns the new text; see migrateConfigWithReport for the list of changes. */
export function migrateConfig(text: string, file: string): string {
  return migrateConfigWithReport(text, file).text;
}

/**
 * Migrates a v1alpha2 ImageSetConfiguration to v2alpha1. A file already at v2alpha1 comes back
 * unchanged. Throws ConfigError for YAML syntax errors and for any other apiVersion.
 */
export function migrateConfigWithReport(text: string, file: string): MigrationResult {
  const { doc, lines } = parseYaml(text, file);
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const fail = (offset: number, path: string, message: string, hint: string): ConfigError => {
    const { line, col } = lines.linePos(offset);
    return new ConfigError([{ file, line, column: col, path, message, hint }]);
  };

  const root = doc.contents;
  if (!isMap(root)) throw fail(root?.range?.[0] ?? 0, '', 'expected a mapping with apiVersion, kind and mirror', 'is this an ImageSetConfiguration?');
  const apiPair = findPair(root, 'apiVersion');
  const apiNode = apiPair?.value;
  const apiVersion = isScalar(apiNode) ? apiNode.value : undefined;
  if (apiVersion === API_VERSION) return { text, changes: [], problems: remainingProblems(text, file) };
  if (apiVersion !== LEGACY_API_VERSION || !isScalar(apiNode)) {
    const offset = (isScalar(apiNode) ? apiNode.range?.[0] : undefined) ?? root.range?.[0] ?? 0;
    throw fail(offset, 'apiVersion', `expected ${LEGACY_API_VERSION} (to migrate) or ${API_VERSION}, found ${apiVersion === undefined ? 'none' : `"${String(apiVersion)}"`}`, 'only oc-mirror v1 (v1alpha2) files can be migrated');
  }

  const edits: Edit[] = [];
  const changes: string[] = [];

  edits.push(replaceScalar(text, apiNode, API_VERSION));
  changes.push(`${at(apiNode.range?.[0] ?? 0)}: apiVersion: ${LEGACY_API_VERSION} -> ${API_VERSION}`);

  const storage = findPair(root, 'storageConfig');
  if (storage !== undefined) {
    edits.push(removePair(text, root, storage));
    changes.push(`${at(keyStart(storage))}: storageConfig: removed (oc-mirror v2 keeps its state in the workspace)`);
  }

  const mirror = findPair(root, 'mirror')?.value;
  if (isMap(mirror)) {
    const images = findPair(mirror, 'additionalImages')?.value;
    if (isSeq(images)) {
      for (const item of images.items) {
        if (!isMap(item)) continue;
        const nameNode = findPair(item, 'name')?.value;
        if (!isScalar(nameNode) || typeof nameNode.value !== 'string') continue;
        const qualified = qualify(nameNode.value);
        if (qualified === undefined) continue;
        edits.push(replaceScalar(text, nameNode, qualified));
        changes.push(`${at(nameNode.range?.[0] ?? 0)}: additionalImages: "${nameNode.value}" -> "${qualified}" (v1 read a name without registry as Docker Hub)`);
      }
    }

    const operators = findPair(mirror, 'operators')?.value;
    if (isSeq(operators)) {
      for (const op of operators.items) {
        if (!isMap(op)) continue;
        const targetName = findPair(op, 'targetName');
        if (targetName !== undefined) {
          if (findPair(op, 'targetCatalog') === undefined && isScalar(targetName.key)) {
            edits.push(replaceScalar(text, targetName.key, 'targetCatalog'));
            changes.push(`${at(keyStart(targetName))}: operators: targetName renamed to targetCatalog`);
          } else {
            edits.push(removePair(text, op, targetName));
            changes.push(`${at(keyStart(targetName))}: operators: targetName removed (targetCatalog is set)`);
          }
        }
        const skip = findPair(op, 'skipDependencies');
        if (skip !== undefined) {
          edits.push(removePair(text, op, skip));
          const wasFalse = isScalar(skip.value) && skip.value.value === false;
          changes.push(
            `${at(keyStart(skip))}: operators: skipDependencies removed (oc-mirror v2 never adds dependencies${wasFalse ? '; list the packages this catalog entry depends on explicitly' : ''})`,
          );
        }
      }
    }
  }

  const migrated = applyEdits(text, edits);
  return { text: migrated, changes, problems: remainingProblems(migrated, file) };
}

/** Human-readable report for the CLI: the changes, then whatever still needs a hand. */
export function describeMigration(result: MigrationResult): string {
  const out = result.changes.map((c) => `changed: ${c}`);
  for (const p of result.problems) out.push(`still to fix: ${formatProblem(p)}${p.hint === undefined ? '' : ` (${p.hint})`}`);
  return out.join('\n');
}

function remainingProblems(text: string, file: string): readonly ConfigProblem[] {
  try {
    parseAnyConfig(text, file);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** The docker.io form of a name that has no registry host, or undefined if it has one (or is not a reference). */
function qualify(name: string): string | undefined {
  try {
    parseReference(name, { requireRegistry: true });
    return undefined;
  } catch {
    try {
      return formatReference(parseReference(name));
    } catch {
      return undefined;
    }
  }
}

function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  for (const pair of map.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) return pair as Pair<Node, Node | null>;
  }
  return undefined;
}

function keyStart(pair: Pair<Node, Node | null>): number {
  return pair.key.range?.[0] ?? 0;
}

function replaceScalar(text: string, node: Scalar, value: string): Edit {
  const [start, end] = node.range ?? [0, 0];
  const original = text.slice(start, end);
  let replacement: string;
  if (original.startsWith('"')) replacement = JSON.stringify(value);
  else if (original.startsWith("'")) replacement = `'${value.replace(/'/g, "''")}'`;
  else if (original.startsWith('|') || original.startsWith('>')) replacement = `${JSON.stringify(value)}${original.endsWith('\n') ? '\n' : ''}`;
  else replacement = value;
  return { start, end, text: replacement };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEndInclusive(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Removes `key: value` from a mapping, with the whole lines it occupies in block style. */
function removePair(text: string, map: YAMLMap, pair: Pair<Node, Node | null>): Edit {
  const start = keyStart(pair);
  const valueEnd = Math.max(pair.value?.range?.[1] ?? 0, pair.key.range?.[1] ?? start);

  if (map.flow) {
    // {a: 1, b: 2}: take the pair and one neighbouring comma.
    const after = /^\s*,\s*/.exec(text.slice(valueEnd));
    if (after) return { start, end: valueEnd + after[0].length, text: '' };
    const before = /,\s*$/.exec(text.slice(0, start));
    return { start: before ? start - before[0].length : start, end: valueEnd, text: '' };
  }

  const from = lineStart(text, start);
  const prefix = text.slice(from, start);
  const to = lineEndInclusive(text, valueEnd);
  if (/^\s*$/.test(prefix)) {
    // Also take a comment block directly above, at the same indentation: it describes this key.
    let top = from;
    while (top > 0) {
      const prev = lineStart(text, top - 1);
      const line = text.slice(prev, top - 1);
      if (!line.startsWith(`${prefix}#`)) break;
      top = prev;
    }
    return { start: top, end: to, text: '' };
  }
  // "- key: value" as the first key of a list item: pull the next key up onto the dash line.
  const index = map.items.indexOf(pair as never);
  const next = map.items[index + 1];
  if (next !== undefined && isPair(next) && isScalar(next.key) && next.key.range) {
    return { start, end: next.key.range[0], text: '' };
  }
  return { start, end: valueEnd, text: '{}' };
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Infinity;
  for (const edit of sorted) {
    if (edit.end > limit) continue; // overlapping edits cannot happen with the rules above; keep the later one
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
    limit = edit.start;
  }
  return out;
}
