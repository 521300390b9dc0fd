/**
 * A small typed reader over a `yaml` Document that keeps positions: every accessor reports what
 * it expected, at the line and column of the key (for mapping values) or of the item (for list
 * items), into a shared problem list instead of throwing, so one pass finds every problem.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type Scalar } from 'yaml';
import semver from 'semver';
import { closest } from './suggest';
import type { ConfigProblem, Located } from './types';

/** A node with where to blame it and how to name it in messages. */
export interface Slot {
  readonly node: Node | null;
  readonly at: Located;
  readonly path: string;
}

export interface KeyNote {
  readonly message: string;
  readonly hint?: string;
}

export function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export class Reader {
  readonly problems: ConfigProblem[] = [];

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  position(offset: number): Located {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  positionOf(node: Node | null | undefined, fallback: Located): Located {
    const start = node?.range?.[0];
    return start === undefined ? fallback : this.position(start);
  }

  report(at: Located, path: string, message: string, hint?: string): void {
    this.problems.push({ file: this.file, line: at.line, column: at.column, path, message, ...(hint === undefined ? {} : { hint }) });
  }

  /** Follows aliases; a null scalar counts as no value. */
  deref(node: unknown): Node | null {
    let current = node;
    for (let i = 0; i < 32 && isAlias(current); i++) current = current.resolve(this.doc);
    if (current === undefined || current === null) return null;
    if (isScalar(current) && current.value === null) return null;
    return current as Node;
  }

  /** Reads a mapping; reports and returns undefined when the slot holds something else. */
  map(slot: Slot, what = 'a mapping'): Fields | undefined {
    const node = this.deref(slot.node);
    if (node === null) return new Fields(this, slot.path, slot.at, new Map(), false);
    if (!isMap(node)) {
      this.report(slot.at, slot.path, `expected ${what}, found ${describe(node)}`);
      return undefined;
    }
    const entries = new Map<string, Field>();
    for (const pair of node.items as Pair<unknown, unknown>[]) {
      const keyNode = this.deref(pair.key);
      const at = this.positionOf(keyNode, this.positionOf(node, slot.at));
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
        this.report(at, slot.path, `keys must be plain strings, found ${keyNode === null ? 'an empty key' : describe(keyNode)}`);
        continue;
      }
      const key = keyNode.value;
      entries.set(key, { key, keyNode, value: pair.value as Node | null, at, path: childPath(slot.path, key) });
    }
    return new Fields(this, slot.path, this.positionOf(node, slot.at), entries, true);
  }

  /** Reads a list; reports and returns [] when the slot holds something else. Null is []. */
  list(slot: Slot, what = 'a list'): Slot[] {
    const node = this.deref(slot.node);
    if (node === null) return [];
    if (!isSeq(node)) {
      this.report(slot.at, slot.path, `expected ${what}, found ${describe(node)}`);
      return [];
    }
    return (node.items as unknown[]).map((item, i) => {
      const itemNode = isAlias(item) || isScalar(item) || isMap(item) || isSeq(item) ? (item as Node) : null;
      return { node: itemNode, at: this.positionOf(itemNode, this.positionOf(node, slot.at)), path: `${slot.path}[${i}]` };
    });
  }

  /** A string value; numbers and booleans are refused (oc-mirror would refuse them too). */
  string(slot: Slot, options: { required?: boolean; what?: string } = {}): string | undefined {
    const node = this.deref(slot.node);
    if (node === null) {
      if (options.required) this.report(slot.at, slot.path, `must not be empty: expected ${options.what ?? 'a string'}`);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== 'string') {
      const quoted = isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean');
      this.report(
        slot.at,
        slot.path,
        `expected ${options.what ?? 'a string'}, found ${describe(node)}`,
        quoted ? `put the value in quotes: '${sourceText(node as Scalar)}'` : undefined,
      );
      return undefined;
    }
    if (options.required && node.value.trim() === '') {
      this.report(slot.at, slot.path, `must not be empty: expected ${options.what ?? 'a string'}`);
      return undefined;
    }
    return node.value;
  }

  bool(slot: Slot): boolean | undefined {
    const node = this.deref(slot.node);
    if (node === null) return undefined;
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      const text = isScalar(node) ? sourceText(node).toLowerCase() : '';
      const hint = ['yes', 'on', 'y', '"true"', "'true'"].includes(text)
        ? 'write true'
        : ['no', 'off', 'n', '"false"', "'false'"].includes(text)
          ? 'write false'
          : 'write true or false';
      this.report(slot.at, slot.path, `expected true or false, found ${describe(node)}`, hint);
      return undefined;
    }
    return node.value;
  }

  /** A whole number greater than zero. */
  positiveInteger(slot: Slot, what: string): number | undefined {
    const node = this.deref(slot.node);
    if (node === null) return undefined;
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isSafeInteger(node.value) || /[.eE]/.test(sourceText(node))) {
      const quotedNumber = isScalar(node) && typeof node.value === 'string' && /^\s*\d+\s*$/.test(node.value);
      this.report(slot.at, slot.path, `expected ${what}, found ${describe(node)}`, quotedNumber ? 'remove the quotes' : undefined);
      return undefined;
    }
    if (node.value <= 0) {
      this.report(slot.at, slot.path, `expected ${what}, found ${node.value}`, 'it must be greater than zero');
      return undefined;
    }
    return node.value;
  }

  /** One of a fixed set of strings; near misses get a suggestion. */
  oneOf<T extends string>(slot: Slot, allowed: readonly T[], aliases: Readonly<Record<string, T>> = {}): T | undefined {
    const value = this.string(slot, { what: `one of ${allowed.join(', ')}` });
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const alias = aliases[value] ?? aliases[value.toLowerCase()];
    const guess = alias ?? closest(value, allowed);
    this.report(
      slot.at,
      slot.path,
      `"${value}" is not one of ${allowed.join(', ')}${guess === undefined ? '' : `; did you mean "${guess}"?`}`,
    );
    return undefined;
  }

  /** A semantic version string (MAJOR.MINOR.PATCH[-pre][+build]), as oc-mirror reads versions. */
  version(slot: Slot, example: string): string | undefined {
    const node = this.deref(slot.node);
    if (node !== null && isScalar(node) && typeof node.value === 'number') {
      const text = sourceText(node);
      const full = /^\d+\.\d+$/.test(text) ? `${text}.0` : /^\d+$/.test(text) ? `${text}.0.0` : example;
      this.report(slot.at, slot.path, `expected a version string such as ${example}, found the number ${text}`, `write the full version in quotes: '${full}'`);
      return undefined;
    }
    const value = this.string(slot, { what: `a version string such as ${example}` });
    if (value === undefined) return undefined;
    if (semver.valid(value) === null || /^[v=]/i.test(value.trim()) || value !== value.trim()) {
      this.report(slot.at, slot.path, `"${value}" is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. ${example})`, semverHint(value, example));
      return undefined;
    }
    return value;
  }
}

function semverHint(value: string, example: string): string {
  const v = value.trim();
  if (/^[v=]/i.test(v)) return `drop the leading "${v[0]}": ${v.slice(1)}`;
  if (/^\d+\.\d+$/.test(v)) return `add the patch number: ${v}.0`;
  if (/^\d+$/.test(v)) return `add minor and patch numbers: ${v}.0.0`;
  return `versions look like ${example}`;
}

interface Field {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node | null;
  readonly at: Located;
  readonly path: string;
}

/** The keys of one mapping. */
export class Fields {
  constructor(
    private readonly reader: Reader,
    readonly path: string,
    /** Where the mapping starts: its first key for a block mapping. */
    readonly at: Located,
    private readonly entries: Map<string, Field>,
    /** False when the slot was empty (null): every key then reads as absent. */
    readonly present: boolean,
  ) {}

  has(key: string): boolean {
    const field = this.entries.get(key);
    return field !== undefined && this.reader.deref(field.value) !== null;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Reports every key not in `allowed`; `notes` explain keys that are known but wrong here. */
  allow(allowed: readonly string[], notes: Readonly<Record<string, KeyNote>> = {}): void {
    for (const field of this.entries.values()) {
      if (allowed.includes(field.key)) continue;
      const note = Object.hasOwn(notes, field.key) ? notes[field.key] : undefined;
      if (note !== undefined) {
        this.reader.report(field.at, field.path, note.message, note.hint);
        continue;
      }
      const guess = closest(field.key, allowed);
      this.reader.report(
        field.at,
        field.path,
        `unknown key${guess === undefined ? '' : `; did you mean "${guess}"?`}`,
        `${this.path === '' ? 'top-level keys' : `keys under ${this.path}`} are: ${allowed.join(', ')}`,
      );
    }
  }

  /** The slot of a key; when absent, a slot at the mapping itself with a null node. */
  slot(key: string): Slot {
    const field = this.entries.get(key);
    if (field === undefined) return { node: null, at: this.at, path: childPath(this.path, key) };
    return { node: field.value, at: field.at, path: field.path };
  }

  /** Reports a missing (or empty) required key at the mapping; true when present. */
  require(key: string, what: string): boolean {
    if (this.has(key)) return true;
    const field = this.entries.get(key);
    if (field !== undefined) this.reader.report(field.at, field.path, `must not be empty: expected ${what}`);
    else this.reader.report(this.at, this.path, `"${key}" is required: expected ${what}`);
    return false;
  }

  string(key: string, options: { required?: boolean; what?: string } = {}): string | undefined {
    if (options.required && !this.require(key, options.what ?? 'a string')) return undefined;
    return this.reader.string(this.slot(key), options);
  }

  bool(key: string): boolean | undefined {
    return this.reader.bool(this.slot(key));
  }

  version(key: string, example: string): string | undefined {
    return this.reader.version(this.slot(key), example);
  }
}

export function sourceText(node: Scalar): string {
  return typeof node.source === 'string' ? node.source : String(node.value);
}

/** How a value reads in "found …". */
export function describe(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return 'nothing';
    if (typeof value === 'string') return `the string "${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
    if (typeof value === 'number' || typeof value === 'bigint') return `the number ${sourceText(node)}`;
    if (typeof value === 'boolean') return String(value);
  }
  return 'a value of another kind';
}
