import { Transform, type TransformCallback } from 'node:stream';
import { DigestAccumulator } from './digest';
import { AirlockError, type ErrorContext } from '../errors';

export interface VerifyOptions {
  readonly digest: string;
  /** Expected byte count when known; more or fewer bytes fail the stream. */
  readonly size?: number;
  /** Where the bytes come from, carried into the error (registry, image, file, part). */
  readonly context?: ErrorContext;
}

export function digestMismatch(expected: string, actual: string, context: ErrorContext = {}): AirlockError {
  const where = context.file ?? context.image ?? context.registry;
  return new AirlockError(
    'DIGEST_MISMATCH',
    `content of ${context.blob ?? expected}${where ? ` from ${where}` : ''} does not match its digest: expected ${expected}, got ${actual}`,
    {
      context: { ...context, blob: context.blob ?? expected, expected, actual },
      hint: 'the bytes were corrupted on the way or at rest; nothing was committed. Retry, and if it persists check the source and the media',
    },
  );
}

export function sizeMismatch(digest: string, expected: number, actual: number, context: ErrorContext = {}): AirlockError {
  return new AirlockError('SIZE_MISMATCH', `content of ${digest} has ${actual} bytes, expected ${expected}`, {
    context: { ...context, blob: digest, expected: String(expected), actual: String(actual) },
    hint: 'the content was truncated or padded on the way or at rest; nothing was committed',
  });
}

/**
 * Passes bytes through while hashing them, and fails the stream at the end (before the consumer
 * can treat the content as complete) when the digest or size is not what was declared. A consumer
 * that commits only after 'finish' of its own sink therefore never commits bad bytes.
 */
export class VerifyStream extends Transform {
  private readonly acc = new DigestAccumulator();

  constructor(private readonly options: VerifyOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.acc.update(chunk);
    const { size } = this.options;
    if (size !== undefined && this.acc.bytes > size) {
      callback(sizeMismatch(this.options.digest, size, this.acc.bytes, this.options.context));
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { size, digest, context } = this.options;
    if (size !== undefined && this.acc.bytes !== size) {
      callback(sizeMismatch(digest, size, this.acc.bytes, context));
      return;
    }
    const actual = this.acc.digest();
    callback(actual === digest ? null : digestMismatch(digest, actual, context));
  }

  get bytes(): number {
    return this.acc.bytes;
  }
}
