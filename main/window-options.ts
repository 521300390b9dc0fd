/**
 * The main window's construction options, as a pure function so a test can assert every security
 * setting without Electron: the window.ts that creates the window passes exactly this.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { secureWebPreferences } from './security';

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Airlock',
    width: 1280,
    height: 860,
    // Every screen is laid out to work at 1024x768.
    minWidth: 1024,
    minHeight: 700,
    show: false,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}
