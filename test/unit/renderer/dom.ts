/**
 * A browser-like global environment for component tests under node:test: a jsdom window whose
 * globals (document, HTMLElement, ...) are installed on globalThis, the few browser APIs jsdom lacks
 * and PatternFly touches, and a require hook that ignores the CSS PatternFly's CommonJS build
 * imports. Import this first in every renderer test file.
 */
import Module from 'node:module';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html lang="en"><head></head><body></body></html>', { url: 'http://airlock.test/', pretendToBeVisual: true });
const win = dom.window as unknown as Window & typeof globalThis;
const g = globalThis as unknown as Record<string, unknown>;

for (const key of Object.getOwnPropertyNames(win)) {
  if (key in g || key.startsWith('_')) continue;
  try {
    g[key] = (win as unknown as Record<string, unknown>)[key];
  } catch {
    // A few window properties throw on access outside a browsing context; none are needed.
  }
}
g.window = win;
g.document = win.document;
Object.defineProperty(globalThis, 'navigator', { value: win.navigator, configurable: true });
g.IS_REACT_ACT_ENVIRONMENT = true;

win.matchMedia = ((query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
  addListener: () => undefined,
  removeListener: () => undefined,
  dispatchEvent: () => false,
})) as typeof win.matchMedia;

class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
g.ResizeObserver = NoopResizeObserver;
(win as unknown as Record<string, unknown>).ResizeObserver = NoopResizeObserver;
win.HTMLElement.prototype.scrollIntoView = function scrollIntoView() {};

// PatternFly's CommonJS build requires its component CSS; the styles do not matter here.
const extensions = (Module as unknown as { _extensions: Record<string, (module: { exports: unknown }) => void> })._extensions;
extensions['.css'] = (module) => {
  module.exports = {};
};

export { dom };
