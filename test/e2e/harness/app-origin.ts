/**
 * The harness stands in for Electron's app:// protocol: Chromium cannot load a custom scheme, so
 * http://airlock.test/ is routed (no network, no server) to the same file lookup and response
 * headers (CSP included) that main/protocol.ts uses for app://airlock/.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Route } from 'playwright-core';
import { APP_ORIGIN, appResponseHeaders, resolveAppFile } from '../../../main/app-scheme';

export const HARNESS_ORIGIN = 'http://airlock.test';
export const HARNESS_ENTRY_URL = `${HARNESS_ORIGIN}/index.html`;

/** A harness URL as the app:// URL it stands for; any other URL unchanged (and then not trusted). */
export function toAppUrl(url: string): string {
  return url.startsWith(`${HARNESS_ORIGIN}/`) || url === HARNESS_ORIGIN ? `${APP_ORIGIN}${url.slice(HARNESS_ORIGIN.length)}` : url;
}

export async function routeAppOrigin(context: BrowserContext, rendererDir: string): Promise<void> {
  await context.route(`${HARNESS_ORIGIN}/**`, async (route: Route) => {
    const request = route.request();
    const lookup = resolveAppFile(rendererDir, toAppUrl(request.url()));
    if (request.method() !== 'GET' || lookup.kind === 'refused') {
      await route.fulfill({ status: 404, headers: appResponseHeaders('text/plain; charset=utf-8'), body: 'not found' });
      return;
    }
    const body = await readFile(lookup.path).catch(() => undefined);
    if (!body) {
      await route.fulfill({ status: 404, headers: appResponseHeaders('text/plain; charset=utf-8'), body: 'not found' });
      return;
    }
    await route.fulfill({ status: 200, headers: appResponseHeaders(lookup.contentType), body });
  });
  // Everything else (there should be nothing) is refused: the app is offline by design.
  await context.route((url) => !url.href.startsWith(`${HARNESS_ORIGIN}/`) && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob'), (route) => route.abort('blockedbyclient'));
}
