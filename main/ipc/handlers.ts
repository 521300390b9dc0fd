import { AIRLOCK_VERSION } from '../../src/version';
import type { IpcChannel } from './contract';
import type { Handler } from './dispatch';

export type IpcHandlers = { readonly [C in IpcChannel]: Handler<C> };

/** The main-process side of every channel; the mapped type makes a missing handler a compile error. */
export function createIpcHandlers(): IpcHandlers {
  return {
    'app:version': () => ({ airlock: AIRLOCK_VERSION }),
  };
}
