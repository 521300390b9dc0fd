/**
 * The one typed contract between the renderer and main: every IPC channel, its arguments and its
 * result, and the shape of window.airlock. Types only; the renderer may `import type` from here.
 */
import type { ErrorContext } from '../../src/errors';

export interface IpcError {
  /** A stable AirlockError code (REGISTRY_AUTH, IPC_INVALID_ARGS, ...); the renderer turns it into text. */
  readonly code: string;
  readonly message: string;
  readonly details?: { readonly context?: ErrorContext; readonly hint?: string };
}

/** Every invoke answers with this envelope; failures never arrive as a rejected promise or undefined. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

export interface IpcContract {
  'app:version': { readonly args: readonly []; readonly result: { readonly airlock: string } };
}

export type IpcChannel = keyof IpcContract;
export type IpcArgs<C extends IpcChannel> = IpcContract[C]['args'];
export type IpcResult<C extends IpcChannel> = IpcContract[C]['result'];

/** What the preload exposes as window.airlock: verbs grouped by area, never the transport. */
export interface AirlockApi {
  readonly app: {
    version(): Promise<Result<IpcResult<'app:version'>>>;
  };
}
