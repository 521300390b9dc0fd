/**
 * The path every IPC call takes in main, without Electron: check the sender, validate the
 * arguments, run the handler, and wrap the outcome in the Result envelope.
 */
import { AirlockError } from '../../src/errors';
import type { IpcArgs, IpcChannel, IpcError, IpcResult, Result } from './contract';
import { isTrustedSender } from './trusted-sender';
import type { Validator } from './validate';

export type Handler<C extends IpcChannel> = (args: IpcArgs<C>) => IpcResult<C> | Promise<IpcResult<C>>;

export function toIpcError(err: unknown): IpcError {
  if (err instanceof AirlockError) {
    const details = {
      ...(Object.keys(err.context).length > 0 ? { context: err.context } : {}),
      ...(err.hint === undefined ? {} : { hint: err.hint }),
    };
    return {
      code: err.code,
      message: err.message,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    };
  }
  // Anything else is a bug in main; its message may carry paths or URLs, so it stays in main's log.
  return { code: 'INTERNAL', message: 'an unexpected error occurred in the main process' };
}

export interface DispatchOptions {
  /** Where unexpected (non-AirlockError) failures are reported; defaults to stderr. */
  readonly log?: (line: string) => void;
}

export async function dispatch<C extends IpcChannel>(
  channel: C,
  senderFrameUrl: string | null | undefined,
  rawArgs: readonly unknown[],
  validate: Validator<C>,
  handler: Handler<C>,
  options: DispatchOptions = {},
): Promise<Result<IpcResult<C>>> {
  if (!isTrustedSender(senderFrameUrl)) {
    return {
      ok: false,
      error: toIpcError(
        new AirlockError('IPC_UNTRUSTED_SENDER', `refused ${channel} from an untrusted sender`, {
          context: { channel },
        }),
      ),
    };
  }
  try {
    return { ok: true, value: await handler(validate(rawArgs)) };
  } catch (err) {
    if (!(err instanceof AirlockError)) {
      const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
      log(`airlock: ${channel} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    return { ok: false, error: toIpcError(err) };
  }
}
