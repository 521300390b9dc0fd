/**
 * The one typed contract between the renderer and main: every IPC channel, its arguments and its
 * result, the events main pushes, and the shape of window.airlock. Types only; the renderer may
 * `import type` from here. Nothing in these types ever carries a registry password back to the
 * renderer: credentials go in (credentials:save) and only their registry and user name come out.
 */
import type { ErrorContext } from '../../src/errors';
import type { ImageBytesPhase, Phase } from '../../src/jobs/events';

export interface IpcError {
  /** A stable AirlockError code (REGISTRY_AUTH, IPC_INVALID_ARGS, ...); the renderer turns it into text. */
  readonly code: string;
  readonly message: string;
  readonly details?: { readonly context?: ErrorContext; readonly hint?: string };
}

/** Every invoke answers with this envelope; failures never arrive as a rejected promise or undefined. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: IpcError };

/** What a native dialog answered. Cancelling is an answer, not a failure. */
export type Chosen<T> = { readonly kind: 'cancelled' } | ({ readonly kind: 'chosen' } & T);
export type Saved = { readonly kind: 'cancelled' } | { readonly kind: 'saved'; readonly path: string };

// ---------------------------------------------------------------------------------------------
// Settings

export interface Settings {
  /** Where history, keys, credentials and settings live (absolute). */
  readonly dataDir: string;
  /** Where pulled blobs are cached (absolute). */
  readonly cacheDir: string;
  readonly parallelImages: number;
  readonly parallelLayers: number;
  /** Extra attempts after a failed registry request (oc-mirror's --retry-times). */
  readonly retryTimes: number;
  readonly retryDelayMs: number;
  /** Recorded in the history and on receipts; empty means the OS user name. */
  readonly operator: string;
  /**
   * containers-registries.d(5) directory deciding per registry whether cosign signatures travel
   * (absolute); empty: where containers tools look (~/.config/containers/registries.d, else /etc).
   */
  readonly registriesDir: string;
}

export type SettingsPatch = Partial<Settings>;

export interface AppInfo {
  readonly version: string;
  readonly platform: string;
  /** The station key's fingerprint (SHA256:...), created on first use. */
  readonly stationFingerprint: string;
  readonly hostname: string;
  /** Whether saved registry credentials can be encrypted at rest (Electron safeStorage). */
  readonly credentialEncryption: boolean;
}

// ---------------------------------------------------------------------------------------------
// ImageSetConfiguration

export interface ConfigProblemView {
  readonly line: number;
  readonly column: number;
  /** Dotted path of the field, e.g. `mirror.additionalImages[2].name`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

export type ConfigValidation =
  | {
      readonly valid: true;
      readonly archiveSizeGiB: number;
      readonly additionalImages: readonly string[];
      readonly blockedImages: readonly string[];
      /** mirror.operators entries (catalogs). */
      readonly operatorCatalogs?: number;
      /** mirror.platform.channels entries. */
      readonly releaseChannels?: number;
      /** Sections this Airlock cannot carry yet (platform, operators, helm). */
      readonly unsupported: readonly string[];
    }
  | { readonly valid: false; readonly problems: readonly ConfigProblemView[] };

export interface ConfigFile {
  readonly path: string;
  readonly name: string;
  readonly text: string;
}

// ---------------------------------------------------------------------------------------------
// Drives and transfer sets

export interface Drive {
  /** Stable while the drive is plugged in: its device path (Linux /dev/sdb1). */
  readonly id: string;
  readonly device: string;
  /** The whole disk the volume is on (/dev/sdb), powered off on eject. */
  readonly disk: string;
  readonly label: string;
  readonly mountPoint: string;
  readonly fsType: string;
  /** Bytes an unprivileged writer may still use. */
  readonly freeBytes: number;
  readonly totalBytes: number;
  readonly readOnly: boolean;
  /** usb, sata, nvme, mmc ... or empty when unknown. */
  readonly transport: string;
}

export type SignatureStatus =
  | { readonly trusted: true; readonly fingerprint: string; readonly label: string }
  | { readonly trusted: false; readonly fingerprint: string; readonly reason: string; readonly message: string };

export interface TransferSetInfo {
  readonly dir: string;
  readonly setId: string;
  readonly createdAt: string;
  readonly stationFingerprint: string;
  readonly toolVersion: string;
  readonly images: number;
  readonly failedImages: number;
  readonly parts: number;
  readonly totalBytes: number;
  readonly baseSets: readonly string[];
  /** SHA256SUMS is present: the writer finished. */
  readonly complete: boolean;
  readonly signature: SignatureStatus;
}

export interface UnreadableSet {
  readonly dir: string;
  readonly error: IpcError;
}

export interface MediaScan {
  readonly sets: readonly TransferSetInfo[];
  readonly unreadable: readonly UnreadableSet[];
}

export interface FreeSpaceView {
  readonly freeBytes: number;
  readonly totalBytes: number;
}

// ---------------------------------------------------------------------------------------------
// Jobs

export type JobKind = 'export' | 'export-plan' | 'verify' | 'import';

export interface ExportPlanRequest {
  readonly kind: 'export-plan';
  readonly configYaml: string;
  /** A name for messages and the saved copy, e.g. imageset-config.yaml. */
  readonly configName: string;
  /** Verify the source registries' TLS certificates (oc-mirror's --src-tls-verify). */
  readonly srcTlsVerify: boolean;
  /** Carry each image's cosign signatures (oc-mirror's --remove-signatures=false); default false. */
  readonly carrySignatures?: boolean;
}

export interface ExportRequest {
  readonly kind: 'export';
  readonly configYaml: string;
  readonly configName: string;
  readonly srcTlsVerify: boolean;
  /** The directory on the drive (or any folder) the set is written to. */
  readonly workspace: string;
  /** Overrides the configuration's archiveSize, e.g. below 4 GiB for FAT32. */
  readonly archiveSizeBytes?: number;
  /** Ship every blob, whatever earlier sets carried. */
  readonly full?: boolean;
  /** Carry each image's cosign signatures (oc-mirror's --remove-signatures=false); default false. */
  readonly carrySignatures?: boolean;
}

export interface VerifyRequest {
  readonly kind: 'verify';
  readonly dir: string;
  readonly deep: boolean;
  readonly insecureAcceptUntrusted?: boolean;
}

export interface ImportRequest {
  readonly kind: 'import';
  readonly from: string;
  /** registry[:port][/prefix] */
  readonly target: string;
  readonly tlsVerify: boolean;
  readonly caFile?: string;
  /** Go on although the signature is not from a trusted station (recorded in the history). */
  readonly insecureAcceptUntrusted: boolean;
  /** Push the cosign signatures the set carries beside their images (--remove-signatures=false); default false. */
  readonly carrySignatures?: boolean;
}

export type JobRequest = ExportPlanRequest | ExportRequest | VerifyRequest | ImportRequest;

export type ImageProgressStatus = 'pending' | 'resolved' | 'pulled' | 'pushed' | 'failed' | 'blocked';

/** An image's own bytes in the phase that moves them (a blob images share counts for one of them). */
export interface ImageBytes {
  readonly phase: ImageBytesPhase;
  readonly done: number;
  readonly total: number;
}

export interface ImageProgress {
  readonly source: string;
  readonly status: ImageProgressStatus;
  readonly message?: string;
  /** Present once the image's bytes started to move. */
  readonly bytes?: ImageBytes;
}

export interface JobProgress {
  readonly phase: Phase;
  readonly done: number;
  readonly total: number;
  readonly unit: 'bytes' | 'items';
  /** The whole job, 0..1, across its phases. */
  readonly overall: number;
  /** Bytes (or items) per second over the last few seconds. */
  readonly rate?: number;
  readonly etaSeconds?: number;
  readonly item?: string;
}

export interface PlanImage {
  readonly source: string;
  readonly destination: string;
  readonly status: 'ok' | 'failed' | 'blocked';
  readonly digest?: string;
  readonly error?: string;
  /** Its digest was not in the last export this station made. */
  readonly newSinceLastTransfer: boolean;
}

export interface ExportPlan {
  readonly images: readonly PlanImage[];
  readonly blobs: number;
  readonly totalBytes: number;
  /** What this set has to carry (all of it: the dry run does not subtract earlier sets). */
  readonly shippedBytes: number;
  readonly archiveSizeBytes: number;
  /** Parts the set will be cut into at archiveSize. */
  readonly estimatedParts: number;
  readonly warnings: readonly string[];
  readonly failed: number;
  readonly lastTransfer?: { readonly setId: string; readonly createdAt: string };
}

export interface ExportOutcome {
  readonly setId: string;
  readonly workspace: string;
  readonly images: readonly PlanImage[];
  readonly blobs: number;
  readonly shippedBlobs: number;
  readonly totalBytes: number;
  readonly shippedBytes: number;
  readonly parts: number;
  readonly failed: number;
  readonly baseSets: readonly string[];
  readonly warnings: readonly string[];
  /** Every part was read back from the media and matched its SHA-256 before the set was sealed. */
  readonly readBackVerified: boolean;
  readonly manifestSha256?: string;
  readonly signatureFingerprint?: string;
  readonly errorLog?: string;
  /** Cosign signatures carried beside their images (when the operator chose to carry them). */
  readonly signatures?: number;
}

export interface VerifyProblemView {
  readonly code: string;
  readonly message: string;
  readonly file?: string;
  readonly part?: string;
  readonly blob?: string;
}

export interface VerifyOutcome {
  readonly ok: boolean;
  readonly setId?: string;
  readonly signature: { readonly trusted: boolean; readonly fingerprint?: string; readonly label?: string; readonly reason?: string };
  readonly problems: readonly VerifyProblemView[];
  readonly bytesVerified: number;
  readonly images: number;
}

export interface ClusterResourceFile {
  readonly index: number;
  readonly name: string;
  readonly path: string;
}

export interface ImportOutcome {
  readonly setId: string;
  readonly registry: string;
  readonly images: ReadonlyArray<{ readonly source: string; readonly destination: string; readonly digest?: string; readonly status: 'pushed' | 'failed' | 'skipped'; readonly error?: string }>;
  readonly bytesPushed: number;
  readonly clusterResources: readonly ClusterResourceFile[];
  /** The directory holding them: what `oc apply -f` is given. */
  readonly clusterResourcesDir?: string;
  readonly verify: VerifyOutcome;
}

export type JobOutcome =
  | { readonly kind: 'export-plan'; readonly plan: ExportPlan }
  | { readonly kind: 'export'; readonly export: ExportOutcome }
  | { readonly kind: 'verify'; readonly verify: VerifyOutcome }
  | { readonly kind: 'import'; readonly import: ImportOutcome };

interface JobSnapshotBase {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly startedAt: string;
  readonly progress?: JobProgress;
  readonly images: readonly ImageProgress[];
  readonly warnings: readonly string[];
  /** Failures met along the way (an image that could not be pulled), newest last. */
  readonly errors: readonly string[];
}

export type JobSnapshot =
  | (JobSnapshotBase & { readonly status: 'running' | 'cancelling' })
  | (JobSnapshotBase & { readonly status: 'succeeded'; readonly finishedAt: string; readonly outcome: JobOutcome })
  | (JobSnapshotBase & { readonly status: 'failed'; readonly finishedAt: string; readonly error: IpcError })
  | (JobSnapshotBase & { readonly status: 'cancelled'; readonly finishedAt: string });

export type JobStatus = JobSnapshot['status'];

// ---------------------------------------------------------------------------------------------
// History

export type HistoryKind = 'export' | 'import' | 'verify';

export interface HistoryEntry {
  /** `export:<setId>` or `event:<id>`: what history:detail takes. */
  readonly id: string;
  readonly kind: HistoryKind;
  readonly setId: string;
  /** ISO-8601 UTC. */
  readonly time: string;
  /** complete / partial / failed for exports, ok / failed for imports and verifications. */
  readonly status: string;
  readonly operator: string;
  readonly host: string;
  readonly registry?: string;
  readonly bytes?: number;
  readonly images?: number;
  readonly insecureAccepted?: boolean;
}

export interface HistoryFilter {
  readonly kind?: HistoryKind;
  /** Matched case-insensitively against set id, operator, host and registry. */
  readonly text?: string;
}

export interface HistoryDetail {
  readonly entry: HistoryEntry;
  /** Exports: workspace, config, manifest hash, key fingerprint, base sets; events: their details. */
  readonly fields: ReadonlyArray<{ readonly label: string; readonly value: string }>;
  readonly images: ReadonlyArray<{ readonly source: string; readonly destination: string; readonly digest?: string; readonly status: string; readonly error?: string }>;
  readonly configYaml?: string;
}

// ---------------------------------------------------------------------------------------------
// Keys and credentials

export interface StationKeyView {
  readonly fingerprint: string;
  readonly publicKeyPem: string;
}

export interface TrustedKeyView {
  readonly fingerprint: string;
  readonly label: string;
  readonly addedAt: string;
}

/** A saved registry credential as the renderer may see it: never the password. */
export interface CredentialView {
  readonly registry: string;
  readonly username: string;
  /** Kept across restarts (encrypted with safeStorage); otherwise for this session only. */
  readonly persisted: boolean;
}

export interface CredentialInput {
  readonly registry: string;
  readonly username: string;
  readonly password: string;
  readonly persist: boolean;
}

export interface ConnectionTestRequest {
  /** registry[:port][/prefix], as the import target. */
  readonly target: string;
  readonly tlsVerify: boolean;
  readonly caFile?: string;
}

export interface ConnectionTestResult {
  readonly registry: string;
  /** Saved credentials for the registry were sent. */
  readonly authenticated: boolean;
}

export type ReceiptRequest = { readonly kind: 'export'; readonly setId: string } | { readonly kind: 'import'; readonly jobId: string };

export interface ClusterResourceText {
  readonly name: string;
  readonly path: string;
  readonly yaml: string;
}

export type FolderPurpose = 'export-target' | 'import-source' | 'verify-source' | 'registries-d';

// ---------------------------------------------------------------------------------------------
// Catalog and release pickers (export form)

export interface CatalogSummaryRequest {
  /** An image reference (registry.redhat.io/redhat/redhat-operator-index:v4.19) or oci:///abs/path. */
  readonly catalog: string;
  /** Verify the catalog registry's TLS certificate; default true. */
  readonly tlsVerify?: boolean;
}

export interface CatalogChannelView {
  readonly name: string;
  readonly headVersion?: string;
  readonly minVersion?: string;
  readonly maxVersion?: string;
  readonly bundles: number;
}

export interface CatalogPackageView {
  readonly name: string;
  readonly defaultChannel?: string;
  /** Sorted by name. */
  readonly channels: readonly CatalogChannelView[];
}

export interface CatalogSummaryView {
  readonly catalog: string;
  /** The catalog pinned to its digest, when read from an image. */
  readonly pinned?: string;
  /** Sorted by name; bounded (a few thousand at most). */
  readonly packages: readonly CatalogPackageView[];
  /** More packages than were sent. */
  readonly truncated: boolean;
}

export type ReleaseType = 'ocp' | 'okd';
export type ReleaseArchitecture = 'amd64' | 'arm64' | 'ppc64le' | 's390x' | 'multi';

export interface ReleaseChannelRequest {
  /** e.g. stable-4.19 */
  readonly channel: string;
  /** Default ocp. */
  readonly type?: ReleaseType;
  /** Default amd64. */
  readonly architecture?: ReleaseArchitecture;
}

export interface ReleaseChannelOffer {
  readonly channel: string;
  readonly type: ReleaseType;
  readonly architecture: ReleaseArchitecture;
  /** Every release the graph offers, ascending as semver. */
  readonly versions: readonly string[];
  readonly head: string;
}

// ---------------------------------------------------------------------------------------------
// Channels

export interface IpcContract {
  'app:version': { readonly args: readonly []; readonly result: { readonly airlock: string } };
  'app:info': { readonly args: readonly []; readonly result: AppInfo };
  'settings:get': { readonly args: readonly []; readonly result: Settings };
  'settings:set': { readonly args: readonly [patch: SettingsPatch]; readonly result: Settings };
  'config:validate': { readonly args: readonly [yaml: string, name: string]; readonly result: ConfigValidation };
  'dialogs:openConfigFile': { readonly args: readonly []; readonly result: Chosen<{ readonly file: ConfigFile }> };
  'dialogs:chooseFolder': { readonly args: readonly [purpose: FolderPurpose]; readonly result: Chosen<{ readonly path: string }> };
  'dialogs:chooseCaFile': { readonly args: readonly []; readonly result: Chosen<{ readonly path: string }> };
  'drives:list': { readonly args: readonly []; readonly result: readonly Drive[] };
  'drives:eject': { readonly args: readonly [driveId: string]; readonly result: { readonly ejected: string; readonly poweredOff: boolean } };
  'media:scan': { readonly args: readonly [dir: string]; readonly result: MediaScan };
  'media:freeSpace': { readonly args: readonly [dir: string]; readonly result: FreeSpaceView };
  'jobs:start': { readonly args: readonly [request: JobRequest]; readonly result: { readonly jobId: string } };
  'jobs:cancel': { readonly args: readonly [jobId: string]; readonly result: { readonly cancelling: boolean } };
  'jobs:get': { readonly args: readonly [jobId: string]; readonly result: JobSnapshot };
  'history:list': { readonly args: readonly [filter: HistoryFilter]; readonly result: readonly HistoryEntry[] };
  'history:detail': { readonly args: readonly [id: string]; readonly result: HistoryDetail };
  'history:export': { readonly args: readonly [format: 'csv' | 'json', filter: HistoryFilter]; readonly result: Saved };
  'keys:station': { readonly args: readonly []; readonly result: StationKeyView };
  'keys:exportStation': { readonly args: readonly []; readonly result: Saved };
  'keys:listTrusted': { readonly args: readonly []; readonly result: readonly TrustedKeyView[] };
  'keys:trust': { readonly args: readonly [pem: string, label: string]; readonly result: TrustedKeyView };
  'keys:untrust': { readonly args: readonly [fingerprint: string]; readonly result: TrustedKeyView };
  'credentials:list': { readonly args: readonly []; readonly result: readonly CredentialView[] };
  'credentials:save': { readonly args: readonly [input: CredentialInput]; readonly result: CredentialView };
  'credentials:forget': { readonly args: readonly [registry: string]; readonly result: { readonly forgotten: boolean } };
  'registry:test': { readonly args: readonly [request: ConnectionTestRequest]; readonly result: ConnectionTestResult };
  'receipt:save': { readonly args: readonly [request: ReceiptRequest]; readonly result: Saved };
  'resources:read': { readonly args: readonly [jobId: string, index: number]; readonly result: ClusterResourceText };
  'resources:save': { readonly args: readonly [jobId: string, index: number]; readonly result: Saved };
  'clipboard:write': { readonly args: readonly [text: string]; readonly result: { readonly written: number } };
  'catalog:summary': { readonly args: readonly [request: CatalogSummaryRequest]; readonly result: CatalogSummaryView };
  'releases:channel': { readonly args: readonly [request: ReleaseChannelRequest]; readonly result: ReleaseChannelOffer };
}

export type IpcChannel = keyof IpcContract;
export type IpcArgs<C extends IpcChannel> = IpcContract[C]['args'];
export type IpcResult<C extends IpcChannel> = IpcContract[C]['result'];

/** What main pushes to the renderer, unasked. */
export interface IpcEvents {
  /** A job changed; at most ten times a second per job, and always once when it ends. */
  'job:update': JobSnapshot;
  /** The removable drives changed (plugged, unplugged, free space). */
  'drives:changed': readonly Drive[];
}

export type IpcEventChannel = keyof IpcEvents;

type Invoke<C extends IpcChannel> = (...args: IpcArgs<C>) => Promise<Result<IpcResult<C>>>;
type Subscribe<E extends IpcEventChannel> = (listener: (payload: IpcEvents[E]) => void) => () => void;

/** What the preload exposes as window.airlock: verbs grouped by area, never the transport. */
export interface AirlockApi {
  readonly app: { readonly version: Invoke<'app:version'>; readonly info: Invoke<'app:info'> };
  readonly settings: { readonly get: Invoke<'settings:get'>; readonly set: Invoke<'settings:set'> };
  readonly config: { readonly validate: Invoke<'config:validate'> };
  readonly dialogs: {
    readonly openConfigFile: Invoke<'dialogs:openConfigFile'>;
    readonly chooseFolder: Invoke<'dialogs:chooseFolder'>;
    readonly chooseCaFile: Invoke<'dialogs:chooseCaFile'>;
  };
  readonly drives: { readonly list: Invoke<'drives:list'>; readonly eject: Invoke<'drives:eject'>; readonly onChange: Subscribe<'drives:changed'> };
  readonly media: { readonly scan: Invoke<'media:scan'>; readonly freeSpace: Invoke<'media:freeSpace'> };
  readonly jobs: {
    readonly start: Invoke<'jobs:start'>;
    readonly cancel: Invoke<'jobs:cancel'>;
    readonly get: Invoke<'jobs:get'>;
    readonly onUpdate: Subscribe<'job:update'>;
  };
  readonly history: { readonly list: Invoke<'history:list'>; readonly detail: Invoke<'history:detail'>; readonly export: Invoke<'history:export'> };
  readonly keys: {
    readonly station: Invoke<'keys:station'>;
    readonly exportStation: Invoke<'keys:exportStation'>;
    readonly listTrusted: Invoke<'keys:listTrusted'>;
    readonly trust: Invoke<'keys:trust'>;
    readonly untrust: Invoke<'keys:untrust'>;
  };
  readonly credentials: { readonly list: Invoke<'credentials:list'>; readonly save: Invoke<'credentials:save'>; readonly forget: Invoke<'credentials:forget'> };
  readonly registry: { readonly test: Invoke<'registry:test'> };
  readonly receipts: { readonly save: Invoke<'receipt:save'> };
  readonly resources: { readonly read: Invoke<'resources:read'>; readonly save: Invoke<'resources:save'> };
  readonly clipboard: { readonly write: Invoke<'clipboard:write'> };
  readonly catalogs: { readonly summary: Invoke<'catalog:summary'> };
  readonly releases: { readonly channel: Invoke<'releases:channel'> };
}
