/**
 * Preload for the sandboxed renderer. Sandboxed preloads can require only 'electron' (and a few
 * Node shims), never our own files, so the typed invoke lives here and the contract is imported
 * for types only. The page gets window.airlock with verbs; ipcRenderer itself never leaves this file.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { AirlockApi, IpcArgs, IpcChannel, IpcEventChannel, IpcEvents, IpcResult, Result } from '../ipc/contract';

function invoke<C extends IpcChannel>(channel: C): (...args: IpcArgs<C>) => Promise<Result<IpcResult<C>>> {
  return (...args) => ipcRenderer.invoke(channel, ...args) as Promise<Result<IpcResult<C>>>;
}

function subscribe<E extends IpcEventChannel>(channel: E): (listener: (payload: IpcEvents[E]) => void) => () => void {
  return (listener) => {
    // The page gets the payload only, never the IpcRendererEvent (which carries the sender).
    const wrapped = (_event: unknown, payload: IpcEvents[E]): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  };
}

const api: AirlockApi = {
  app: { version: invoke('app:version'), info: invoke('app:info') },
  settings: { get: invoke('settings:get'), set: invoke('settings:set') },
  config: { validate: invoke('config:validate') },
  dialogs: { openConfigFile: invoke('dialogs:openConfigFile'), chooseFolder: invoke('dialogs:chooseFolder'), chooseCaFile: invoke('dialogs:chooseCaFile') },
  drives: { list: invoke('drives:list'), eject: invoke('drives:eject'), onChange: subscribe('drives:changed') },
  media: { scan: invoke('media:scan'), freeSpace: invoke('media:freeSpace') },
  jobs: { start: invoke('jobs:start'), cancel: invoke('jobs:cancel'), get: invoke('jobs:get'), onUpdate: subscribe('job:update') },
  history: { list: invoke('history:list'), detail: invoke('history:detail'), export: invoke('history:export') },
  keys: {
    station: invoke('keys:station'),
    exportStation: invoke('keys:exportStation'),
    listTrusted: invoke('keys:listTrusted'),
    trust: invoke('keys:trust'),
    untrust: invoke('keys:untrust'),
  },
  credentials: { list: invoke('credentials:list'), save: invoke('credentials:save'), forget: invoke('credentials:forget') },
  registry: { test: invoke('registry:test') },
  receipts: { save: invoke('receipt:save') },
  resources: { read: invoke('resources:read'), save: invoke('resources:save') },
  clipboard: { write: invoke('clipboard:write') },
  catalogs: { summary: invoke('catalog:summary') },
  releases: { channel: invoke('releases:channel') },
};

contextBridge.exposeInMainWorld('airlock', api);
