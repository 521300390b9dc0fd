/**
 * Electron main process entry (package.json "main": dist/main/main.js): one instance, one window,
 * the renderer served over app://, every web contents hardened, services composed with Electron's
 * ports and registered behind the IPC contract.
 */
import path from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import { describeError } from '../src/errors';
import { defaultCacheDir, defaultDataDir } from '../src/paths';
import { electronClipboard, electronDialogs, electronPrinter, safeStorageCipher } from './electron-ports';
import { createIpcHandlers } from './ipc/handlers';
import { registerIpcHandlers, sendToRenderers } from './ipc/register';
import { registerAppSchemePrivileges, serveAppScheme } from './protocol';
import { hardenSession, hardenWebContents } from './security';
import { AppServices } from './services/app-services';
import { platformDriveService } from './services/drives';
import { utilityProcessHost } from './services/jobs/utility-host';
import { createMainWindow } from './window';

/** dist/main/main.js -> dist/renderer, where vite writes the renderer build. */
const RENDERER_DIR = path.join(__dirname, '..', 'renderer');

function focus(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.focus();
}

async function startServices(): Promise<AppServices> {
  const services = await AppServices.create({
    stationDir: defaultDataDir(),
    defaultCacheDir: defaultCacheDir(),
    dialogs: electronDialogs,
    printer: electronPrinter,
    clipboard: electronClipboard,
    cipher: safeStorageCipher,
    drives: platformDriveService(),
    jobHost: utilityProcessHost(),
    notify: sendToRenderers,
  });
  registerIpcHandlers(createIpcHandlers(services));
  services.driveWatcher.start();
  return services;
}

function start(): void {
  app.enableSandbox();
  registerAppSchemePrivileges();
  let services: AppServices | undefined;

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
  app.on('will-quit', (event) => {
    if (!services) return;
    // Running jobs are cancelled (their partial files are the engine's to clean up) before exiting.
    const stopping = services;
    services = undefined;
    event.preventDefault();
    void stopping.shutdown().finally(() => app.quit());
  });

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession);
      serveAppScheme(RENDERER_DIR);
      services = await startServices();
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
