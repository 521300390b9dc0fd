/**
 * Every failure the engine reports is an AirlockError: a stable code the UI and CLI can switch on,
 * a message for the operator, the context that locates the problem (registry, image, file, digest)
 * and a hint saying what to do about it. Secrets never go into any of these fields.
 */
export interface ErrorContext {
  readonly registry?: string;
  readonly image?: string;
  readonly blob?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly part?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly status?: number;
  readonly [key: string]: string | number | boolean | undefined;
}

export class AirlockError extends Error {
  override readonly name: string = 'AirlockError';
  readonly code: string;
  readonly context: ErrorContext;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { context?: ErrorContext; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
    this.hint = options.hint;
  }

  /** A plain object that crosses process boundaries (IPC, --json) without losing the code. */
  toJSON(): { code: string; message: string; context: ErrorContext; hint?: string } {
    return {
      code: this.code,
      message: this.message,
      context: this.context,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    };
  }
}

export function isAirlockError(err: unknown, code?: string): err is AirlockError {
  return err instanceof AirlockError && (code === undefined || err.code === code);
}

/** One operator-facing line (plus hint) for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof AirlockError) {
    return err.hint ? `${err.message}\n  hint: ${err.hint}` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
