/**
 * Electron main process entry (package.json "main": dist/main/main.js): one instance, one window,
 * the renderer served over app://, every web contents hardened, IPC handlers registered.
 */
import path from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import { describeError } from '../src/errors';
import { registerIpcHandlers } from './ipc/register';
import { registerAppSchemePrivileges, serveAppScheme } from './protocol';
import { hardenSession, hardenWebContents } from './security';
import { createMainWindow } from './window';

/** dist/main/main.js -> dist/renderer, where vite writes the renderer build. */
const RENDERER_DIR = path.join(__dirname, '..', 'renderer');

function focus(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.focus();
}

function start(): void {
  app.enableSandbox();
  registerAppSchemePrivileges();

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    const [existing] = BrowserWindow.getAllWindows();
    if (existing) focus(existing);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) createMainWindow();
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession);
      serveAppScheme(RENDERER_DIR);
      registerIpcHandlers();
      createMainWindow();
    })
    .catch((err: unknown) => {
      process.stderr.write(`airlock: failed to start: ${describeError(err)}\n`);
      app.exit(1);
    });
}

if (app.requestSingleInstanceLock()) {
  start();
} else {
  // Another Airlock is running; it gets a 'second-instance' event and focuses its window.
  app.quit();
}
