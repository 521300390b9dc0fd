import { AIRLOCK_VERSION } from '../../src/version';
import type { AppServices } from '../services/app-services';
import type { IpcChannel } from './contract';
import type { Handler } from './dispatch';

export type IpcHandlers = { readonly [C in IpcChannel]: Handler<C> };

/** The main-process side of every channel; the mapped type makes a missing handler a compile error. */
export function createIpcHandlers(services: AppServices): IpcHandlers {
  return {
    'app:version': () => ({ airlock: AIRLOCK_VERSION }),
    'app:info': () => services.info(),
    'settings:get': () => services.getSettings(),
    'settings:set': ([patch]) => services.setSettings(patch),
    'config:validate': ([yaml, name]) => services.validateConfig(yaml, name),
    'dialogs:openConfigFile': () => services.openConfigFile(),
    'dialogs:chooseFolder': ([purpose]) => services.chooseFolder(purpose),
    'dialogs:chooseCaFile': () => services.chooseCaFile(),
    'drives:list': () => services.listDrives(),
    'drives:eject': ([id]) => services.ejectDrive(id),
    'media:scan': ([dir]) => services.scanMedia(dir),
    'media:freeSpace': ([dir]) => services.freeSpace(dir),
    'jobs:start': ([request]) => services.startJob(request),
    'jobs:cancel': ([jobId]) => services.cancelJob(jobId),
    'jobs:get': ([jobId]) => services.job(jobId),
    'history:list': ([filter]) => services.history(filter),
    'history:detail': ([id]) => services.historyDetail(id),
    'history:export': ([format, filter]) => services.exportHistory(format, filter),
    'keys:station': () => services.stationKey(),
    'keys:exportStation': () => services.exportStationKey(),
    'keys:listTrusted': () => services.trustedKeys(),
    'keys:trust': ([pem, label]) => services.trust(pem, label),
    'keys:untrust': ([fingerprint]) => services.untrust(fingerprint),
    'credentials:list': () => services.credentials(),
    'credentials:save': ([input]) => services.saveCredentials(input),
    'credentials:forget': ([registry]) => services.forgetCredentials(registry),
    'registry:test': ([request]) => services.testConnection(request),
    'receipt:save': ([request]) => services.saveReceipt(request),
    'resources:read': ([jobId, index]) => services.readResource(jobId, index),
    'resources:save': ([jobId, index]) => services.saveResource(jobId, index),
    'clipboard:write': ([text]) => services.copyText(text),
    'catalog:summary': ([request]) => services.catalogSummary(request),
    'releases:channel': ([request]) => services.releaseChannel(request),
  };
}
