/**
 * The main-process end of IPC without the transport: given a channel, the sender's frame URL and the
 * raw arguments, run the channel's validator and handler through dispatch(). register.ts feeds it
 * from ipcMain; the e2e harness feeds it from Playwright's exposeBinding. Same handlers, same checks.
 */
import type { IpcChannel, IpcResult, Result } from './contract';
import { dispatch, type DispatchOptions } from './dispatch';
import type { IpcHandlers } from './handlers';
import { isTrustedSender } from './trusted-sender';
import { IPC_VALIDATORS } from './validate';

export interface IpcServer {
  readonly channels: readonly IpcChannel[];
  invoke(channel: string, senderFrameUrl: string | null | undefined, args: readonly unknown[]): Promise<Result<unknown>>;
}

export function isIpcChannel(channel: string): channel is IpcChannel {
  return Object.prototype.hasOwnProperty.call(IPC_VALIDATORS, channel);
}

export function createIpcServer(handlers: IpcHandlers, options: DispatchOptions = {}): IpcServer {
  const run = <C extends IpcChannel>(channel: C, sender: string | null | undefined, args: readonly unknown[]): Promise<Result<IpcResult<C>>> =>
    dispatch(channel, sender, args, IPC_VALIDATORS[channel], handlers[channel], options);
  return {
    channels: Object.keys(IPC_VALIDATORS) as IpcChannel[],
    async invoke(channel, sender, args) {
      if (!isIpcChannel(channel)) {
        if (!isTrustedSender(sender)) return { ok: false, error: { code: 'IPC_UNTRUSTED_SENDER', message: 'refused a call from an untrusted sender' } };
        return { ok: false, error: { code: 'IPC_UNKNOWN_CHANNEL', message: `there is no channel ${JSON.stringify(String(channel).slice(0, 64))}` } };
      }
      return run(channel, sender, args);
    },
  };
}
