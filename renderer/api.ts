/**
 * Typed access to window.airlock, the only way the renderer reaches main. Types come from the IPC
 * contract as type-only imports; nothing from main/ or src/ is bundled into the renderer.
 */
import type { AirlockApi, IpcError, Result } from '../main/ipc/contract';

export type { AirlockApi, IpcError, Result };

declare global {
  interface Window {
    /** Set by main/preload; absent when the page is opened outside Airlock (e.g. in a plain browser). */
    readonly airlock?: AirlockApi;
  }
}

export function airlock(): AirlockApi {
  if (window.airlock === undefined) {
    throw new Error('window.airlock is missing: the page is not running inside Airlock');
  }
  return window.airlock;
}

/** Calls into main and folds a missing bridge or a rejected invoke into the same Result envelope. */
export async function call<T>(verb: (api: AirlockApi) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await verb(airlock());
  } catch (err) {
    return {
      ok: false,
      error: { code: 'IPC_UNAVAILABLE', message: err instanceof Error ? err.message : String(err) },
    };
  }
}
