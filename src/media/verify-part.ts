import { createHash, type Hash } from 'node:crypto';
import { extract as tarExtract, type Header } from 'tar-stream';
import { BLOBS_DIR, BLOBS_SHA256_DIR, INDEX_FILE, OCI_LAYOUT_FILE } from './layout';
import type { PlannedEntry } from './parts';
import { TAR_BLOCK, TAR_DIR_MODE, TAR_FILE_MODE, TAR_TRAILER, TAR_ZEROS, tarHeader, tarPadding } from './tar';
import type { VerifyProblem } from './verify-types';
import { readChunks } from '../util/direct-io';

/**
 * Verification of one part file in a single read pass: the whole file is hashed (for SHA256SUMS
 * and transfer.json) and, in deep mode, the same chunks are fed to tar-stream's parser, an
 * implementation independent of our writer, and every entry is checked against what transfer.json
 * says the part holds and its content hashed. Runs in a worker thread (verify-worker.ts) or inline.
 * Everything here is structured-clone friendly so jobs and results cross the thread boundary.
 */

/** An entry transfer.json (plus the fixed layout files) says the part holds. */
export interface ExpectedEntry {
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly size: number;
  /** Offset of the data in the part. */
  readonly offset: number;
  /** sha256 digest of the content (blobs, oci-layout, index.json); none for directories. */
  readonly digest?: string;
  /** Set for blobs: the problem codes then speak of a blob. */
  readonly blob?: boolean;
}

export interface PartJob {
  readonly path: string;
  readonly part: string;
  readonly deep: boolean;
  /** Deep mode: every entry the part must hold, in order. */
  readonly entries?: readonly ExpectedEntry[];
  /**
   * The writer's own read-back: `entries` are exactly where it wrote them, so every byte is
   * compared with what it wrote (headers, padding, trailer) and every blob hashed, without a tar
   * parser. Media from elsewhere is checked `deep`, by tar-stream, an independent reader.
   */
  readonly layout?: boolean;
  readonly chunkSize?: number;
  /** Read past the page cache (O_DIRECT where the file system allows): what the device holds. */
  readonly direct?: boolean;
}

export interface PartResult {
  readonly size: number;
  /** Lowercase hex of the whole file. */
  readonly sha256: string;
  readonly problems: readonly VerifyProblem[];
}

/** What a part must hold, entry by entry, for entries laid out by the planner (parts.ts). */
export function expectedEntries(entries: readonly PlannedEntry[], layoutDigests: { readonly ociLayout: string; readonly index: string }): ExpectedEntry[] {
  return entries.map((e) => ({
    name: e.name,
    type: e.type,
    size: e.size,
    offset: e.offset,
    ...(e.content.kind === 'blob'
      ? { digest: e.content.digest, blob: true }
      : e.content.kind === 'oci-layout'
        ? { digest: layoutDigests.ociLayout }
        : e.content.kind === 'index'
          ? { digest: layoutDigests.index }
          : {}),
  }));
}

const BLOB_NAME = /^blobs\/sha256\/[a-f0-9]{64}$/;
const ALLOWED_FILES = new Set([OCI_LAYOUT_FILE, INDEX_FILE]);
const ALLOWED_DIRS = new Set([BLOBS_DIR, BLOBS_SHA256_DIR]);

function unsafePath(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.includes('\\')) return 'a backslash';
  if (name.includes('\u0000')) return 'a NUL byte';
  if (name.split('/').some((segment) => segment === '..')) return 'a ".." component';
  return undefined;
}

/** What is wrong with an entry whose content hashed to `digest`, if anything. */
function contentProblem(part: string, want: ExpectedEntry, digest: string): Omit<VerifyProblem, 'file' | 'part'> | undefined {
  if (want.digest === undefined || digest === want.digest) return undefined;
  if (want.blob) return { code: 'BLOB_DIGEST_MISMATCH', message: `${part}: blob ${want.digest} is corrupt: its content hashes to ${digest}`, blob: want.digest, expected: want.digest, actual: digest };
  return { code: 'LAYOUT_MISMATCH', message: `${part}: ${want.name} does not have the content transfer.json implies`, expected: want.digest, actual: digest };
}

/** Checks the tar entries of one part as tar-stream reports them. */
class EntryChecker {
  readonly problems: VerifyProblem[] = [];
  private readonly expected = new Map<string, ExpectedEntry>();
  private readonly seen = new Set<string>();
  /** End of the last entry's padded data: where the next header (or the trailer) must start. */
  end = 0;
  broken = false;

  constructor(
    private readonly part: string,
    entries: readonly ExpectedEntry[],
  ) {
    for (const entry of entries) this.expected.set(entry.name, entry);
  }

  private add(problem: Omit<VerifyProblem, 'file' | 'part'>): void {
    this.problems.push({ ...problem, file: this.part, part: this.part });
  }

  /** Checks one entry; returns what it must contain when its content is to be hashed, else undefined. */
  entry(header: Header & { byteOffset?: number }): ExpectedEntry | undefined {
    const name = header.name;
    // tar-stream reports typeflags it does not know (GNU sparse, volume labels ...) as null.
    const type = (header.type as string | null | undefined) ?? null;
    const size = header.size ?? 0;
    const offset = header.byteOffset ?? -1;
    // Each header must follow the previous entry directly: tar-stream silently skips zero blocks
    // and consumes GNU long-name records, which GNU tar would read differently (a zero block ends
    // the archive there), so any gap is refused.
    const expectedAt = this.end + TAR_BLOCK;
    const contiguous = offset === expectedAt;
    this.end = offset + size + tarPadding(size);
    const label = JSON.stringify(name);
    if (!contiguous) {
      this.add({
        code: 'TAR_ENTRY_MISPLACED',
        message: `${this.part}: entry ${label} does not directly follow the previous entry (its data starts at byte ${offset}, expected ${expectedAt}): extra headers or padding were inserted`,
        expected: String(expectedAt),
        actual: String(offset),
      });
    }

    if (header.pax) {
      this.add({ code: 'TAR_ENTRY_FORBIDDEN', message: `${this.part}: entry ${label} comes with a pax extended header, which a transfer set never has` });
    }
    if (type !== 'file' && type !== 'directory') {
      const target = header.linkname ? ` -> ${JSON.stringify(header.linkname)}` : '';
      this.add({ code: 'TAR_ENTRY_FORBIDDEN', message: `${this.part}: entry ${label}${target} is a ${type ?? 'non-standard'} entry; only regular files and the blobs directories are allowed`, actual: String(type) });
      return undefined;
    }
    const unsafe = unsafePath(name);
    if (unsafe) {
      this.add({ code: 'TAR_ENTRY_FORBIDDEN', message: `${this.part}: entry ${label} has ${unsafe}`, actual: name });
      return undefined;
    }
    const allowed = type === 'file' ? ALLOWED_FILES.has(name) || BLOB_NAME.test(name) : ALLOWED_DIRS.has(name);
    if (!allowed) {
      this.add({ code: 'TAR_ENTRY_UNEXPECTED', message: `${this.part}: entry ${label} (${type}) is not part of an OCI image layout`, actual: name });
      return undefined;
    }
    const mode = (header.mode ?? 0) & 0o7777;
    const wantMode = type === 'file' ? TAR_FILE_MODE : TAR_DIR_MODE;
    if (mode !== wantMode) {
      this.add({ code: 'TAR_ENTRY_FORBIDDEN', message: `${this.part}: entry ${label} has mode ${mode.toString(8)}, not ${wantMode.toString(8)}`, expected: wantMode.toString(8), actual: mode.toString(8) });
    }
    const blob = BLOB_NAME.test(name) ? `sha256:${name.slice(BLOBS_SHA256_DIR.length)}` : undefined;
    if (this.seen.has(name)) {
      this.add({ code: 'TAR_ENTRY_DUPLICATE', message: `${this.part}: entry ${label} appears more than once`, ...(blob ? { blob } : {}) });
      return undefined;
    }
    this.seen.add(name);
    const want = this.expected.get(name);
    if (!want) {
      this.add({
        code: 'TAR_ENTRY_UNEXPECTED',
        message: blob ? `${this.part}: holds blob ${blob}, which transfer.json does not place in this part` : `${this.part}: holds ${label}, which belongs in the first part only`,
        ...(blob ? { blob } : {}),
      });
      return undefined;
    }
    if (want.type !== type) {
      this.add({ code: 'TAR_ENTRY_UNEXPECTED', message: `${this.part}: entry ${label} is a ${type}, expected a ${want.type}`, expected: want.type, actual: type });
      return undefined;
    }
    if (size !== want.size) {
      this.add({ code: 'TAR_ENTRY_SIZE', message: `${this.part}: entry ${label} has ${size} bytes, transfer.json says ${want.size}`, ...(blob ? { blob } : {}), expected: String(want.size), actual: String(size) });
    }
    if (contiguous && offset !== want.offset) {
      this.add({
        code: 'TAR_ENTRY_MISPLACED',
        message: `${this.part}: the data of entry ${label} starts at byte ${offset}, transfer.json says ${want.offset} (extra headers or data were inserted)`,
        ...(blob ? { blob } : {}),
        expected: String(want.offset),
        actual: String(offset),
      });
    }
    return want;
  }

  contentDone(want: ExpectedEntry, digest: string): void {
    const problem = contentProblem(this.part, want, digest);
    if (problem) this.add(problem);
  }

  tarError(err: unknown): void {
    this.broken = true;
    this.add({ code: 'TAR_INVALID', message: `${this.part}: is not a readable tar archive: ${(err as Error).message}` });
  }

  finish(fileSize: number): void {
    for (const [name, want] of this.expected) {
      if (this.seen.has(name)) continue;
      const why = this.broken ? ' (not reached: the archive is damaged before it)' : '';
      if (want.blob) this.add({ code: 'BLOB_MISSING', message: `${this.part}: blob ${want.digest ?? name} is missing${why}`, ...(want.digest ? { blob: want.digest } : {}) });
      else this.add({ code: 'TAR_ENTRY_MISSING', message: `${this.part}: ${name} is missing${why}` });
    }
    if (!this.broken && fileSize !== this.end + TAR_TRAILER) {
      this.add({
        code: 'TAR_TRAILER_INVALID',
        message: `${this.part}: ${fileSize - this.end} bytes follow the last entry, expected exactly the ${TAR_TRAILER}-byte end-of-archive marker`,
        expected: String(this.end + TAR_TRAILER),
        actual: String(fileSize),
      });
    }
  }
}

/** Feeds chunks to tar-stream, checks entries, and hashes their content. */
class DeepChecker {
  readonly checker: EntryChecker;
  private readonly extract = tarExtract();
  private failed = false;
  private readonly done: Promise<void>;

  constructor(part: string, entries: readonly ExpectedEntry[]) {
    this.checker = new EntryChecker(part, entries);
    this.extract.on('entry', (header, stream, next) => {
      let want: ExpectedEntry | undefined;
      try {
        want = this.checker.entry(header as Header & { byteOffset?: number });
      } catch (err) {
        this.checker.tarError(err);
      }
      const hash: Hash | undefined = want?.digest !== undefined ? createHash('sha256') : undefined;
      if (hash) {
        stream.on('data', (chunk: unknown) => {
          hash.update(chunk as Buffer);
        });
      }
      else stream.resume();
      // A part that ends inside an entry fails the entry's stream too; the extract's own error
      // handler reports it, so here it only must not become an uncaught exception.
      stream.on('error', () => undefined);
      stream.on('end', () => {
        if (hash && want) this.checker.contentDone(want, `sha256:${hash.digest('hex')}`);
        next();
      });
    });
    this.done = new Promise<void>((resolve) => {
      this.extract.on('finish', () => resolve());
      this.extract.on('close', () => resolve());
      this.extract.on('error', (err: unknown) => {
        if (!this.failed) {
          this.failed = true;
          this.checker.tarError(err);
        }
        resolve();
      });
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failed) return;
    if (!this.extract.write(chunk)) {
      await new Promise<void>((resolve) => {
        const settle = (): void => {
          this.extract.off('drain', settle);
          this.extract.off('close', settle);
          resolve();
        };
        this.extract.on('drain', settle);
        this.extract.on('close', settle);
      });
    }
  }

  async end(fileSize: number): Promise<readonly VerifyProblem[]> {
    if (!this.failed) this.extract.end(undefined);
    await this.done;
    this.checker.finish(fileSize);
    return this.checker.problems;
  }

  destroy(): void {
    this.failed = true;
    this.extract.destroy();
  }
}

interface Segment {
  readonly start: number;
  readonly end: number;
  /** The bytes that must be there (headers), zeros (padding, trailer), or content to hash. */
  readonly expect: Buffer | 'zeros' | 'content';
  readonly entry?: ExpectedEntry;
}

/** Compares a part byte by byte with the layout its writer laid out (PartJob.layout). */
class LayoutChecker {
  readonly problems: VerifyProblem[] = [];
  private readonly segments: Segment[] = [];
  private readonly size: number;
  private at = 0;
  private hash: Hash | undefined;
  private readonly flagged = new Set<Segment>();

  constructor(
    private readonly part: string,
    entries: readonly ExpectedEntry[],
  ) {
    let position = 0;
    for (const entry of [...entries].sort((a, b) => a.offset - b.offset)) {
      if (entry.offset - TAR_BLOCK !== position) throw new RangeError(`${part}: the layout given for ${entry.name} does not follow on from the entry before`);
      this.segments.push({ start: position, end: entry.offset, expect: tarHeader(entry.name, entry.type, entry.size), entry });
      if (entry.size > 0) this.segments.push({ start: entry.offset, end: entry.offset + entry.size, expect: 'content', entry });
      position = entry.offset + entry.size;
      const padding = tarPadding(entry.size);
      if (padding > 0) this.segments.push({ start: position, end: position + padding, expect: 'zeros', entry });
      position += padding;
    }
    this.segments.push({ start: position, end: position + TAR_TRAILER, expect: 'zeros' });
    this.size = position + TAR_TRAILER;
  }

  private add(problem: Omit<VerifyProblem, 'file' | 'part'>): void {
    this.problems.push({ ...problem, file: this.part, part: this.part });
  }

  private wrongBytes(segment: Segment): void {
    if (this.flagged.has(segment)) return;
    this.flagged.add(segment);
    const what = segment.entry ? `the ${segment.expect === 'zeros' ? 'padding' : 'header'} of ${segment.entry.name}` : 'the end-of-archive marker';
    this.add({ code: segment.entry ? 'TAR_INVALID' : 'TAR_TRAILER_INVALID', message: `${this.part}: ${what} at byte ${segment.start} is not what was written`, ...(segment.entry?.blob && segment.entry.digest ? { blob: segment.entry.digest } : {}) });
  }

  private contentDone(entry: ExpectedEntry, digest: string): void {
    const problem = contentProblem(this.part, entry, digest);
    if (problem) this.add(problem);
  }


  write(chunk: Buffer, position: number): void {
    const end = position + chunk.byteLength;
    while (this.at < this.segments.length) {
      const segment = this.segments[this.at] as Segment;
      if (segment.start >= end) return;
      const from = Math.max(segment.start, position);
      const to = Math.min(segment.end, end);
      const bytes = chunk.subarray(from - position, to - position);
      if (segment.expect === 'content') {
        if (from === segment.start) this.hash = segment.entry?.digest !== undefined ? createHash('sha256') : undefined;
        this.hash?.update(bytes);
        if (to === segment.end && this.hash && segment.entry) this.contentDone(segment.entry, `sha256:${this.hash.digest('hex')}`);
      } else {
        const want = segment.expect === 'zeros' ? TAR_ZEROS.subarray(0, to - from) : segment.expect.subarray(from - segment.start, to - segment.start);
        if (!bytes.equals(want)) this.wrongBytes(segment);
      }
      if (to < segment.end) return;
      this.at++;
    }
  }

  finish(fileSize: number): readonly VerifyProblem[] {
    if (fileSize !== this.size) {
      const short = this.segments[this.at];
      if (short?.entry?.blob && short.entry.digest) this.add({ code: 'BLOB_MISSING', message: `${this.part}: blob ${short.entry.digest} is cut off: the part ends at byte ${fileSize}`, blob: short.entry.digest });
      this.add({ code: 'SIZE_MISMATCH', message: `${this.part}: has ${fileSize} bytes, ${this.size} were written`, expected: String(this.size), actual: String(fileSize) });
    }
    return this.problems;
  }
}

/**
 * Reads the part once, hashing everything, and checking the tar entries when deep. `onBytes` is
 * told how many bytes each chunk had. Throws only for a file that cannot be opened or read (and on
 * abort); everything wrong with the content comes back as problems.
 */
export async function verifyPartFile(job: PartJob, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<PartResult> {
  const hash = createHash('sha256');
  const layout = job.layout ? new LayoutChecker(job.part, job.entries ?? []) : undefined;
  const deep = job.deep && !layout ? new DeepChecker(job.part, job.entries ?? []) : undefined;
  try {
    let size = 0;
    for await (const chunk of readChunks(job.path, { direct: job.direct ?? false, ...(job.chunkSize ? { chunkSize: job.chunkSize } : {}), ...(signal ? { signal } : {}) })) {
      layout?.write(chunk, size);
      size += chunk.byteLength;
      hash.update(chunk);
      // The chunk's buffer is read into again next turn; tar-stream may hold on to what it is given.
      if (deep) await deep.write(Buffer.from(chunk));
      onBytes(chunk.byteLength);
    }
    const problems = layout ? layout.finish(size) : deep ? await deep.end(size) : [];
    return { size, sha256: hash.digest('hex'), problems };
  } catch (err) {
    deep?.destroy();
    throw err;
  }
}
