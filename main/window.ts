import path from 'node:path';
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './app-scheme';
import { mainWindowOptions } from './window-options';

/** dist/main/window.js sits beside dist/main/preload/index.js. */
const PRELOAD_PATH = path.join(__dirname, 'preload', 'index.js');

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(PRELOAD_PATH));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
