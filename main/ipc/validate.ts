/**
 * Runtime validation of IPC arguments. The renderer is not trusted, so the types in the contract are
 * a promise main checks: each channel has a validator that turns unknown[] into its typed arguments
 * or throws IPC_INVALID_ARGS.
 */
import { AirlockError } from '../../src/errors';
import type { IpcArgs, IpcChannel } from './contract';

export type Validator<C extends IpcChannel> = (args: readonly unknown[]) => IpcArgs<C>;

export function invalidArgs(channel: IpcChannel, why: string): AirlockError {
  return new AirlockError('IPC_INVALID_ARGS', `invalid arguments for ${channel}: ${why}`, {
    context: { channel },
  });
}

function noArgs<C extends IpcChannel>(channel: C): (args: readonly unknown[]) => readonly [] {
  return (args) => {
    if (args.length !== 0) throw invalidArgs(channel, `expected no arguments, got ${args.length}`);
    return [];
  };
}

/** One validator per channel; the mapped type makes a missing one a compile error. */
export const IPC_VALIDATORS: { readonly [C in IpcChannel]: Validator<C> } = {
  'app:version': noArgs('app:version'),
};
