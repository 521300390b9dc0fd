/**
 * A scripted window.airlock for component tests: every verb answers from a table the test fills
 * (default: an INTERNAL error, so an unexpected call shows), calls are recorded, and events can be
 * pushed as main would.
 */
import type { AirlockApi, IpcEventChannel, IpcEvents, Result } from '../../../main/ipc/contract';

type Verb = (...args: unknown[]) => Promise<Result<unknown>>;

export interface Call {
  readonly verb: string;
  readonly args: readonly unknown[];
}

export class FakeApi {
  readonly calls: Call[] = [];
  private readonly answers = new Map<string, (...args: unknown[]) => Result<unknown> | Promise<Result<unknown>>>();
  private readonly listeners = new Map<IpcEventChannel, Set<(payload: unknown) => void>>();

  /** e.g. answer('config.validate', () => ok({...})) */
  answer(verb: string, fn: (...args: unknown[]) => Result<unknown> | Promise<Result<unknown>>): this {
    this.answers.set(verb, fn);
    return this;
  }

  emit<E extends IpcEventChannel>(channel: E, payload: IpcEvents[E]): void {
    for (const l of this.listeners.get(channel) ?? []) l(payload);
  }

  callsTo(verb: string): Call[] {
    return this.calls.filter((c) => c.verb === verb);
  }

  api(): AirlockApi {
    const verb = (name: string): Verb => async (...args) => {
      this.calls.push({ verb: name, args });
      const fn = this.answers.get(name);
      return fn ? fn(...args) : { ok: false, error: { code: 'INTERNAL', message: `no answer scripted for ${name}` } };
    };
    const subscribe = (channel: IpcEventChannel) => (listener: (payload: never) => void) => {
      const set = this.listeners.get(channel) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      this.listeners.set(channel, set);
      return () => set.delete(listener as (payload: unknown) => void);
    };
    const group = (area: string, names: readonly string[]): Record<string, Verb> => Object.fromEntries(names.map((n) => [n, verb(`${area}.${n}`)]));
    return {
      app: group('app', ['version', 'info']),
      settings: group('settings', ['get', 'set']),
      config: group('config', ['validate']),
      dialogs: group('dialogs', ['openConfigFile', 'chooseFolder', 'chooseCaFile']),
      drives: { ...group('drives', ['list', 'eject']), onChange: subscribe('drives:changed') },
      media: group('media', ['scan', 'freeSpace']),
      jobs: { ...group('jobs', ['start', 'cancel', 'get']), onUpdate: subscribe('job:update') },
      history: group('history', ['list', 'detail', 'export']),
      keys: group('keys', ['station', 'exportStation', 'listTrusted', 'trust', 'untrust']),
      credentials: group('credentials', ['list', 'save', 'forget']),
      registry: group('registry', ['test']),
      receipts: group('receipts', ['save']),
      resources: group('resources', ['read', 'save']),
      clipboard: group('clipboard', ['write']),
      catalogs: group('catalogs', ['summary']),
      releases: group('releases', ['channel']),
    } as unknown as AirlockApi;
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: string, message = code): Result<never> {
  return { ok: false, error: { code, message } };
}
