import path from 'node:path';
import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from './app-scheme';
import { secureWebPreferences } from './security';

/** dist/main/window.js sits beside dist/main/preload/index.js. */
const PRELOAD_PATH = path.join(__dirname, 'preload', 'index.js');

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Airlock',
    width: 1200,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    webPreferences: secureWebPreferences(PRELOAD_PATH),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
