/**
 * window.airlock in the harness is built by the real preload (main/preload/index.ts), compiled as
 * it is for the app and run in the page with `electron` replaced by a shim: contextBridge sets the
 * global, ipcRenderer.invoke goes through a Playwright binding to the same IPC server the app
 * registers with ipcMain, and events come back through page.evaluate. Nothing of the API is
 * restated here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { BrowserContext, Page } from 'playwright-core';
import type { IpcEventChannel, IpcEvents } from '../../../main/ipc/contract';
import type { IpcServer } from '../../../main/ipc/server';
import { HARNESS_ORIGIN, toAppUrl } from './app-origin';
import { REPO_ROOT } from './build';

const INVOKE_BINDING = '__airlockHarnessInvoke';
const DELIVER = '__airlockHarnessDeliver';

function compiledPreload(): string {
  const source = readFileSync(join(REPO_ROOT, 'main', 'preload', 'index.ts'), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
}

/** The init script: the electron shim, then the compiled preload, on the app origin only (or on every origin: null). */
export function preloadInitScript(onlyOrigin: string | null = HARNESS_ORIGIN): string {
  return `(() => {
  if (${JSON.stringify(onlyOrigin ?? '')} && location.origin !== ${JSON.stringify(onlyOrigin ?? '')}) return;
  const listeners = new Map();
  Object.defineProperty(window, ${JSON.stringify(DELIVER)}, {
    value: (channel, payload) => { for (const l of listeners.get(channel) ?? []) l({}, payload); },
  });
  const electron = {
    contextBridge: {
      exposeInMainWorld(key, api) {
        Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true });
      },
    },
    ipcRenderer: {
      invoke: (channel, ...args) => window[${JSON.stringify(INVOKE_BINDING)}](channel, args),
      on(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
      },
    },
  };
  const module = { exports: {} };
  const require = (name) => {
    if (name === 'electron') return electron;
    throw new Error('a sandboxed preload cannot require ' + name);
  };
  (function (exports, require, module) {
${compiledPreload()}
  })(module.exports, require, module);
})();`;
}

/** Connects a browser context to an IPC server: every page and frame of it calls main through it. */
export async function bridgeContext(context: BrowserContext, server: IpcServer, options: { readonly allOrigins?: boolean } = {}): Promise<void> {
  await context.exposeBinding(INVOKE_BINDING, (source, channel: unknown, args: unknown) =>
    // The frame's real URL, mapped from the harness origin to app://: dispatch() checks it as main does.
    server.invoke(String(channel), toAppUrl(source.frame.url()), Array.isArray(args) ? args : []),
  );
  await context.addInitScript({ content: preloadInitScript(options.allOrigins ? null : HARNESS_ORIGIN) });
}

/** main -> renderer events, as webContents.send does in the app. */
export function pageNotifier(pages: () => readonly Page[]): <E extends IpcEventChannel>(channel: E, payload: IpcEvents[E]) => void {
  return (channel, payload) => {
    for (const page of pages()) {
      if (page.isClosed()) continue;
      void page
        .evaluate(([c, p, deliver]) => (window as unknown as Record<string, ((c: unknown, p: unknown) => void) | undefined>)[deliver as string]?.(c, p), [channel, payload, DELIVER] as const)
        .catch(() => undefined);
    }
  };
}
