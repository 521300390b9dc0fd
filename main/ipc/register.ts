/**
 * The only place main touches ipcMain. Each channel goes through the IPC server (dispatch():
 * trusted-sender check, argument validation, and the Result envelope with the AirlockError code);
 * events for the renderer go out through webContents.send to windows showing the app.
 */
import { ipcMain, webContents } from 'electron';
import type { IpcEventChannel, IpcEvents } from './contract';
import type { IpcHandlers } from './handlers';
import { createIpcServer } from './server';
import { isTrustedSender } from './trusted-sender';

/** Registers every channel of the contract; validators and handlers are both complete by type. */
export function registerIpcHandlers(handlers: IpcHandlers): void {
  const server = createIpcServer(handlers);
  for (const channel of server.channels) {
    ipcMain.handle(channel, (event, ...args: unknown[]) => server.invoke(channel, event.senderFrame?.url, args));
  }
}

/** Sends an event to every web contents that shows an app:// page (never to anything else). */
export function sendToRenderers<E extends IpcEventChannel>(channel: E, payload: IpcEvents[E]): void {
  for (const contents of webContents.getAllWebContents()) {
    if (!contents.isDestroyed() && isTrustedSender(contents.getURL())) contents.send(channel, payload);
  }
}
