/**
 * The only place main touches ipcMain. Each channel goes through dispatch(): trusted-sender check,
 * argument validation, and the Result envelope with the AirlockError code.
 */
import { ipcMain } from 'electron';
import type { IpcChannel } from './contract';
import { dispatch, type Handler } from './dispatch';
import { createIpcHandlers, type IpcHandlers } from './handlers';
import { IPC_VALIDATORS, type Validator } from './validate';

export function handle<C extends IpcChannel>(channel: C, validate: Validator<C>, handler: Handler<C>): void {
  ipcMain.handle(channel, (event, ...args: unknown[]) =>
    dispatch(channel, event.senderFrame?.url, args, validate, handler),
  );
}

/** Registers every channel of the contract; validators and handlers are both complete by type. */
export function registerIpcHandlers(handlers: IpcHandlers = createIpcHandlers()): void {
  const register = <C extends IpcChannel>(channel: C): void => handle(channel, IPC_VALIDATORS[channel], handlers[channel]);
  for (const channel of Object.keys(IPC_VALIDATORS) as IpcChannel[]) register(channel);
}
