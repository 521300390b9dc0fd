import { StringDecoder } from 'node:string_decoder';
import { AirlockError } from '../errors';

/**
 * An FBC file is a stream of concatenated JSON objects (or of YAML documents). These splitters cut
 * a byte stream into one value at a time, so a catalog of hundreds of megabytes is never held as a
 * whole: only the value being read is buffered.
 *
 * The JSON splitter only tracks nesting and strings; JSON.parse validates each value. Structural
 * characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so scanning bytes is safe.
 */

/** One FBC blob is a few kilobytes; the largest real ones (bundle objects with CRDs) a few megabytes. */
export const MAX_VALUE_BYTES = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function fbcError(where: string, why: string): AirlockError {
  return new AirlockError('CATALOG_FBC_INVALID', `${where} is not a valid file-based catalog file: ${why}`, {
    context: { file: where },
    hint: 'the catalog image is damaged or not an FBC catalog; `opm validate` on it would say the same',
  });
}

function toBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** The stream's bytes without a leading UTF-8 byte order mark (editors on Windows write one). */
async function* withoutBom(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const raw of source) {
    const chunk = toBuffer(raw);
    if (head === undefined) {
      if (chunk.length > 0) yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 3 && head.every((b, i) => b === [0xef, 0xbb, 0xbf][i])) continue;
    const rest: Buffer = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    head = undefined;
    if (rest.length > 0) yield rest;
  }
  if (head !== undefined && head.length > 0) yield head;
}

/**
 * Yields the bytes of each top-level JSON object or array of the stream, in order. Throws
 * CATALOG_FBC_INVALID for anything else at the top level, for a value cut off at the end of the
 * stream and for values larger than `maxValueBytes`.
 */
export async function* splitJsonValues(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  where: string,
  maxValueBytes = MAX_VALUE_BYTES,
): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let partsBytes = 0;
  let depth = 0;
  let inValue = false;
  let inString = false;
  let escaped = false;
  let offset = 0;

  for await (const chunk of withoutBom(source)) {
    const chunkOffset = offset;
    offset += chunk.length;
    const n = chunk.length;
    let start = inValue ? 0 : -1;
    let i = 0;
    while (i < n) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        const quote = chunk.indexOf(QUOTE, i);
        if (quote < 0) {
          // No closing quote in this chunk: carry whether its trailing backslashes escape the next byte.
          let k = n - 1;
          while (k >= i && chunk[k] === BACKSLASH) k--;
          escaped = (n - 1 - k) % 2 === 1;
          i = n;
          break;
        }
        let k = quote - 1;
        while (k >= i && chunk[k] === BACKSLASH) k--;
        if ((quote - 1 - k) % 2 === 0) inString = false;
        i = quote + 1;
        continue;
      }
      const c = chunk[i] as number;
      if (!inValue) {
        if (isSpace(c)) {
          i++;
          continue;
        }
        if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
          throw fbcError(where, `expected a JSON object, found ${JSON.stringify(String.fromCharCode(c))} at byte ${chunkOffset + i}`);
        }
        inValue = true;
        depth = 1;
        start = i;
        i++;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) {
          const tail = chunk.subarray(start, i + 1);
          const value = parts.length === 0 ? tail : Buffer.concat([...parts, tail]);
          if (value.length > maxValueBytes) throw fbcError(where, `a value is larger than ${maxValueBytes} bytes`);
          parts = [];
          partsBytes = 0;
          inValue = false;
          start = -1;
          yield value;
        }
      }
      i++;
    }
    if (inValue && start >= 0) {
      // Copy: the producer may reuse its buffer once we move on.
      const rest = Buffer.from(chunk.subarray(start));
      parts.push(rest);
      partsBytes += rest.length;
      if (partsBytes > maxValueBytes) throw fbcError(where, `a value is larger than ${maxValueBytes} bytes`);
    }
  }
  if (inValue) throw fbcError(where, 'the file ends in the middle of a JSON value');
}

/**
 * Yields the text of each YAML document of the stream (documents separated by `---` lines, or ended
 * by `...`), without the markers; empty documents are skipped. Parsing is left to the caller.
 */
export async function* splitYamlDocuments(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  where: string,
  maxValueBytes = MAX_VALUE_BYTES,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let doc: string[] = [];
  let docBytes = 0;
  const flush = function* (): Generator<string> {
    const text = doc.join('\n');
    doc = [];
    docBytes = 0;
    if (text.trim() !== '') yield text;
  };
  const line = function* (text: string): Generator<string> {
    if (/^---(?:\s|$)/.test(text)) {
      yield* flush();
      const rest = text.slice(3).trim();
      // `--- {json: flow}` or `--- !tag`: content on the marker line belongs to the new document.
      if (rest !== '' && !rest.startsWith('#')) doc.push(rest);
      return;
    }
    if (/^\.\.\.\s*$/.test(text)) {
      yield* flush();
      return;
    }
    doc.push(text);
    docBytes += text.length + 1;
    if (docBytes > maxValueBytes) throw fbcError(where, `a YAML document is larger than ${maxValueBytes} bytes`);
  };
  let first = true;
  for await (const raw of source) {
    let text = pending + (typeof raw === 'string' ? raw : decoder.write(toBuffer(raw)));
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield* line(text.slice(from, end));
      from = nl + 1;
    }
    pending = text.slice(from);
    if (pending.length > maxValueBytes) throw fbcError(where, `a YAML line is longer than ${maxValueBytes} bytes`);
  }
  const last = pending + decoder.end();
  if (last !== '') yield* line(last.endsWith('\r') ? last.slice(0, -1) : last);
  yield* flush();
}
