/**
 * The app:// scheme the window loads instead of file://: one fixed origin (app://airlock) that the
 * navigation guard and the IPC sender check can compare against, and a file lookup that never
 * leaves the built renderer directory. Pure: no Electron at runtime, so unit tests run under Node.
 */
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from './csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'airlock';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function isAppOriginUrl(url: URL): boolean {
  // URL.origin is "null" for non-special schemes, so compare the parts; a port or userinfo is a different origin.
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';
}

/** True when url belongs to the app origin (app://airlock/...). Unparseable input is not. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== undefined && isAppOriginUrl(parsed);
}

export type AppFileLookup =
  | { readonly kind: 'file'; readonly path: string; readonly contentType: string }
  | { readonly kind: 'refused'; readonly reason: 'not-app-origin' | 'bad-path' | 'outside-root' };

/**
 * Maps an app:// request URL onto a file under rootDir. "/" is index.html. Anything that decodes to
 * a path outside rootDir (dot segments, encoded slashes, absolute paths, NUL, backslashes) is refused.
 */
export function resolveAppFile(rootDir: string, requestUrl: string): AppFileLookup {
  const url = parse(requestUrl);
  if (url === undefined || !isAppOriginUrl(url)) return { kind: 'refused', reason: 'not-app-origin' };

  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'refused', reason: 'bad-path' };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { kind: 'refused', reason: 'bad-path' };

  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.slice(1);
  const root = path.resolve(rootDir);
  const file = path.resolve(root, relative);
  const fromRoot = path.relative(root, file);
  if (fromRoot === '' || fromRoot === '..' || fromRoot.startsWith(`..${path.sep}`) || path.isAbsolute(fromRoot)) {
    return { kind: 'refused', reason: 'outside-root' };
  }
  return { kind: 'file', path: file, contentType: contentTypeFor(file) };
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers on every app:// response: the CSP, and no content sniffing. */
export function appResponseHeaders(contentType: string): Readonly<Record<string, string>> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
}
