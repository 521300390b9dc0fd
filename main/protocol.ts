/**
 * Serves the built renderer over app://airlock instead of file://, so the page has a real origin,
 * file:// gets no special powers, and every response carries the CSP header.
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, appResponseHeaders, resolveAppFile } from './app-scheme';

/** Must run before app 'ready'. */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

function refuse(status: number, text: string): Response {
  return new Response(text, { status, headers: appResponseHeaders('text/plain; charset=utf-8') });
}

/** Must run after app 'ready'. rootDir is the renderer build (dist/renderer). */
export function serveAppScheme(rootDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    const lookup = resolveAppFile(rootDir, request.url);
    if (lookup.kind === 'refused') return refuse(404, 'not found');
    let body: Buffer;
    try {
      body = await readFile(lookup.path);
    } catch {
      return refuse(404, 'not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: appResponseHeaders(lookup.contentType),
    });
  });
}
