/**
 * The Content-Security-Policy of every page Airlock shows. main/protocol.ts sends it as a header on
 * each app:// response; renderer/index.html repeats it in a meta tag as a second line of defence.
 */
const DIRECTIVES: readonly (readonly [name: string, value: string])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['frame-ancestors', "'none'"],
  ['form-action', "'none'"],
];

/** Directives a browser ignores (and warns about) when they arrive in a meta tag instead of a header. */
const HEADER_ONLY: ReadonlySet<string> = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

function serialize(directives: typeof DIRECTIVES): string {
  return directives.map(([name, value]) => `${name} ${value}`).join('; ');
}

export const CONTENT_SECURITY_POLICY: string = serialize(DIRECTIVES);

/** The policy as renderer/index.html must state it: the header policy minus header-only directives. */
export const META_CONTENT_SECURITY_POLICY: string = serialize(DIRECTIVES.filter(([name]) => !HEADER_ONLY.has(name)));
