import { readFile } from 'node:fs/promises';
import * as openpgp from 'openpgp';
import type { Architecture, PlatformType } from '../config/types';
import { AirlockError, describeError } from '../errors';
import { describeUrl, HttpSource, type HttpOptions } from './http';
import { REDHAT_RELEASE_KEY, REDHAT_RELEASE_KEY_NAME } from './redhat-release-key';
import { MAX_SIGNATURE_BYTES, MAX_SIGNATURES_PER_RELEASE, type ReleaseSignatureRecord } from './signature-records';

export { MAX_SIGNATURE_BYTES, MAX_SIGNATURES_PER_RELEASE, parseSignatureRecords, type ReleaseSignatureRecord } from './signature-records';

/**
 * Release signatures: the store Red Hat publishes them in
 * (`<store>/sha256=<hex>/signature-<n>`), their verification, and the form they travel in.
 *
 * A signature is an OpenPGP signed message (the "simple signing" format of containers/image):
 * its literal data is JSON whose `critical.type` is `atomic container signature` and whose
 * `critical.image.docker-manifest-digest` must be the release digest. It must verify against a
 * trusted release key: Red Hat's release key by default (redhat-release-key.ts, as oc-mirror builds
 * its default in), or the key file OCP_SIGNATURE_VERIFICATION_PK names (oc-mirror's variable).
 *
 * OKD releases are not signed by Red Hat. As in oc-mirror, nothing changes for `type: okd`: the
 * same store and key apply unless OCP_SIGNATURE_URL and OCP_SIGNATURE_VERIFICATION_PK name the
 * OpenShift CI store and key (docs/okd-mirror.md of oc-mirror); the errors say so for OKD releases.
 */

export const DEFAULT_SIGNATURE_STORE_URL = 'https://mirror.openshift.com/pub/openshift-v4/signatures/openshift/release/';
export const SIGNATURE_URL_ENV = 'OCP_SIGNATURE_URL';
export const SIGNATURE_KEY_ENV = 'OCP_SIGNATURE_VERIFICATION_PK';
export const ATOMIC_SIGNATURE_TYPE = 'atomic container signature';
/** Where OKD's signatures are published, and the key they are made with (oc-mirror's docs/okd-mirror.md). */
export const OKD_SIGNATURE_STORE_URL = 'https://storage.googleapis.com/openshift-ci-release/releases/signatures/openshift/release/';
export const OKD_SIGNATURE_KEY_SOURCE = 'keys/verifier-public-key-openshift-ci-4 of github.com/openshift/cluster-update-keys';

/** The release a signature is for, as errors name it. */
export interface SignedRelease {
  readonly version: string;
  readonly arch: Architecture;
  /** The payload's manifest digest, sha256:<hex>. */
  readonly digest: string;
  /** ocp when absent; OKD releases get OKD's store and key in hints. */
  readonly type?: PlatformType;
}

export interface SimpleSigningPayload {
  readonly type: string;
  readonly dockerManifestDigest: string;
  readonly dockerReference: string;
  readonly creator?: string;
  readonly timestamp?: number;
}

export interface VerifiedSignature {
  /** n of signature-<n> in the store. */
  readonly index: number;
  /** The signature exactly as published: what the ConfigMap carries. */
  readonly bytes: Buffer;
  readonly payload: SimpleSigningPayload;
  /** Hex key id of the key that made it. */
  readonly keyId: string;
}

export interface VerifiedRelease {
  readonly release: SignedRelease;
  readonly signatures: readonly VerifiedSignature[];
  readonly warnings: readonly string[];
}

export interface TrustedReleaseKeys {
  readonly keys: readonly openpgp.PublicKey[];
  /** Upper-case hex fingerprints, for messages. */
  readonly fingerprints: readonly string[];
  /** Where they were read from. */
  readonly source: string;
  /** The built-in Red Hat release key (no OCP_SIGNATURE_VERIFICATION_PK). */
  readonly builtIn?: true;
}

function label(release: SignedRelease): string {
  return `release ${release.version} (${release.arch}, ${release.digest})`;
}

/** What to do when a release's signatures do not come from the trusted key. */
function keyHint(release: SignedRelease): string {
  if (release.type === 'okd') {
    return `OKD releases are signed by the OpenShift CI key, not Red Hat's: set ${SIGNATURE_URL_ENV}=${OKD_SIGNATURE_STORE_URL} and ${SIGNATURE_KEY_ENV} to a file holding ${OKD_SIGNATURE_KEY_SOURCE}`;
  }
  return `set ${SIGNATURE_KEY_ENV} to a file holding the public key these releases are signed with (only for releases not signed by Red Hat)`;
}

function context(release: SignedRelease, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return { release: release.version, arch: release.arch, image: release.digest, ...extra };
}

/** Reads armored or binary OpenPGP public keys (one file may hold several, as Red Hat's does). */
export async function parseReleaseKeys(data: Buffer | string, source: string): Promise<TrustedReleaseKeys> {
  let keys: openpgp.Key[];
  try {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : data;
    if (text.includes('-----BEGIN PGP')) {
      // One armor block may hold several keys (Red Hat's does), and a file may hold several blocks.
      const blocks = text.match(/-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g) ?? [];
      if (blocks.length === 0) throw new Error('no complete armored key block');
      keys = (await Promise.all(blocks.map((armoredKeys) => openpgp.readKeys({ armoredKeys })))).flat();
    } else {
      keys = await openpgp.readKeys({ binaryKeys: Buffer.isBuffer(data) ? new Uint8Array(data) : new Uint8Array(Buffer.from(data, 'latin1')) });
    }
  } catch (err) {
    throw new AirlockError('RELEASE_KEY_INVALID', `${source} does not hold OpenPGP public keys: ${describeError(err)}`, {
      context: { file: source },
      hint: 'give the release key as exported by gpg --export (binary) or gpg --export --armor',
      cause: err,
    });
  }
  if (keys.length === 0) throw new AirlockError('RELEASE_KEY_INVALID', `${source} holds no OpenPGP key`, { context: { file: source } });
  const publicKeys = keys.map((k) => (k.isPrivate() ? k.toPublic() : (k as openpgp.PublicKey)));
  return { keys: publicKeys, fingerprints: publicKeys.map((k) => k.getFingerprint().toUpperCase()), source };
}

export interface ReleaseKeyOptions {
  /** A key file; overrides the environment. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Red Hat's release key, as TrustedReleaseKeys. */
export async function builtInReleaseKeys(): Promise<TrustedReleaseKeys> {
  const keys = await parseReleaseKeys(REDHAT_RELEASE_KEY, `the built-in ${REDHAT_RELEASE_KEY_NAME}`);
  return { ...keys, builtIn: true };
}

/**
 * The trusted release key(s): `file`, else the file OCP_SIGNATURE_VERIFICATION_PK names, else Red
 * Hat's release key. A key file that cannot be read is an error, not a fall back to Red Hat's key
 * (oc-mirror falls back with a warning): the operator asked for another key.
 */
export async function loadReleaseKeys(options: ReleaseKeyOptions = {}): Promise<TrustedReleaseKeys> {
  const file = options.file ?? (options.env ?? process.env)[SIGNATURE_KEY_ENV];
  if (!file) return builtInReleaseKeys();
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw new AirlockError('RELEASE_KEY_UNREADABLE', `cannot read the release verification key ${file}: ${(err as Error).message}`, {
      context: { file },
      hint: `${SIGNATURE_KEY_ENV} must name a readable key file`,
      cause: err,
    });
  }
  return parseReleaseKeys(data, file);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The simple-signing JSON, strictly: a signature whose claims cannot be read says nothing. */
export function parseSimpleSigningPayload(data: Uint8Array, release: SignedRelease, index: number): SimpleSigningPayload {
  const bad = (why: string): AirlockError =>
    new AirlockError('RELEASE_SIGNATURE_INVALID', `signature-${index} of ${label(release)} is not an atomic container signature: ${why}`, {
      context: context(release, { signature: index }),
      hint: 'the signature store does not serve release signatures; check OCP_SIGNATURE_URL',
    });
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw bad('its payload is not JSON');
  }
  if (!isObject(json) || !isObject(json.critical)) throw bad('it has no "critical" section');
  const { critical } = json;
  if (critical.type !== ATOMIC_SIGNATURE_TYPE) throw bad(`critical.type is ${JSON.stringify(critical.type)}`);
  const image = critical.image;
  const identity = critical.identity;
  if (!isObject(image) || typeof image['docker-manifest-digest'] !== 'string') throw bad('critical.image.docker-manifest-digest is missing');
  if (!isObject(identity) || typeof identity['docker-reference'] !== 'string') throw bad('critical.identity.docker-reference is missing');
  const optional = isObject(json.optional) ? json.optional : {};
  return {
    type: critical.type,
    dockerManifestDigest: image['docker-manifest-digest'],
    dockerReference: identity['docker-reference'],
    ...(typeof optional.creator === 'string' ? { creator: optional.creator } : {}),
    ...(typeof optional.timestamp === 'number' ? { timestamp: optional.timestamp } : {}),
  };
}

export type SignatureCheck =
  | { readonly status: 'verified'; readonly signature: VerifiedSignature }
  /** Made by a key that is not trusted: says nothing either way. */
  | { readonly status: 'unknown-signer'; readonly keyIds: readonly string[] };

export interface VerifyOptions {
  /** The time signatures and keys are checked at (default now). */
  readonly date?: Date;
}

/**
 * Verifies one published signature of a release. A signature by a trusted key that does not
 * verify, or that is for another digest, throws (RELEASE_SIGNATURE_INVALID, RELEASE_SIGNATURE_MISMATCH);
 * one by a key that is not trusted is reported as `unknown-signer`.
 */
export async function verifyReleaseSignature(bytes: Buffer, index: number, release: SignedRelease, trusted: TrustedReleaseKeys, options: VerifyOptions = {}): Promise<SignatureCheck> {
  const invalid = (why: string, cause?: unknown): AirlockError =>
    new AirlockError('RELEASE_SIGNATURE_INVALID', `signature-${index} of ${label(release)} does not verify: ${why}`, {
      context: context(release, { signature: index }),
      hint: 'the signature or the release was altered, or the store served something else; do not mirror this release',
      ...(cause === undefined ? {} : { cause }),
    });
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: new Uint8Array(bytes) });
  } catch (err) {
    throw invalid(`it is not an OpenPGP message (${describeError(err)})`, err);
  }
  const signers = message.getSigningKeyIDs().map((id) => id.toHex());
  if (signers.length === 0) throw invalid('the message is not signed');
  const trustedIds = new Set(trusted.keys.flatMap((k) => k.getKeyIDs().map((id) => id.toHex())));
  if (!signers.some((id) => trustedIds.has(id))) return { status: 'unknown-signer', keyIds: signers };
  let data: Uint8Array;
  let keyId: string;
  try {
    const result = await openpgp.verify({ message, verificationKeys: [...trusted.keys], expectSigned: true, format: 'binary', ...(options.date ? { date: options.date } : {}) });
    data = result.data;
    const valid = [];
    for (const s of result.signatures) {
      if (!trustedIds.has(s.keyID.toHex())) continue;
      await s.verified;
      valid.push(s.keyID.toHex());
    }
    if (valid.length === 0) throw new Error('no signature by a trusted key');
    keyId = valid[0] as string;
  } catch (err) {
    throw invalid(`${describeError(err)} (trusted keys: ${trusted.fingerprints.join(', ')} from ${trusted.source})`, err);
  }
  const payload = parseSimpleSigningPayload(data, release, index);
  if (payload.dockerManifestDigest !== release.digest) {
    throw new AirlockError('RELEASE_SIGNATURE_MISMATCH', `signature-${index} of ${label(release)} is a valid signature for ${payload.dockerManifestDigest} (${payload.dockerReference}), not for this release`, {
      context: context(release, { signature: index, expected: release.digest, actual: payload.dockerManifestDigest }),
      hint: 'the store served the signature of another image under this digest, or the update graph names the wrong payload; do not mirror this release',
    });
  }
  return { status: 'verified', signature: { index, bytes, payload, keyId } };
}

export interface SignatureStoreOptions extends HttpOptions {
  /** Base URL of the store; default OCP_SIGNATURE_URL from `env`, else mirror.openshift.com. */
  readonly url?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export function signatureStoreUrl(options: Pick<SignatureStoreOptions, 'url' | 'env'> = {}): URL {
  const chosen = options.url ?? ((options.env ?? process.env)[SIGNATURE_URL_ENV] || DEFAULT_SIGNATURE_STORE_URL);
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new AirlockError('RELEASE_SIGNATURE_URL_INVALID', `the signature store URL "${chosen}" is not a URL`, {
      context: { url: chosen },
      hint: `set ${SIGNATURE_URL_ENV} to the base URL of a release signature store, ending before sha256=<hex>/`,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AirlockError('RELEASE_SIGNATURE_URL_INVALID', `the signature store URL "${chosen}" is not http(s)`, { context: { url: chosen } });
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/** The published signatures of a digest, signature-1 upwards until the store answers 404. */
export class SignatureStoreClient {
  private readonly http: HttpSource;
  readonly base: URL;

  constructor(options: SignatureStoreOptions = {}) {
    this.base = signatureStoreUrl(options);
    this.http = new HttpSource(options);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  signatureUrl(digest: string, index: number): URL {
    return new URL(`sha256=${digest.replace(/^sha256:/, '')}/signature-${index}`, this.base);
  }

  async fetchSignatures(release: SignedRelease, signal?: AbortSignal): Promise<Array<{ index: number; bytes: Buffer }>> {
    if (!/^sha256:[a-f0-9]{64}$/.test(release.digest)) {
      throw new AirlockError('RELEASE_SIGNATURE_MISSING', `${label(release)} has no sha256 digest to look signatures up by`, { context: context(release) });
    }
    const found: Array<{ index: number; bytes: Buffer }> = [];
    for (let index = 1; index <= MAX_SIGNATURES_PER_RELEASE; index++) {
      const res = await this.http.get(this.signatureUrl(release.digest, index), {
        maxBytes: MAX_SIGNATURE_BYTES,
        what: `signature-${index} of ${label(release)}`,
        // S3-backed stores answer 403 for a key that does not exist.
        answers: [404, 403],
        ...(signal ? { signal } : {}),
      });
      if (res.status !== 200) break;
      found.push({ index, bytes: res.body });
    }
    return found;
  }
}

/**
 * Fetches a release's signatures and verifies them. At least one must be by a trusted key, and
 * every one by a trusted key must verify and name the release digest; signatures by other keys
 * are skipped with a warning. Throws RELEASE_SIGNATURE_MISSING / _UNTRUSTED / _INVALID / _MISMATCH.
 */
export async function verifyReleaseSignatures(release: SignedRelease, store: SignatureStoreClient, trusted: TrustedReleaseKeys, options: VerifyOptions & { signal?: AbortSignal } = {}): Promise<VerifiedRelease> {
  const published = await store.fetchSignatures(release, options.signal);
  if (published.length === 0) {
    throw new AirlockError('RELEASE_SIGNATURE_MISSING', `${label(release)} has no signature in the store at ${describeUrl(store.base)}`, {
      context: context(release, { url: describeUrl(store.signatureUrl(release.digest, 1)) }),
      hint: release.type === 'okd' ? keyHint(release) : `an unsigned release is not mirrored; check ${SIGNATURE_URL_ENV} and that the digest is a published release`,
    });
  }
  const signatures: VerifiedSignature[] = [];
  const warnings: string[] = [];
  const otherSigners = new Set<string>();
  for (const { index, bytes } of published) {
    const check = await verifyReleaseSignature(bytes, index, release, trusted, options);
    if (check.status === 'verified') {
      signatures.push(check.signature);
      continue;
    }
    for (const id of check.keyIds) otherSigners.add(id.toUpperCase());
    warnings.push(`signature-${index} of ${label(release)} is by key ${check.keyIds.join(', ')}, which is not trusted; it is not carried`);
  }
  if (signatures.length === 0) {
    const by = trusted.builtIn ? `the trusted Red Hat release key (${trusted.fingerprints.join(', ')}, built in)` : `a trusted release key (${trusted.fingerprints.join(', ')} from ${trusted.source})`;
    throw new AirlockError('RELEASE_SIGNATURE_UNTRUSTED', `no signature of ${label(release)} is by ${by}; its signatures are by key ${[...otherSigners].join(', ')}`, {
      context: context(release),
      hint: trusted.builtIn ? keyHint(release) : `${SIGNATURE_KEY_ENV} must name the key the releases are signed with`,
    });
  }
  return { release, signatures, warnings };
}

/** The binaryData key oc-mirror and the cluster-version operator use: sha256-<hex>-<n>. */
export function signatureConfigMapKey(digest: string, index: number): string {
  return `${digest.replace(/^sha256:/, 'sha256-')}-${index}`;
}

export function toSignatureRecord(verified: VerifiedRelease): ReleaseSignatureRecord {
  return {
    version: verified.release.version,
    arch: verified.release.arch,
    digest: verified.release.digest,
    signatures: verified.signatures.map((s) => ({ index: s.index, data: s.bytes.toString('base64') })),
  };
}
