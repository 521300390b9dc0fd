/**
 * Preload for the sandboxed renderer. Sandboxed preloads can require only 'electron' (and a few
 * Node shims), never our own files, so the typed invoke lives here and the contract is imported
 * for types only. The page gets window.airlock with verbs; ipcRenderer itself never leaves this file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { AirlockApi, IpcArgs, IpcChannel, IpcResult, Result } from '../ipc/contract';

function invoke<C extends IpcChannel>(channel: C, ...args: IpcArgs<C>): Promise<Result<IpcResult<C>>> {
  return ipcRenderer.invoke(channel, ...args) as Promise<Result<IpcResult<C>>>;
}

const api: AirlockApi = {
  app: {
    version: () => invoke('app:version'),
  },
};

contextBridge.exposeInMainWorld('airlock', api);
