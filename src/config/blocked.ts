/**
 * `mirror.blockedImages`: images that must not be mirrored even though another section selects
 * them. Each pattern is tested against both the source and the destination reference of every
 * image, in canonical form: `registry/repository[:tag][@digest]`, with Docker Hub written out
 * (`docker.io/library/alpine`, never `alpine`). A reference with both a tag and a digest is also
 * tested as `registry/repository:tag` and as `registry/repository@digest`; any match blocks it.
 *
 * oc-mirror v2 treats the names as regular expressions searched for in the reference, so a name
 * like `docker.io/library/alpine` also blocks `docker.io/library/alpine-extra` and the dots match
 * any character. Airlock keeps regular expressions available but makes the plain form exact:
 *
 * 1. A plain reference (no `*`, not wrapped in slashes) must name a registry host.
 *    - Without tag or digest it blocks that repository and every repository under it, at any tag
 *      or digest: `quay.io/acme` blocks `quay.io/acme/app:1.0` and `quay.io/acme/tools/x@sha256:…`
 *      but not `quay.io/acme-labs/app`.
 *    - With a tag it blocks references to that repository carrying that tag:
 *      `docker.io/library/alpine:3.19` blocks `docker.io/library/alpine:3.19` (also when a digest
 *      is pinned beside the tag), not `…:3.20` and not a digest-only reference.
 *    - With a digest it blocks references to that repository with that digest, whatever the tag.
 *    Docker Hub names are normalised on both sides, so `docker.io/alpine` means
 *    `docker.io/library/alpine`.
 * 2. A glob contains `*`. It must match the whole canonical reference. `*` matches any run of
 *    characters except `/`; `**` matches any run including `/`. Examples: `quay.io/acme/*` blocks
 *    `quay.io/acme/app:1.0` but not `quay.io/acme/tools/x:1`; `quay.io/acme/**` blocks both;
 *    `**:latest` blocks every reference by the `latest` tag; `mirror-*.example.com/**` blocks
 *    everything on the matching registries.
 * 3. A value wrapped in slashes, `/…/`, is a JavaScript regular expression (no flags), searched
 *    for anywhere in the canonical reference; anchor it with `^` and `$` to match whole references.
 *    `/^quay\.io\/acme\/.*-debug(:|@|$)/` blocks every repository ending in `-debug` under acme.
 */
import { AirlockError } from '../errors';
import { formatReference, parseReference, withSelector, type ImageReference } from '../reference/parse';
import { CONFIG_INVALID } from './problems';

export type BlockPattern =
  | {
      readonly kind: 'reference';
      /** As written. */
      readonly source: string;
      readonly reference: ImageReference;
    }
  | { readonly kind: 'glob'; readonly source: string; readonly regex: RegExp }
  | { readonly kind: 'regex'; readonly source: string; readonly regex: RegExp };

/** Anything isBlocked accepts as a pattern: the text, a compiled pattern, or a config entry. */
export type BlockPatternInput = string | BlockPattern | { readonly name: string; readonly pattern: BlockPattern };

export interface BlockDecision {
  readonly blocked: boolean;
  /** The pattern, as written, that blocked the reference. */
  readonly by?: string;
}

// Characters a canonical reference can contain; a glob with anything else can never match.
const GLOB_CHARS = /^[A-Za-z0-9._\-/:@[\]*]+$/;

function invalidPattern(text: string, why: string, hint: string): AirlockError {
  return new AirlockError(CONFIG_INVALID, `blocked image pattern "${text}" ${why}`, { context: { image: text }, hint });
}

const PATTERN_HINT =
  'write a reference with its registry (quay.io/acme/app, optionally :tag or @digest), a glob (quay.io/acme/*), or a regular expression between slashes (/-debug$/)';

/** Compiles one blockedImages entry; throws AirlockError CONFIG_INVALID saying what is wrong. */
export function compileBlockPattern(text: string): BlockPattern {
  const source = text.trim();
  if (source === '') throw invalidPattern(text, 'is empty', PATTERN_HINT);

  if (source.length >= 2 && source.startsWith('/') && source.endsWith('/')) {
    const body = source.slice(1, -1);
    if (body === '') throw invalidPattern(text, 'is an empty regular expression', PATTERN_HINT);
    try {
      return { kind: 'regex', source, regex: new RegExp(body) };
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, '') : String(err);
      throw invalidPattern(text, `is not a valid regular expression: ${why}`, 'between the slashes goes a JavaScript regular expression; escape "." and "/" with a backslash');
    }
  }

  if (source.includes('*')) {
    if (!GLOB_CHARS.test(source)) {
      throw invalidPattern(text, 'contains characters no image reference has', 'a glob may use only reference characters and "*"; for anything else use a regular expression between slashes');
    }
    if (/\*{3,}/.test(source)) throw invalidPattern(text, 'has "***"', 'use "*" (within one path component) or "**" (across "/")');
    const body = source
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.[\]]/g, (c) => `\\${c}`)))
      .join('');
    return { kind: 'glob', source, regex: new RegExp(`^${body}$`) };
  }

  if (source.startsWith('/')) {
    throw invalidPattern(text, 'starts with "/" but does not end with one', 'a regular expression is written /…/ without flags');
  }
  try {
    return { kind: 'reference', source, reference: parseReference(source, { requireRegistry: true }) };
  } catch (err) {
    const why = err instanceof AirlockError ? err.message.replace(/^invalid image reference "[^"]*": /, '') : String(err);
    throw invalidPattern(text, `is not a valid image reference: ${why}`, err instanceof AirlockError && err.hint !== undefined ? err.hint : PATTERN_HINT);
  }
}

function referenceMatches(pattern: ImageReference, ref: ImageReference): boolean {
  if (pattern.registry !== ref.registry) return false;
  if (pattern.digest !== undefined) return pattern.repository === ref.repository && pattern.digest === ref.digest;
  if (pattern.tag !== undefined) return pattern.repository === ref.repository && pattern.tag === ref.tag;
  return ref.repository === pattern.repository || ref.repository.startsWith(`${pattern.repository}/`);
}

const compiled = new Map<string, BlockPattern>();

function toPattern(input: BlockPatternInput): BlockPattern {
  if (typeof input !== 'string') return 'kind' in input ? input : input.pattern;
  let pattern = compiled.get(input);
  if (pattern === undefined) {
    pattern = compileBlockPattern(input);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(input, pattern);
  }
  return pattern;
}

/**
 * Whether `reference` (a source or destination image reference) is blocked by any of `patterns`,
 * and by which (the first in list order). See the module comment for the pattern syntax. A
 * reference that does not parse is tested as written (without `docker://`) by globs and regular
 * expressions only. Throws CONFIG_INVALID when a pattern given as text is invalid.
 */
export function isBlocked(reference: string, patterns: readonly BlockPatternInput[]): BlockDecision {
  let parsed: ImageReference | undefined;
  let forms: string[];
  try {
    parsed = parseReference(reference);
    forms = [formatReference(parsed)];
    if (parsed.tag !== undefined && parsed.digest !== undefined) {
      forms.push(formatReference(withSelector(parsed, { tag: parsed.tag })), formatReference(withSelector(parsed, { digest: parsed.digest })));
    }
  } catch {
    forms = [reference.trim().replace(/^docker:\/\//, '')];
  }
  for (const input of patterns) {
    const pattern = toPattern(input);
    const hit =
      pattern.kind === 'reference' ? parsed !== undefined && referenceMatches(pattern.reference, parsed) : forms.some((form) => pattern.regex.test(form));
    if (hit) return { blocked: true, by: pattern.source };
  }
  return { blocked: false };
}
