/**
 * Everything main does for the renderer, composed from its parts and the platform ports. The IPC
 * handlers (main/ipc/handlers.ts) are one-line calls into this; Electron is only behind the ports,
 * so the e2e harness runs this same object under plain Node.
 */
import { copyFile, mkdir, open, stat, statfs, writeFile } from 'node:fs/promises';
import { hostname as osHostname, userInfo } from 'node:os';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { AirlockError } from '../../src/errors';
import { ConfigError, parseConfig, unsupportedSections } from '../../src/config';
import { listTrusted, loadOrCreateStationKey, publicKeyPem, trustKey, untrustKey } from '../../src/keys';
import { readTransferManifest } from '../../src/media';
import { openCatalog, readCatalogDirectory, readCatalogImage, summarizeCatalog } from '../../src/catalog';
import type { CatalogSource } from '../../src/config/types';
import { pullSourcesFrom } from '../../src/plan/resolve';
import { parseReference } from '../../src/reference';
import { RegistryClient } from '../../src/registry/client';
import { ClientPool } from '../../src/registry/pool';
import { EMPTY_REGISTRIES_CONF } from '../../src/registry/registries-conf';
import { channelOffer, UpdateGraphClient } from '../../src/releases';
import { AIRLOCK_VERSION } from '../../src/version';
import type {
  AppInfo,
  CatalogPackageView,
  CatalogSummaryRequest,
  CatalogSummaryView,
  Chosen,
  ClusterResourceText,
  ConfigFile,
  ConfigValidation,
  ConnectionTestRequest,
  ConnectionTestResult,
  CredentialInput,
  CredentialView,
  Drive,
  FolderPurpose,
  FreeSpaceView,
  HistoryDetail,
  HistoryEntry,
  HistoryFilter,
  JobRequest,
  JobSnapshot,
  MediaScan,
  ReceiptRequest,
  ReleaseChannelOffer,
  ReleaseChannelRequest,
  Saved,
  Settings,
  SettingsPatch,
  StationKeyView,
  TrustedKeyView,
} from '../ipc/contract';
import { renderReceiptHtml, type ReceiptData } from '../receipt/receipt-html';
import { CredentialVault, normaliseRegistry, type SecretCipher } from './credentials';
import { DriveWatcher, type DriveService } from './drives';
import { historyCsv, historyDetail, historyJson, listHistory, withHistory } from './history-view';
import type { JobHost } from './jobs/host';
import { planExport, planExportDryRun, planImport, planVerify, targetRegistry, type PlanContext } from './jobs/plans';
import { JobRunner } from './jobs/runner';
import type { Clipboard, Dialogs, Notify, Printer } from './ports';
import { SettingsStore } from './settings';
import { scanForTransferSets } from './transfer-sets';

export interface AppServicesDeps {
  /** The default data directory, where settings.json lives ($AIRLOCK_DATA_DIR or the XDG one). */
  readonly stationDir: string;
  readonly defaultCacheDir: string;
  readonly dialogs: Dialogs;
  readonly printer: Printer;
  readonly clipboard: Clipboard;
  readonly drives: DriveService;
  readonly jobHost: JobHost;
  readonly notify: Notify;
  /** Encrypts saved credentials (Electron safeStorage); absent: credentials last for the session only. */
  readonly cipher?: SecretCipher;
  readonly hostname?: string;
  readonly platform?: string;
  readonly log?: (line: string) => void;
  readonly drivePollMs?: number;
  /** Where UPDATE_URL_OVERRIDE is read for the release-channel picker, as the engine does; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const MAX_RESOURCE_BYTES = 4 * 1024 * 1024;
const CONNECTION_TIMEOUT_MS = 15_000;
/** Reading a whole catalog (hundreds of MB for the redhat-operator-index) takes a while. */
const CATALOG_TIMEOUT_MS = 10 * 60_000;
const GRAPH_TIMEOUT_MS = 60_000;
/** What a catalog summary sends at most: the redhat-operator-index has a few hundred packages. */
export const MAX_CATALOG_PACKAGES = 2000;
export const MAX_CATALOG_CHANNELS = 100;

/** The catalog field of the export form as the engine reads `mirror.operators[].catalog`. */
function catalogSource(catalog: string): CatalogSource {
  if (catalog.startsWith('oci:')) {
    const path = catalog.startsWith('oci://') ? catalog.slice('oci://'.length) : '';
    if (path === '' || !isAbsolute(path) || normalize(path).replace(/[\\/]+$/, '') !== path.replace(/[\\/]+$/, '')) {
      throw new AirlockError('CATALOG_UNAVAILABLE', `"${catalog}" is not an OCI layout path`, {
        context: { image: catalog },
        hint: 'write oci:// followed by an absolute path, e.g. oci:///home/user/my-catalog (three slashes)',
      });
    }
    return { kind: 'oci', path: normalize(path) };
  }
  return { kind: 'registry', reference: parseReference(catalog, { requireRegistry: true }) };
}

const FOLDER_TITLES: Readonly<Record<FolderPurpose, string>> = {
  'export-target': 'Choose the folder to write the transfer set to',
  'import-source': 'Choose the folder holding the transfer set',
  'verify-source': 'Choose the folder holding the transfer set',
  'registries-d': 'Choose the registries.d folder (containers-registries.d)',
};

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function readLimited(path: string, max: number, what: string): Promise<string> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw new AirlockError('FILE_UNREADABLE', `cannot open ${what} ${path}: ${(err as Error).message}`, { context: { file: path }, cause: err });
  });
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new AirlockError('FILE_UNREADABLE', `${what} ${path} is not a regular file`, { context: { file: path } });
    if (st.size > max) throw new AirlockError('FILE_TOO_LARGE', `${what} ${path} has ${st.size} bytes, more than ${max}`, { context: { file: path } });
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

export class AppServices {
  readonly settings: SettingsStore;
  readonly vault: CredentialVault;
  readonly jobs: JobRunner;
  readonly driveWatcher: DriveWatcher;
  private readonly host: string;

  private constructor(
    private readonly deps: AppServicesDeps,
    settings: SettingsStore,
  ) {
    this.settings = settings;
    this.host = deps.hostname ?? osHostname();
    this.vault = new CredentialVault(() => this.settings.get().dataDir, deps.cipher);
    this.jobs = new JobRunner({ host: deps.jobHost, notify: (snapshot) => deps.notify('job:update', snapshot), ...(deps.log ? { log: deps.log } : {}) });
    this.driveWatcher = new DriveWatcher(() => deps.drives.list(), (drives) => deps.notify('drives:changed', drives), deps.drivePollMs ?? 3000);
  }

  static async create(deps: AppServicesDeps): Promise<AppServices> {
    return new AppServices(deps, await SettingsStore.open(deps.stationDir, deps.defaultCacheDir));
  }

  private get dataDir(): string {
    return this.settings.get().dataDir;
  }

  private operator(): string {
    return this.settings.get().operator || safeUser();
  }

  async shutdown(): Promise<void> {
    this.driveWatcher.stop();
    await this.jobs.shutdown();
  }

  // -- app and settings ---------------------------------------------------------------------

  async info(): Promise<AppInfo> {
    const key = await loadOrCreateStationKey(this.dataDir);
    return {
      version: AIRLOCK_VERSION,
      platform: this.deps.platform ?? process.platform,
      stationFingerprint: key.fingerprint,
      hostname: this.host,
      credentialEncryption: this.vault.canPersist(),
    };
  }

  getSettings(): Settings {
    return this.settings.get();
  }

  async setSettings(patch: SettingsPatch): Promise<Settings> {
    for (const dir of [patch.dataDir, patch.cacheDir]) {
      if (dir === undefined) continue;
      await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => {
        throw new AirlockError('SETTINGS_DIR_UNUSABLE', `cannot create ${dir}: ${(err as Error).message}`, { context: { file: dir }, hint: 'choose a folder this user can write to', cause: err });
      });
    }
    return this.settings.update(patch);
  }

  // -- configuration ---------------------------------------------------------------------------

  validateConfig(yaml: string, name: string): ConfigValidation {
    try {
      const config = parseConfig(yaml, name);
      return {
        valid: true,
        archiveSizeGiB: config.archiveSizeGiB,
        additionalImages: config.mirror.additionalImages.map((i) => i.name),
        blockedImages: config.mirror.blockedImages.map((b) => b.name),
        operatorCatalogs: config.mirror.operators.length,
        releaseChannels: config.mirror.platform?.channels.length ?? 0,
        unsupported: unsupportedSections(config),
      };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return {
        valid: false,
        problems: err.problems.map((p) => ({ line: p.line, column: p.column, path: p.path, message: p.message, ...(p.hint === undefined ? {} : { hint: p.hint }) })),
      };
    }
  }

  async openConfigFile(): Promise<Chosen<{ file: ConfigFile }>> {
    const path = await this.deps.dialogs.openFile({ title: 'Open an ImageSetConfiguration', filters: [{ name: 'YAML', extensions: ['yaml', 'yml'] }] });
    if (path === undefined) return { kind: 'cancelled' };
    const text = await readLimited(path, MAX_CONFIG_BYTES, 'the configuration file');
    return { kind: 'chosen', file: { path, name: basename(path), text } };
  }

  async chooseFolder(purpose: FolderPurpose): Promise<Chosen<{ path: string }>> {
    const path = await this.deps.dialogs.chooseFolder({ title: FOLDER_TITLES[purpose], create: purpose === 'export-target' });
    return path === undefined ? { kind: 'cancelled' } : { kind: 'chosen', path };
  }

  async chooseCaFile(): Promise<Chosen<{ path: string }>> {
    const path = await this.deps.dialogs.openFile({ title: "Choose the registry's CA certificate", filters: [{ name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] }] });
    return path === undefined ? { kind: 'cancelled' } : { kind: 'chosen', path };
  }

  // -- drives and media ------------------------------------------------------------------------

  listDrives(): Promise<readonly Drive[]> {
    return this.deps.drives.list();
  }

  async ejectDrive(id: string): Promise<{ ejected: string; poweredOff: boolean }> {
    const drive = (await this.deps.drives.list()).find((d) => d.id === id);
    if (!drive) throw new AirlockError('DRIVE_NOT_FOUND', `drive ${id} is no longer connected`, { context: { file: id }, hint: 'it may already have been unplugged' });
    const result = await this.deps.drives.eject(drive);
    void this.driveWatcher.poll();
    return result;
  }

  scanMedia(dir: string): Promise<MediaScan> {
    return scanForTransferSets(dir, this.dataDir);
  }

  async freeSpace(dir: string): Promise<FreeSpaceView> {
    const st = await statfs(dir).catch((err: unknown) => {
      throw new AirlockError('MEDIA_UNREADABLE', `cannot read the free space of ${dir}: ${(err as Error).message}`, { context: { file: dir }, cause: err });
    });
    return { freeBytes: st.bavail * st.bsize, totalBytes: st.blocks * st.bsize };
  }

  // -- jobs ----------------------------------------------------------------------------------

  private planContext(): PlanContext {
    return {
      settings: this.settings.get(),
      operator: this.operator(),
      credentialFor: async (registry) => {
        const c = await this.vault.lookup(registry);
        return c ? { registry: normaliseRegistry(registry), username: c.username, password: c.password } : undefined;
      },
    };
  }

  async startJob(request: JobRequest): Promise<{ jobId: string }> {
    const ctx = this.planContext();
    let plan;
    switch (request.kind) {
      case 'export-plan':
        plan = await planExportDryRun(request, ctx);
        break;
      case 'export':
        plan = await planExport(request, ctx);
        break;
      case 'verify':
        plan = await planVerify(request, ctx);
        break;
      case 'import':
        plan = await planImport(request, ctx);
        break;
      default: {
        const never: never = request;
        throw new AirlockError('IPC_INVALID_ARGS', `unknown job ${JSON.stringify(never)}`);
      }
    }
    return { jobId: this.jobs.start(plan) };
  }

  cancelJob(jobId: string): { cancelling: boolean } {
    return { cancelling: this.jobs.cancel(jobId) };
  }

  job(jobId: string): JobSnapshot {
    return this.jobs.snapshot(jobId);
  }

  // -- history -------------------------------------------------------------------------------

  history(filter: HistoryFilter): readonly HistoryEntry[] {
    return listHistory(this.dataDir, filter);
  }

  historyDetail(id: string): HistoryDetail {
    return historyDetail(this.dataDir, id);
  }

  async exportHistory(format: 'csv' | 'json', filter: HistoryFilter): Promise<Saved> {
    const path = await this.deps.dialogs.saveFile({
      title: 'Export the history',
      defaultName: `airlock-history.${format}`,
      filters: [format === 'csv' ? { name: 'CSV', extensions: ['csv'] } : { name: 'JSON', extensions: ['json'] }],
    });
    if (path === undefined) return { kind: 'cancelled' };
    const entries = this.history(filter);
    await writeFile(path, format === 'csv' ? historyCsv(entries) : historyJson(entries));
    return { kind: 'saved', path };
  }

  // -- keys ----------------------------------------------------------------------------------

  async stationKey(): Promise<StationKeyView> {
    const key = await loadOrCreateStationKey(this.dataDir);
    return { fingerprint: key.fingerprint, publicKeyPem: publicKeyPem(key) };
  }

  async exportStationKey(): Promise<Saved> {
    const key = await this.stationKey();
    const path = await this.deps.dialogs.saveFile({ title: "Save this station's public key", defaultName: `airlock-station-${this.host}.pem`, filters: [{ name: 'PEM', extensions: ['pem'] }] });
    if (path === undefined) return { kind: 'cancelled' };
    await writeFile(path, key.publicKeyPem);
    return { kind: 'saved', path };
  }

  async trustedKeys(): Promise<readonly TrustedKeyView[]> {
    return (await listTrusted(this.dataDir)).map((k) => ({ fingerprint: k.fingerprint, label: k.label, addedAt: k.addedAt }));
  }

  async trust(pem: string, label: string): Promise<TrustedKeyView> {
    const k = await trustKey(this.dataDir, pem, label);
    return { fingerprint: k.fingerprint, label: k.label, addedAt: k.addedAt };
  }

  async untrust(fingerprint: string): Promise<TrustedKeyView> {
    const k = await untrustKey(this.dataDir, fingerprint);
    return { fingerprint: k.fingerprint, label: k.label, addedAt: k.addedAt };
  }

  // -- credentials and registries --------------------------------------------------------------

  credentials(): Promise<readonly CredentialView[]> {
    return this.vault.list();
  }

  saveCredentials(input: CredentialInput): Promise<CredentialView> {
    return this.vault.save(input);
  }

  async forgetCredentials(registry: string): Promise<{ forgotten: boolean }> {
    return { forgotten: await this.vault.forget(registry) };
  }

  async testConnection(request: ConnectionTestRequest): Promise<ConnectionTestResult> {
    const registry = targetRegistry(request.target);
    const authenticated = (await this.vault.lookup(registry)) !== undefined;
    const client = new RegistryClient({
      registry,
      tlsVerify: request.tlsVerify,
      credentials: this.vault,
      retry: { times: 0, delayMs: 0 },
      tlsFlag: 'the "Verify TLS certificates" option',
      ...(request.caFile === undefined ? {} : { caFiles: [request.caFile] }),
    });
    try {
      await client.ping(AbortSignal.timeout(CONNECTION_TIMEOUT_MS));
    } finally {
      await client.close();
    }
    return { registry, authenticated };
  }

  // -- catalog and release pickers --------------------------------------------------------------

  /**
   * Packages and channels of an operator catalog, for the export form's pickers. Registry catalogs
   * are read with saved credentials (the same vault the jobs get), streaming; an oci:// path may
   * be an OCI image layout or a plain file-based catalog directory. Only a bounded summary returns.
   */
  async catalogSummary(request: CatalogSummaryRequest): Promise<CatalogSummaryView> {
    const source = catalogSource(request.catalog);
    const signal = AbortSignal.timeout(CATALOG_TIMEOUT_MS);
    const settings = this.settings.get();
    let model;
    let pinned: string | undefined;
    if (source.kind === 'oci' && (await stat(join(source.path, 'index.json')).catch(() => undefined)) === undefined) {
      model = await readCatalogDirectory(source.path, { signal });
    } else {
      const pool = new ClientPool({
        tlsVerify: request.tlsVerify ?? true,
        credentials: this.vault,
        tlsFlag: 'the "Verify TLS certificates" option',
        retry: { times: settings.retryTimes, delayMs: settings.retryDelayMs },
      });
      try {
        const image = await openCatalog(source, { sources: pullSourcesFrom(EMPTY_REGISTRIES_CONF, pool), signal });
        pinned = image.pinned;
        model = await readCatalogImage(image, { signal });
      } finally {
        await pool.close();
      }
    }
    const all = summarizeCatalog(model);
    const packages = all.slice(0, MAX_CATALOG_PACKAGES).map(
      (p): CatalogPackageView => ({
        name: p.name,
        ...(p.defaultChannel === undefined ? {} : { defaultChannel: p.defaultChannel }),
        channels: p.channels.slice(0, MAX_CATALOG_CHANNELS).map((c) => ({
          name: c.name,
          bundles: c.bundles,
          ...(c.headVersion === undefined ? {} : { headVersion: c.headVersion }),
          ...(c.minVersion === undefined ? {} : { minVersion: c.minVersion }),
          ...(c.maxVersion === undefined ? {} : { maxVersion: c.maxVersion }),
        })),
      }),
    );
    return { catalog: request.catalog, ...(pinned === undefined ? {} : { pinned }), packages, truncated: all.length > packages.length };
  }

  /** The releases a channel's update graph offers (UPDATE_URL_OVERRIDE honoured as the export does). */
  async releaseChannel(request: ReleaseChannelRequest): Promise<ReleaseChannelOffer> {
    const type = request.type ?? 'ocp';
    const architecture = request.architecture ?? 'amd64';
    const graphs = new UpdateGraphClient({ env: this.deps.env ?? process.env, retry: { times: 0, delayMs: 0 } });
    try {
      const offer = channelOffer(await graphs.fetchGraph(request.channel, architecture, { type, signal: AbortSignal.timeout(GRAPH_TIMEOUT_MS) }));
      return { channel: offer.channel, type, architecture, versions: offer.versions, head: offer.head };
    } finally {
      await graphs.close();
    }
  }

  // -- receipts and cluster resources ----------------------------------------------------------

  async receiptData(request: ReceiptRequest): Promise<ReceiptData> {
    const key = await loadOrCreateStationKey(this.dataDir);
    const generatedAt = new Date().toISOString();
    const station = { host: this.host, fingerprint: key.fingerprint };
    if (request.kind === 'export') {
      const set = withHistory(this.dataDir, (store) => store.getSet(request.setId));
      if (!set) throw new AirlockError('HISTORY_NOT_FOUND', `the history has no transfer set ${request.setId}`, { context: { setId: request.setId } });
      const manifest = await readTransferManifest(set.workspace).catch(() => undefined);
      const onMedia = manifest?.setId === set.setId;
      return {
        kind: 'export',
        setId: set.setId,
        ...(set.manifestSha256 ? { manifestSha256: set.manifestSha256 } : {}),
        signature: { fingerprint: set.keyFingerprint ?? '' },
        operator: set.operator,
        station,
        airlockVersion: set.toolVersion,
        finishedAt: set.createdAt,
        destination: set.workspace,
        images: set.images.map((i) => ({ source: i.sourceRef, destination: i.destinationRef, status: i.status, ...(i.digest ? { digest: i.digest } : {}) })),
        parts: set.parts,
        totalBytes: set.totalBytes,
        verification: {
          ok: set.status !== 'failed',
          summary: `every part was read back from the media and matched its SHA-256 before the set was sealed${onMedia ? '' : ' (the set is no longer at that path)'}`,
        },
        generatedAt,
      };
    }
    const outcome = this.jobs.outcome(request.jobId);
    if (outcome.kind !== 'import') throw new AirlockError('JOB_NOT_FINISHED', `job ${request.jobId} is not an import`, { context: { jobId: request.jobId } });
    const r = outcome.import;
    const snapshot = this.jobs.snapshot(request.jobId);
    return {
      kind: 'import',
      setId: r.setId,
      signature: {
        fingerprint: r.verify.signature.fingerprint ?? '',
        trusted: r.verify.signature.trusted,
        ...(r.verify.signature.label ? { label: r.verify.signature.label } : {}),
      },
      operator: this.operator(),
      station,
      airlockVersion: AIRLOCK_VERSION,
      startedAt: snapshot.startedAt,
      finishedAt: snapshot.status === 'succeeded' ? snapshot.finishedAt : generatedAt,
      destination: r.registry,
      images: r.images.map((i) => ({ source: i.source, destination: i.destination, status: i.status, ...(i.digest ? { digest: i.digest } : {}) })),
      totalBytes: r.bytesPushed,
      verification: {
        ok: r.verify.ok,
        summary: r.verify.ok ? `${r.verify.bytesVerified.toLocaleString('en-US')} bytes verified against the signed checksums before pushing` : `${r.verify.problems.length} problem(s) found`,
        problems: r.verify.problems.map((p) => `${p.file ?? p.part ?? ''} ${p.code}: ${p.message}`.trim()),
      },
      generatedAt,
    };
  }

  async saveReceipt(request: ReceiptRequest): Promise<Saved> {
    const data = await this.receiptData(request);
    const path = await this.deps.dialogs.saveFile({ title: 'Save the transfer receipt', defaultName: `airlock-receipt-${data.setId}.pdf`, filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    if (path === undefined) return { kind: 'cancelled' };
    const pdf = await this.deps.printer.toPdf(renderReceiptHtml(data));
    await writeFile(path, pdf);
    return { kind: 'saved', path };
  }

  private resource(jobId: string, index: number): { name: string; path: string } {
    const outcome = this.jobs.outcome(jobId);
    if (outcome.kind !== 'import') throw new AirlockError('JOB_NOT_FINISHED', `job ${jobId} is not an import`, { context: { jobId } });
    // Only files this import reported can be read: the renderer names an index, never a path.
    const file = outcome.import.clusterResources[index];
    if (!file) throw new AirlockError('RESOURCE_NOT_FOUND', `the import produced no cluster resource #${index}`, { context: { jobId } });
    return file;
  }

  async readResource(jobId: string, index: number): Promise<ClusterResourceText> {
    const file = this.resource(jobId, index);
    return { name: file.name, path: file.path, yaml: await readLimited(file.path, MAX_RESOURCE_BYTES, 'the cluster resource') };
  }

  async saveResource(jobId: string, index: number): Promise<Saved> {
    const file = this.resource(jobId, index);
    const path = await this.deps.dialogs.saveFile({ title: `Save ${file.name}`, defaultName: file.name, filters: [{ name: 'YAML', extensions: ['yaml', 'yml'] }] });
    if (path === undefined) return { kind: 'cancelled' };
    await copyFile(file.path, path);
    return { kind: 'saved', path };
  }

  copyText(text: string): { written: number } {
    this.deps.clipboard.writeText(text);
    return { written: text.length };
  }
}

