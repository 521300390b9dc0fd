/**
 * A small runtime schema kit for IPC arguments: each schema turns `unknown` into a typed value or
 * throws SchemaError naming the offending path. Objects are strict (unknown keys are refused),
 * strings are bounded, paths must be absolute. Pure; no Electron.
 */
import path from 'node:path';

export class SchemaError extends Error {
  constructor(
    readonly at: string,
    readonly why: string,
  ) {
    super(`${at} ${why}`);
  }
}

export type Schema<T> = (value: unknown, at: string) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

export interface StringOptions {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  /** Refuse control characters (all but tab, LF and CR). Default true. */
  readonly printable?: boolean;
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function str(options: StringOptions = {}): Schema<string> {
  const { min = 0, max = 4096, pattern, printable = true } = options;
  return (value, at) => {
    if (typeof value !== 'string') throw new SchemaError(at, `must be a string, got ${describe(value)}`);
    if (value.length < min) throw new SchemaError(at, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
    if (value.length > max) throw new SchemaError(at, `must have at most ${max} characters`);
    if (printable && CONTROL.test(value)) throw new SchemaError(at, 'must not contain control characters');
    if (pattern && !pattern.test(value)) throw new SchemaError(at, `has an invalid format`);
    return value;
  };
}

export const bool: Schema<boolean> = (value, at) => {
  if (typeof value !== 'boolean') throw new SchemaError(at, `must be true or false, got ${describe(value)}`);
  return value;
};

export function int(min: number, max: number): Schema<number> {
  return (value, at) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new SchemaError(at, `must be an integer, got ${describe(value)}`);
    if (value < min || value > max) throw new SchemaError(at, `must be between ${min} and ${max}`);
    return value;
  };
}

export function literal<const T extends readonly string[]>(...values: T): Schema<T[number]> {
  return (value, at) => {
    if (typeof value !== 'string' || !values.includes(value)) throw new SchemaError(at, `must be one of ${values.join(', ')}`);
    return value as T[number];
  };
}

/** An absolute, normalised local path without NUL; main re-checks existence where it matters. */
export const absPath: Schema<string> = (value, at) => {
  const text = str({ min: 1, max: 4096 })(value, at);
  if (!path.isAbsolute(text)) throw new SchemaError(at, 'must be an absolute path');
  if (path.normalize(text) !== text && path.normalize(text) !== text.replace(/[\\/]+$/, '')) {
    throw new SchemaError(at, 'must be a normalised path (no "." or ".." segments)');
  }
  return text;
};

const OPTIONAL = Symbol('optional');
type OptionalSchema<T> = Schema<T | undefined> & { readonly [OPTIONAL]: true };

export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  const wrapped = ((value: unknown, at: string) => (value === undefined ? undefined : schema(value, at))) as OptionalSchema<T>;
  Object.defineProperty(wrapped, OPTIONAL, { value: true });
  return wrapped;
}

type Shape = Readonly<Record<string, Schema<unknown>>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { readonly [K in RequiredKeys<S>]: Infer<S[K]> } & { readonly [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly these keys (optional ones may be absent); anything else is refused. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return (value, at) => {
    if (!isPlainObject(value)) throw new SchemaError(at, `must be an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) throw new SchemaError(`${at}.${key}`, 'is not a known field');
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(shape)) {
      const parsed = schema(value[key], `${at}.${key}`);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<S>;
  };
}

/** A union told apart by a string tag (`kind`). */
export function variant<K extends string, V extends Readonly<Record<string, Schema<unknown>>>>(tag: K, variants: V): Schema<Infer<V[keyof V]>> {
  return (value, at) => {
    if (!isPlainObject(value)) throw new SchemaError(at, `must be an object, got ${describe(value)}`);
    const which = value[tag];
    if (typeof which !== 'string' || !Object.prototype.hasOwnProperty.call(variants, which)) {
      throw new SchemaError(`${at}.${tag}`, `must be one of ${Object.keys(variants).join(', ')}`);
    }
    return (variants[which] as Schema<Infer<V[keyof V]>>)(value, at);
  };
}

/** Exactly these positional arguments. */
export function tuple<const S extends readonly Schema<unknown>[]>(...schemas: S): (args: readonly unknown[]) => { readonly [I in keyof S]: Infer<S[I]> } {
  return (args) => {
    if (args.length !== schemas.length) {
      throw new SchemaError('arguments', `expected ${schemas.length === 0 ? 'no arguments' : `${schemas.length} argument${schemas.length === 1 ? '' : 's'}`}, got ${args.length}`);
    }
    return schemas.map((schema, i) => schema(args[i], `argument ${i + 1}`)) as { readonly [I in keyof S]: Infer<S[I]> };
  };
}
