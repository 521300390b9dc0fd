import { pipeline, Transform, type Readable } from 'node:stream';

/**
 * The same bytes, counted as they pass. A 'data' listener on the source would switch it into
 * flowing mode and lose whatever arrives before the real consumer attaches; a transform in the
 * pipe does not. Errors of the source fail the returned stream.
 */
export function countBytes(source: Readable, onBytes: (bytes: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
  return pipeline(source, counter, () => undefined);
}
