import { Readable } from 'node:stream';
import { AirlockError } from '../errors';
import { DigestAccumulator, digestMismatch, sha256Digest, sizeMismatch } from '../digest';
import { pullScope, pushScope } from './auth';
import { isRetryableError } from './errors';
import { MANIFEST_ACCEPT } from './media-types';
import { KeyedQueue } from '../util/keyed-queue';
import { header, RegistryTransport, type Response, type TransportOptions } from './transport';

/** Manifests are small; anything bigger is a hostile or broken registry, not an image. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

export interface ManifestHead {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface OpenBlobOptions {
  readonly size?: number;
  readonly signal?: AbortSignal;
  /** Named in errors: the image the blob belongs to. */
  readonly image?: string;
  /**
   * Only the size is checked, not the digest: for a caller that proves the bytes itself later
   * (the export's read-back checks every blob of a part against its digest), so that they are
   * not hashed twice.
   */
  readonly unchecked?: boolean;
}

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

export interface UploadBlobOptions {
  readonly signal?: AbortSignal;
  /** Repositories on the same registry that already hold the blob: mount instead of uploading. */
  readonly mountFrom?: readonly string[];
  readonly image?: string;
  /** Skip the HEAD check (the caller already knows the blob is absent). */
  readonly skipExistsCheck?: boolean;
}

async function readLimited(body: Response['body'], limit: number, what: string, registry: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      body.destroy();
      throw new AirlockError('MANIFEST_TOO_LARGE', `${what} from ${registry} is larger than ${limit} bytes`, {
        context: { registry },
        hint: 'a manifest is a few kilobytes; this registry is returning something else',
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The OCI distribution API of one registry. Every manifest's digest is checked on receipt; every
 * blob is hashed as it streams and a mismatch fails the stream before its end is signalled.
 */
export class RegistryClient {
  readonly transport: RegistryTransport;
  /**
   * Distribution's filesystem storage rewrites a repository's links in place (truncate, then
   * write): every manifest PUT rewrites the manifest's revision link, and checks the links of the
   * blobs and child manifests it references. A PUT that reads a link while another request
   * rewrites it fails with 400 DIGEST_INVALID. So manifest PUTs into one repository go one at a
   * time (they are small), as do uploads of one blob into one repository (the second then finds
   * the blob there). Manifest data is stored once per registry: one digest is also one at a time.
   */
  private readonly writes = new KeyedQueue();

  constructor(options: TransportOptions) {
    this.transport = new RegistryTransport(options);
  }

  get registry(): string {
    return this.transport.registry;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private ref(repository: string, selector: string): string {
    return `${this.registry}/${repository}${selector.startsWith('sha256:') ? '@' : ':'}${selector}`;
  }

  /** Checks that the registry answers the v2 API, authenticating if it asks to. */
  async ping(signal?: AbortSignal): Promise<void> {
    const res = await this.transport.send({ method: 'GET', path: '/v2/', scopes: [], accept: [200], what: 'API version check', ...(signal ? { signal } : {}) });
    await res.body.dump();
  }

  async getManifest(repository: string, selector: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const image = this.ref(repository, selector);
    const res = await this.transport.send({
      method: 'GET',
      path: `/v2/${repository}/manifests/${selector}`,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pullScope(repository)],
      accept: [200],
      what: `manifest ${image}`,
      image,
      ...(signal ? { signal } : {}),
    });
    const bytes = await readLimited(res.body, MAX_MANIFEST_BYTES, `manifest ${image}`, this.registry);
    const digest = sha256Digest(bytes);
    const expected = selector.startsWith('sha256:') ? selector : header(res.headers, 'docker-content-digest');
    if (expected?.startsWith('sha256:') && expected !== digest) {
      throw digestMismatch(expected, digest, { registry: this.registry, image });
    }
    const mediaType = (header(res.headers, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
    return { bytes, mediaType, digest };
  }

  /** Digest, media type and size of a manifest, or undefined when the registry does not have it. */
  async headManifest(repository: string, selector: string, signal?: AbortSignal): Promise<ManifestHead | undefined> {
    const image = this.ref(repository, selector);
    const res = await this.transport.send({
      method: 'HEAD',
      path: `/v2/${repository}/manifests/${selector}`,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pullScope(repository)],
      accept: [200, 404],
      what: `manifest ${image}`,
      image,
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    const digest = header(res.headers, 'docker-content-digest');
    if (!digest) {
      // Some registries omit the header on HEAD; the body is the only truth then.
      const m = await this.getManifest(repository, selector, signal);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    return {
      digest,
      mediaType: (header(res.headers, 'content-type') ?? '').split(';')[0]?.trim() ?? '',
      size: Number(header(res.headers, 'content-length') ?? 0),
    };
  }

  /** Stores a manifest under a tag or its digest; returns the digest, checked against the registry's. */
  async putManifest(repository: string, selector: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<string> {
    const digest = sha256Digest(bytes);
    if (selector.startsWith('sha256:') && selector !== digest) throw digestMismatch(selector, digest, { registry: this.registry, image: this.ref(repository, selector) });
    // Always repository, then digest: no task holding a digest waits for a repository.
    return this.writes.run(`manifests ${repository}`, () => this.writes.run(`manifest ${digest}`, () => this.sendManifest(repository, selector, bytes, digest, mediaType, signal)));
  }

  private async sendManifest(repository: string, selector: string, bytes: Buffer, digest: string, mediaType: string, signal: AbortSignal | undefined): Promise<string> {
    const image = this.ref(repository, selector);
    const res = await this.transport.send({
      method: 'PUT',
      path: `/v2/${repository}/manifests/${selector}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [pushScope(repository)],
      accept: [201, 200],
      what: `manifest ${image}`,
      image,
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
    const stored = header(res.headers, 'docker-content-digest');
    if (stored?.startsWith('sha256:') && stored !== digest) throw digestMismatch(digest, stored, { registry: this.registry, image });
    return digest;
  }

  async headBlob(repository: string, digest: string, signal?: AbortSignal): Promise<{ size: number } | undefined> {
    const res = await this.transport.send({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      scopes: [pullScope(repository)],
      accept: [200, 404],
      followRedirects: true,
      what: `blob ${digest} in ${repository}`,
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    return { size: Number(header(res.headers, 'content-length') ?? -1) };
  }

  /**
   * Streams a blob. The sha256 is computed as bytes flow; when the connection drops mid-way the
   * download resumes with a Range request from the last byte received. The stream errors with
   * DIGEST_MISMATCH / SIZE_MISMATCH instead of ending when the content is wrong.
   */
  openBlob(repository: string, digest: string, options: OpenBlobOptions = {}): Readable {
    return Readable.from(this.blobChunks(repository, digest, options), { objectMode: false, highWaterMark: 1 << 20 });
  }

  private async *blobChunks(repository: string, digest: string, options: OpenBlobOptions): AsyncGenerator<Buffer> {
    const { size, signal } = options;
    const context = { registry: this.registry, blob: digest, ...(options.image ? { image: options.image } : {}) };
    const acc = options.unchecked ? undefined : new DigestAccumulator();
    let received = 0;
    let failures = 0;
    for (;;) {
      const offset = received;
      let res: Response;
      try {
        res = await this.transport.send({
          method: 'GET',
          path: `/v2/${repository}/blobs/${digest}`,
          headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
          scopes: [pullScope(repository)],
          accept: offset > 0 ? [200, 206] : [200],
          followRedirects: true,
          what: `blob ${digest} of ${repository}`,
          ...(options.image ? { image: options.image } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        if (offset > 0 && failures < this.transport.retry.times && isRetryableError(err) && !signal?.aborted) {
          failures++;
          continue;
        }
        throw err;
      }
      // A server that ignores Range sends the whole blob again: skip what we already have.
      let skip = offset > 0 && res.status === 200 ? offset : 0;
      const before = received;
      try {
        for await (const raw of res.body as AsyncIterable<Buffer>) {
          let chunk = raw;
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length;
              continue;
            }
            chunk = chunk.subarray(skip);
            skip = 0;
          }
          acc?.update(chunk);
          received += chunk.length;
          if (size !== undefined && received > size) throw sizeMismatch(digest, size, received, context);
          yield chunk;
        }
        break;
      } catch (err) {
        res.body.destroy();
        if (err instanceof AirlockError || signal?.aborted) throw err;
        // Progress since the last failure earns a fresh set of attempts: long blobs on flaky links finish.
        if (received > before) failures = 0;
        if (failures >= this.transport.retry.times) {
          throw new AirlockError('BLOB_INTERRUPTED', `download of blob ${digest} from ${this.registry} kept failing after ${received} bytes: ${(err as Error).message}`, {
            context,
            hint: 'the connection is unstable; run again: what was downloaded completely is kept',
            cause: err,
          });
        }
        failures++;
      }
    }
    if (size !== undefined && received !== size) throw sizeMismatch(digest, size, received, context);
    if (!acc) return;
    const actual = acc.digest();
    if (actual !== digest) throw digestMismatch(digest, actual, context);
  }

  /** Tries a cross-repository mount; true when the registry linked the blob without an upload. */
  async mountBlob(repository: string, digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.transport.send({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      headers: { 'content-length': '0' },
      scopes: [pushScope(repository), pullScope(from)],
      accept: [201, 202],
      what: `mount of blob ${digest} from ${from} into ${repository}`,
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
    if (res.status === 202) {
      // The registry opened an upload session instead; close it so it does not linger.
      const location = header(res.headers, 'location');
      if (location) await this.cancelUpload(location, repository, signal).catch(() => undefined);
    }
    return res.status === 201;
  }

  private async cancelUpload(location: string, repository: string, signal?: AbortSignal): Promise<void> {
    const res = await this.transport.send({
      method: 'DELETE',
      path: location,
      scopes: [pushScope(repository)],
      accept: [204, 200, 404],
      what: 'upload session',
      retry: false,
      ...(signal ? { signal } : {}),
    });
    await res.body.dump();
  }

  /**
   * Puts a blob into a repository unless it is there: HEAD, then cross-repository mount, then a
   * streamed upload (POST, PATCH, PUT ?digest=). The registry checks the digest on PUT; `open` is
   * called again for each retry, so it must produce the same bytes each time.
   */
  uploadBlob(repository: string, digest: string, size: number, open: () => Readable, options: UploadBlobOptions = {}): Promise<UploadOutcome> {
    return this.writes.run(`blob ${repository}@${digest}`, () => this.putBlob(repository, digest, size, open, options));
  }

  private async putBlob(repository: string, digest: string, size: number, open: () => Readable, options: UploadBlobOptions): Promise<UploadOutcome> {
    const { signal } = options;
    if (!options.skipExistsCheck && (await this.headBlob(repository, digest, signal))) return 'exists';
    for (const from of options.mountFrom ?? []) {
      if (from !== repository && (await this.mountBlob(repository, digest, from, signal))) return 'mounted';
    }
    await this.transport.withRetry(signal, () => this.uploadOnce(repository, digest, size, open, options));
    return 'uploaded';
  }

  private async uploadOnce(repository: string, digest: string, size: number, open: () => Readable, options: UploadBlobOptions): Promise<void> {
    const { signal } = options;
    const what = `upload of blob ${digest} to ${repository}`;
    const base = { scopes: [pushScope(repository)], what, ...(options.image ? { image: options.image } : {}), ...(signal ? { signal } : {}) };
    const start = await this.transport.send({ ...base, method: 'POST', path: `/v2/${repository}/blobs/uploads/`, headers: { 'content-length': '0' }, accept: [202], retry: false });
    await start.body.dump();
    let location = this.uploadLocation(start);
    const patch = await this.transport.send({
      ...base,
      method: 'PATCH',
      path: location,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: open,
      accept: [202, 204],
      retry: false,
    });
    await patch.body.dump();
    location = this.uploadLocation(patch, location);
    const put = new URL(location, patch.url);
    put.searchParams.set('digest', digest);
    const done = await this.transport.send({ ...base, method: 'PUT', path: put.toString(), headers: { 'content-length': '0' }, accept: [201, 204], retry: false });
    await done.body.dump();
    const stored = header(done.headers, 'docker-content-digest');
    if (stored && stored !== digest) throw digestMismatch(digest, stored, { registry: this.registry, blob: digest });
  }

  private uploadLocation(res: Response, fallback?: string): string {
    const location = header(res.headers, 'location');
    if (location) return new URL(location, res.url).toString();
    if (fallback) return fallback;
    throw new AirlockError('REGISTRY_PROTOCOL', `${this.registry} started an upload without a Location header`, {
      context: { registry: this.registry },
      hint: 'the registry does not follow the OCI distribution spec for uploads',
    });
  }

  /** Every tag of a repository, following `Link: <…>; rel="next"` pagination. */
  async listTags(repository: string, options: { signal?: AbortSignal; pageSize?: number } = {}): Promise<string[]> {
    const { signal } = options;
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=${options.pageSize ?? 1000}`;
    for (let page = 0; path && page < 10_000; page++) {
      const res: Response = await this.transport.send({
        method: 'GET',
        path,
        scopes: [pullScope(repository)],
        accept: [200, 404],
        what: `tags of ${this.registry}/${repository}`,
        ...(signal ? { signal } : {}),
      });
      // distribution answers NAME_UNKNOWN for a repository that holds only untagged manifests.
      if (res.status === 404) {
        await res.body.dump();
        break;
      }
      const body = JSON.parse((await readLimited(res.body, 64 * 1024 * 1024, `tags of ${repository}`, this.registry)).toString('utf8')) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = header(res.headers, 'link');
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next ? new URL(next, res.url).toString() : undefined;
    }
    return tags;
  }
}
