import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AirlockError } from '../errors';
import { digestMismatch } from '../digest';
import { syncDir } from '../util/sync-dir';
import { PartSlots, type BlobSlot, type PartPrologueBytes } from './part-slots';
import type { PlannedPart } from './parts';
import type { FinishedPart } from './state';
import { PARTIAL_SUFFIX } from './layout';
import { expectedEntries, type PartResult } from './verify-part';
import { PartChecker } from './verify-pool';
import type { VerifyProblem } from './verify-types';

/**
 * Parts written while the pull runs, each blob straight from its download into its slot of the
 * part (part-slots.ts), several at once: no blob is read back from the cache to be written. Blobs
 * the pull does not hand over (already in the cache, manifests, downloads that began earlier) are
 * copied from the cache as they land. A part is read back whole from the drive as soon as it is
 * full, byte by byte against the layout written, every blob against its digest (verify-part.ts,
 * `layout`): that proves it, and the cache copies of the downloads in it, and gives its sha256.
 * Only then is it renamed from `<name>.partial`.
 */

/** Parts read back at once: the read-back hashes every byte twice (blob, part), so one reader falls behind. */
const READERS = 2;
/** Blobs copied from the cache at once. */
const COPIERS = 2;
/** Progress is reported in steps of about this many bytes per part. */
const PROGRESS_STEP = 1024 * 1024;

/**
 * A download's copy of the blob in the cache, stored unhashed (BlobCache.putPending): the part's
 * read-back proves the bytes, then the entry is committed.
 */
export interface Proof {
  readonly digest: string;
  commit(): Promise<void>;
  /** Hashes the copy and commits it when it matches, else drops it; returns what it hashed to. */
  prove(): Promise<string>;
}

/** A slot a download streams into; its unhashed cache copy comes with the end. */
export interface LiveSlot extends BlobSlot {
  end(proof?: Proof): Promise<void>;
}

/** Where a download offers its bytes (BlobSource.live): a slot to stream them into, or nothing. */
export type BlobTaker = (digest: string, size: number) => Promise<LiveSlot | undefined>;

/**
 * Downloads whose bytes were wrong (found by the read-back, confirmed by hashing their cache
 * copies, which are dropped): the images holding them failed. The set is planned again without
 * them, as for any image that failed (code EXPORT_PLAN_CHANGED).
 */
export class CorruptDownloads extends AirlockError {
  constructor(readonly blobs: ReadonlyMap<string, string>) {
    const [first] = blobs;
    super('EXPORT_PLAN_CHANGED', `${blobs.size} downloaded blob(s) did not match their digest${first ? `, first ${first[0]} (got ${first[1]})` : ''}`, {
      context: { ...(first ? { blob: first[0] } : {}) },
      hint: 'the export plans the set again without the images that hold them',
    });
  }
}

export interface LiveSource {
  /** Starts handing downloads to `take`; the returned function stops it. */
  live(take: BlobTaker | undefined): () => void;
  /** Of `candidates`, one that is in the cache now, waiting for the first to land. */
  next(candidates: readonly string[]): Promise<string>;
  chunks(digest: string): AsyncIterable<Buffer> | Promise<AsyncIterable<Buffer>>;
}

export interface LivePartsOptions {
  readonly dir: string;
  readonly parts: readonly PlannedPart[];
  readonly prologue: PartPrologueBytes;
  /** sha256 digests of oci-layout and index.json, which the read-back checks too. */
  readonly layoutDigests: { readonly ociLayout: string; readonly index: string };
  readonly planDigests: ReadonlyMap<string, string>;
  readonly source: LiveSource;
  readonly useWorkers: boolean;
  readonly signal?: AbortSignal;
  readonly onPartStart: (part: PlannedPart) => void;
  readonly onBytes: (part: PlannedPart, bytes: number) => void;
  /** The part is on the drive under its final name and proven; record it before this resolves. */
  readonly onPartDone: (record: FinishedPart, readBack: PartResult) => Promise<void>;
  /** Turns an error of the drive into what the operator should see (no space, read-only, ...). */
  readonly describe: (err: unknown, part: PlannedPart) => Promise<unknown>;
  /** The read-back found the part different from what was written. */
  readonly readBackFailed: (problems: readonly VerifyProblem[]) => unknown;
}

export async function writePartsLive(options: LivePartsOptions): Promise<void> {
  const { dir, signal } = options;
  const partOf = new Map<string, PlannedPart>();
  for (const part of options.parts) for (const digest of part.blobs) partOf.set(digest, part);
  const opened = new Map<string, Promise<PartSlots>>();
  const slotsOf = new Map<string, PartSlots>();
  const done = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const part of options.parts) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    done.set(part.name, { promise, resolve });
  }
  const unreported = new Map<string, number>();
  /** Blobs that have a slot (their part may still be opening for others). */
  const claimed = new Set<string>();
  /** Cache copies waiting for their part's read-back, by part. */
  const proofs = new Map<string, Proof[]>();
  /** Downloads found wrong: digest -> what it hashed to. */
  const corrupt = new Map<string, string>();
  const reported = new Map<string, number>();
  const progress = (part: PlannedPart, n: number): void => {
    reported.set(part.name, (reported.get(part.name) ?? 0) + n);
    options.onBytes(part, n);
  };

  let failure: unknown;
  let rejectFailed!: (err: unknown) => void;
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  failed.catch(() => undefined);
  const fail = (err: unknown): void => {
    if (failure !== undefined) return;
    failure = err;
    rejectFailed(err);
  };
  const onAbort = (): void => fail(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  const checkers = Array.from({ length: READERS }, () => new PartChecker(options.useWorkers));
  let turn = 0;

  const slotsFor = (part: PlannedPart): Promise<PartSlots> => {
    let p = opened.get(part.name);
    if (!p) {
      p = (async () => {
        options.onPartStart(part);
        const slots = await PartSlots.open(join(dir, `${part.name}${PARTIAL_SUFFIX}`), part, options.prologue).catch(async (err: unknown) => {
          throw await options.describe(err, part);
        });
        slotsOf.set(part.name, slots);
        return slots;
      })();
      p.catch(fail);
      opened.set(part.name, p);
    }
    return p;
  };

  const finish = async (part: PlannedPart, slots: PartSlots): Promise<void> => {
    const path = join(dir, `${part.name}${PARTIAL_SUFFIX}`);
    let arranged: PlannedPart;
    try {
      arranged = await slots.finish();
    } catch (err) {
      throw await options.describe(err, part);
    } finally {
      await slots.close();
      slotsOf.delete(part.name);
    }
    const reporter = checkers[turn++ % READERS] as PartChecker;
    const outcome = await reporter.check({ path, part: part.name, deep: false, layout: true, entries: expectedEntries(arranged.entries, options.layoutDigests), direct: true });
    if (!outcome.ok) {
      throw new AirlockError('MEDIA_READBACK_FAILED', `${part.name} could not be read back from ${dir}: ${outcome.message}`, {
        context: { file: dir, part: part.name },
        hint: 'the drive may be failing or was removed; run the export again',
      });
    }
    const waiting = proofs.get(part.name) ?? [];
    proofs.delete(part.name);
    if (outcome.result.problems.length > 0) {
      // A blob that reads back wrong came wrong from the registry if its cache copy is wrong too.
      const wrong = new Map(outcome.result.problems.flatMap((p) => (p.code === 'BLOB_DIGEST_MISMATCH' && p.blob ? [[p.blob, p.actual ?? '']] : [])));
      for (const proof of waiting) {
        const actual = await proof.prove().catch(() => wrong.get(proof.digest) ?? 'unreadable');
        if (actual !== proof.digest) corrupt.set(proof.digest, actual);
      }
      if (corrupt.size > 0) throw new CorruptDownloads(corrupt);
      throw options.readBackFailed(outcome.result.problems);
    }
    // The read-back checked every blob: their cache copies hold the same bytes.
    for (const proof of waiting) await proof.commit();
    await rename(path, join(dir, part.name));
    await syncDir(dir);
    // Headers, padding, prologue and trailer count too: the part's bytes in all.
    unreported.set(part.name, 0);
    const rest = part.size - (reported.get(part.name) ?? 0);
    if (rest > 0) progress(part, rest);
    const record: FinishedPart = { name: part.name, plan: options.planDigests.get(part.name) as string, size: part.size, sha256: outcome.result.sha256, blobs: [...arranged.blobs] };
    await options.onPartDone(record, outcome.result);
    done.get(part.name)?.resolve();
  };

  /** The slot of `digest` in `slots`, reporting its bytes, finishing the part when it is full. */
  const track = (part: PlannedPart, slots: PartSlots, digest: string): LiveSlot => {
    const slot = slots.claim(digest);
    claimed.add(digest);
    const report = (n: number): void => {
      const pending = (unreported.get(part.name) ?? 0) + n;
      if (pending < PROGRESS_STEP) {
        unreported.set(part.name, pending);
        return;
      }
      unreported.set(part.name, 0);
      progress(part, pending);
    };
    // Whatever goes wrong here is the writer's failure, never the download's: the pull goes on
    // filling the cache, and the export decides (a drive error stops it, a changed plan re-plans).
    let dead = false;
    const drive = async (err: unknown): Promise<void> => {
      dead = true;
      fail(await options.describe(err, part));
    };
    return {
      write: async (data) => {
        if (dead || failure !== undefined) return;
        try {
          await slot.write(data);
        } catch (err) {
          await drive(err);
          return;
        }
        report(data.byteLength);
      },
      end: async (proof) => {
        // No read-back will prove this copy: hash it now, and fail the download if it is wrong.
        const unproven = async (): Promise<void> => {
          const actual = proof ? await proof.prove() : digest;
          if (actual !== digest) throw digestMismatch(digest, actual);
        };
        if (dead || failure !== undefined) return unproven();
        try {
          await slot.end();
        } catch (err) {
          await drive(err);
          return unproven();
        }
        if (proof) proofs.set(part.name, [...(proofs.get(part.name) ?? []), proof]);
        report(0);
        if (slots.full) finish(part, slots).catch(fail);
      },
      abandon: async () => {
        await slot.abandon().catch(() => undefined);
        fail(
          new AirlockError('EXPORT_PLAN_CHANGED', `blob ${digest} stopped arriving part-way, so ${part.name} cannot be written as planned`, {
            context: { blob: digest, part: part.name },
            hint: 'the export plans the set again from the images that were pulled',
          }),
        );
      },
    };
  };

  const take: BlobTaker = async (digest) => {
    const part = partOf.get(digest);
    if (!part || failure !== undefined) return undefined;
    const slots = await slotsFor(part).catch(() => undefined);
    if (!slots?.wants(digest)) return undefined;
    return track(part, slots, digest);
  };

  const unclaimed = (): string[] => options.parts.flatMap((part) => part.blobs.filter((d) => !claimed.has(d)));

  const copier = async (): Promise<void> => {
    for (;;) {
      if (failure !== undefined) return;
      const candidates = unclaimed();
      if (candidates.length === 0) return;
      const digest = await Promise.race([options.source.next(candidates), failed]);
      const part = partOf.get(digest) as PlannedPart;
      const slots = await slotsFor(part);
      // A download may have taken it meanwhile.
      if (!slots.wants(digest)) continue;
      const slot = track(part, slots, digest);
      try {
        for await (const chunk of await options.source.chunks(digest)) {
          if (failure !== undefined) return;
          await slot.write(chunk);
        }
      } catch (err) {
        await slot.abandon();
        throw err;
      }
      await slot.end();
    }
  };

  const stop = options.source.live(take);
  try {
    // A part without blobs (all shipped before) is full as soon as it is open.
    for (const part of options.parts.filter((p) => p.blobs.length === 0)) {
      slotsFor(part)
        .then((slots) => finish(part, slots))
        .catch(fail);
    }
    await Promise.race([Promise.all(Array.from({ length: COPIERS }, copier)), failed]);
    await Promise.race([Promise.all([...done.values()].map((d) => d.promise)), failed]);
  } catch (err) {
    fail(err);
  } finally {
    stop();
    signal?.removeEventListener('abort', onAbort);
    await Promise.all([...slotsOf.values()].map((s) => s.close().catch(() => undefined)));
    await Promise.all(checkers.map((c) => c.close()));
    if (failure !== undefined) {
      for (const part of options.parts) {
        if (opened.has(part.name)) await rm(join(dir, `${part.name}${PARTIAL_SUFFIX}`), { force: true });
      }
      // Cache copies no read-back will prove: hashed now, so that what was downloaded stays (a
      // cancelled export leaves them for the next run to adopt, rather than hash them now).
      for (const proof of signal?.aborted ? [] : [...proofs.values()].flat()) {
        const actual = await proof.prove().catch(() => 'unreadable');
        if (actual !== proof.digest) corrupt.set(proof.digest, actual);
      }
      proofs.clear();
    }
  }
  if (failure === undefined) return;
  // An image that failed re-plans the set; so do downloads found wrong, which fail their images.
  if (corrupt.size > 0 && (failure instanceof CorruptDownloads || (failure instanceof AirlockError && failure.code === 'EXPORT_PLAN_CHANGED'))) throw new CorruptDownloads(corrupt);
  throw failure;
}
