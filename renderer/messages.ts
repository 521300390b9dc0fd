/**
 * All user-facing text of the app in one place: titles, labels, help, statuses, and the text for
 * every error code main can send. Components never spell out a sentence themselves.
 */
import type { ExportStepId } from './state/export-wizard';
import type { ImportStepId } from './state/import-wizard';
import type { TargetIssue } from './state/media-check';
import { assertNever } from './state/assert-never';
import { formatBytes, formatDuration, formatRate } from './format';
import type { ImageBytes, IpcError, JobProgress, JobStatus } from '../main/ipc/contract';

type ImageBytesPhase = ImageBytes['phase'];

export { assertNever };

export type Section = 'export' | 'import' | 'verify' | 'history' | 'settings';

export const SECTIONS: readonly Section[] = ['export', 'import', 'verify', 'history', 'settings'];

export function sectionTitle(section: Section): string {
  switch (section) {
    case 'export':
      return 'Export';
    case 'import':
      return 'Import';
    case 'verify':
      return 'Verify';
    case 'history':
      return 'History';
    case 'settings':
      return 'Settings';
    default:
      return assertNever(section);
  }
}

export function sectionSummary(section: Section): string {
  switch (section) {
    case 'export':
      return 'Mirror images from registries onto removable media.';
    case 'import':
      return 'Push a transfer set from media into the disconnected registry.';
    case 'verify':
      return 'Check a transfer set on media against its checksums and signature.';
    case 'history':
      return 'Past exports, imports and verifications on this station.';
    case 'settings':
      return 'Directories, defaults, station keys and registry credentials.';
    default:
      return assertNever(section);
  }
}

export const APP = {
  name: 'Airlock',
  tagline: 'Air-gap transfer station',
  navLabel: 'Sections',
  versionUnavailable: 'version unavailable',
  skipToContent: 'Skip to content',
};

export const WIZARD = {
  next: 'Next',
  back: 'Back',
  cancel: 'Cancel',
  retry: 'Try again',
  startOver: 'Start a new transfer',
  stepsLabel: (title: string) => `${title} steps`,
};

export function exportStepTitle(step: ExportStepId): string {
  switch (step) {
    case 'image-set':
      return 'Image set';
    case 'plan':
      return 'Plan';
    case 'media':
      return 'Media';
    case 'transfer':
      return 'Transfer';
    case 'done':
      return 'Done';
    default:
      return assertNever(step);
  }
}

export function importStepTitle(step: ImportStepId): string {
  switch (step) {
    case 'media':
      return 'Media';
    case 'verify':
      return 'Verify';
    case 'target':
      return 'Target registry';
    case 'push':
      return 'Push';
    case 'resources':
      return 'Cluster resources';
    default:
      return assertNever(step);
  }
}

export const IMAGE_SET = {
  title: 'Which images go across?',
  intro: 'Open an ImageSetConfiguration, or list the images here. The YAML view follows every change, and the other way round.',
  openFile: 'Open configuration file…',
  openedFrom: (path: string) => `Opened from ${path}`,
  formTitle: 'Form',
  yamlTitle: 'YAML',
  additionalImages: 'Additional images',
  additionalImagesHelp: 'Full references, e.g. quay.io/org/app:1.4 or registry.example.com/team/tool@sha256:…',
  additionalImageLabel: (n: number) => `Additional image ${n}`,
  addImage: 'Add image',
  removeImage: (n: number) => `Remove additional image ${n}`,
  blockedImages: 'Blocked images',
  blockedImagesHelp: 'Images or patterns never to carry, even when listed above.',
  blockedImageLabel: (n: number) => `Blocked image ${n}`,
  addBlocked: 'Add blocked image',
  removeBlocked: (n: number) => `Remove blocked image ${n}`,
  archiveSize: 'Archive size (GiB)',
  archiveSizeHelp: 'The largest part file on the media. Leave empty for 500 GiB. FAT32 drives get parts under 4 GiB automatically.',
  srcTlsVerify: "Verify the source registries' TLS certificates",
  srcTlsVerifyHelp: 'Turn off only for registries with self-signed certificates or plain HTTP.',
  carrySignatures: 'Carry cosign signatures',
  carrySignaturesHelp:
    "Each image's cosign signatures, attestations and SBOMs (its sha256-<digest>.sig, .att and .sbom tags) travel with it, as oc-mirror's --remove-signatures=false. Needed on both sides of the gap: turn it on again when importing, or the enclave registry gets the images without them. Per-registry choices come from the registries.d folder in Settings.",
  yamlLabel: 'ImageSetConfiguration YAML',
  formReadOnly: 'This configuration has sections the form cannot show (helm charts, several channels for one package, catalog targets, or a layout the form does not use). Edit it in the YAML view.',
  checking: 'Checking the configuration…',
  valid: (images: number, blocked: number) => `Valid: ${images} image${images === 1 ? '' : 's'} to mirror${blocked > 0 ? `, ${blocked} blocked pattern${blocked === 1 ? '' : 's'}` : ''}.`,
  nothingToMirror: 'Add at least one image, operator catalog or release channel to mirror.',
  validMore: (catalogs: number, channels: number) =>
    [catalogs > 0 ? ` ${catalogs} operator catalog${catalogs === 1 ? '' : 's'}.` : '', channels > 0 ? ` ${channels} release channel${channels === 1 ? '' : 's'}.` : ''].join(''),
  unsupported: (sections: readonly string[]) => `Airlock cannot carry mirror.${sections.join(', mirror.')} yet. Carry those images as additional images, or remove the section${sections.length > 1 ? 's' : ''}.`,
  problemsTitle: (n: number) => `${n} problem${n === 1 ? '' : 's'} in the configuration`,
  problemAt: (line: number, column: number) => `Line ${line}, column ${column}`,
  goToLine: (line: number) => `Go to line ${line}`,
  lineHasProblem: 'this line has a problem',
};

export const OPERATORS = {
  title: 'Operators',
  help: 'Operator catalogs to filter and carry. Load a catalog to pick its packages and channels.',
  catalogLabel: (n: number) => `Catalog ${n}`,
  catalogGroup: (n: number) => `Operator catalog ${n}`,
  catalogHelp: 'An index image, e.g. registry.redhat.io/redhat/redhat-operator-index:v4.19, or oci:///path to a local OCI layout.',
  load: 'Load packages',
  loading: 'Reading the catalog…',
  loaded: (packages: number, truncated: boolean) => `${packages} package${packages === 1 ? '' : 's'} in the catalog${truncated ? ' (only the first are listed)' : ''}.`,
  filterLabel: (n: number) => `Filter the packages of catalog ${n}`,
  filterPlaceholder: 'Type to filter packages',
  packageSelect: (n: number) => `Package to add from catalog ${n}`,
  choosePackage: 'Choose a package',
  noMatch: 'No package matches',
  addPackage: 'Add package',
  channel: (pkg: string) => `Channel of ${pkg}`,
  allChannels: 'Default channel head (no channel filter)',
  channelOption: (name: string, head: string | undefined, min: string | undefined, max: string | undefined, isDefault: boolean) =>
    `${name}${isDefault ? ' (default)' : ''}${head ? ` — head ${head}` : ''}${min && max && min !== max ? `, ${min} to ${max}` : ''}`,
  minVersion: (pkg: string) => `Minimum version of ${pkg}`,
  maxVersion: (pkg: string) => `Maximum version of ${pkg}`,
  removePackage: (pkg: string) => `Remove package ${pkg}`,
  packageGroup: (pkg: string) => `Package ${pkg}`,
  addCatalog: 'Add operator catalog',
  removeCatalog: (n: number) => `Remove catalog ${n}`,
  loadFailed: 'The catalog could not be read',
};

export const RELEASES = {
  title: 'Release channels',
  help: 'OpenShift releases from the update graph. Load a channel to choose versions from what it offers.',
  architecture: 'Architecture',
  channelName: (n: number) => `Release channel ${n}`,
  channelGroup: (n: number) => `Release channel ${n} and its versions`,
  channelPlaceholder: 'e.g. stable-4.19',
  type: (n: number) => `Type of release channel ${n}`,
  load: 'Load versions',
  loading: 'Reading the update graph…',
  loaded: (n: number, head: string) => `${n} release${n === 1 ? '' : 's'} offered; the head is ${head}.`,
  minVersion: (n: number) => `Minimum version of release channel ${n}`,
  maxVersion: (n: number) => `Maximum version of release channel ${n}`,
  noVersion: 'Not set',
  shortestPath: 'Shortest upgrade path only',
  graph: 'Include the update graph data image (for an OpenShift Update Service)',
  addChannel: 'Add release channel',
  removeChannel: (n: number) => `Remove release channel ${n}`,
  loadFailed: 'The channel could not be read',
};

export const PLAN = {
  title: 'The plan',
  running: 'Resolving every image to its digest (a dry run: nothing is downloaded or written)…',
  images: 'Images',
  blobs: 'Blobs',
  totalSize: 'Total size',
  parts: 'Parts',
  partsValue: (parts: number, size: string) => `${parts} part${parts === 1 ? '' : 's'} of at most ${size}`,
  newSinceLast: 'New since the last transfer',
  newSinceLastValue: (n: number, total: number) => `${n} of ${total} image${total === 1 ? '' : 's'}`,
  firstTransfer: 'No earlier transfer from this station: everything is new.',
  lastTransfer: (setId: string, when: string) => `Compared with set ${setId} of ${when}.`,
  warnings: 'Warnings',
  failedTitle: (n: number) => `${n} image${n === 1 ? '' : 's'} could not be resolved`,
  failedBody: 'They will be listed as missing in the transfer set. Fix the reference or credentials and plan again, or go on without them.',
  tableLabel: 'Images in the plan',
  colSource: 'Source',
  colDestination: 'Destination',
  colDigest: 'Digest',
  colStatus: 'Status',
  colNew: 'New',
  isNew: 'new',
  notNew: 'already sent',
  planAgain: 'Plan again',
  nothingResolved: 'No image could be resolved, so there is nothing to transfer.',
};

export const MEDIA = {
  title: 'Where should the transfer set go?',
  drivesTitle: 'Removable drives',
  noDrives: 'No removable drive is connected. Plug one in, or choose a folder.',
  drivesUnavailable: 'Removable drives cannot be listed on this system; choose a folder on the drive instead.',
  refresh: 'Refresh',
  chooseFolder: 'Choose a folder…',
  folder: 'Folder',
  driveLabel: (label: string, mountPoint: string) => `${label || 'Unnamed drive'} (${mountPoint})`,
  space: (free: number, total: number) => `${formatBytes(free)} free of ${formatBytes(total)}`,
  readOnly: 'read-only',
  need: (need: number) => `The set needs about ${formatBytes(need)}.`,
  enough: (need: number, free: number) => `Enough space: the set needs about ${formatBytes(need)}, ${formatBytes(free)} is free.`,
  selectedTarget: (path: string) => `The set will be written to ${path}`,
  drivesLabel: 'Drives to write to',
};

export function targetIssueText(issue: TargetIssue): string {
  switch (issue.kind) {
    case 'read-only':
      return 'This drive is mounted read-only.';
    case 'too-small':
      return `Not enough space: the set needs about ${formatBytes(issue.needBytes)}, only ${formatBytes(issue.freeBytes)} is free.`;
    case 'fat32-parts':
      return `This drive is FAT32, which cannot hold files of 4 GiB or more: parts will be cut at ${formatBytes(issue.partBytes)}.`;
    default:
      return assertNever(issue);
  }
}

export const TRANSFER = {
  title: 'Transferring',
  start: 'Write to media',
  cancel: 'Cancel transfer',
  cancelling: 'Cancelling…',
  cancelled: 'The transfer was cancelled. Nothing on the media is marked complete; you can start again and finished parts are reused.',
  failed: 'The transfer failed',
  overall: 'Overall progress',
  imagesTitle: 'Images',
  errorsTitle: (n: number) => `${n} error${n === 1 ? '' : 's'} so far`,
  warningsTitle: 'Warnings',
  imagesLabel: 'Image progress',
};

/** The per-image part of the Transfer and Push steps. */
export const IMAGE_TRANSFERS = {
  regionLabel: 'Image progress',
  counts: (c: { readonly active: number; readonly finished: number; readonly waiting: number; readonly failed: number }, phase: ImageBytesPhase) =>
    [
      `${c.active} in progress`,
      `${c.finished} ${phase === 'pull' ? 'downloaded' : 'pushed'}`,
      ...(c.waiting > 0 ? [`${c.waiting} waiting`] : []),
      ...(c.failed > 0 ? [`${c.failed} failed`] : []),
    ].join(' · '),
  amount: (done: number, total: number) => (total > 0 ? `${formatBytes(done)} of ${formatBytes(total)}` : 'layers shared with other images'),
  valueText: (phase: ImageBytesPhase, percent: number, done: number, total: number) =>
    `${phase === 'pull' ? 'Downloading' : 'Uploading'}: ${percent}%${total > 0 ? `, ${formatBytes(done)} of ${formatBytes(total)}` : ''}`,
  more: (n: number) => `and ${n} more in progress`,
  finishedToggle: (finished: number, failed: number, phase: ImageBytesPhase) =>
    `${finished} ${phase === 'pull' ? 'downloaded' : 'pushed'}${failed > 0 ? `, ${failed} failed` : ''}`,
  finishedLabel: 'Finished images',
  waitingToggle: (n: number) => `${n} image${n === 1 ? '' : 's'} waiting`,
  waitingLabel: 'Images waiting',
  blocked: (n: number) => `${n} image${n === 1 ? '' : 's'} left out by blockedImages`,
};

export const PUSH = {
  title: 'Pushing to the registry',
  cancel: 'Cancel push',
  cancelled: 'The push was cancelled. Images already pushed stay in the registry; pushing again skips them.',
  failed: 'The push failed',
};

export function phaseText(progress: JobProgress): string {
  switch (progress.phase) {
    case 'resolve':
      return 'Resolving images';
    case 'pull':
      return 'Downloading from the registries';
    case 'write':
      return 'Writing to the media';
    case 'verify':
      return 'Verifying checksums';
    case 'record':
      return 'Recording in the history';
    case 'push':
      return 'Pushing to the registry';
    default:
      return assertNever(progress.phase);
  }
}

export function progressDetail(progress: JobProgress): string {
  const amount = progress.unit === 'bytes' ? `${formatBytes(progress.done)} of ${formatBytes(progress.total)}` : `${progress.done} of ${progress.total}`;
  const rate = progress.rate !== undefined && progress.unit === 'bytes' ? ` · ${formatRate(progress.rate)}` : '';
  const eta = progress.etaSeconds !== undefined ? ` · ${formatDuration(progress.etaSeconds)} left in this step` : '';
  return `${amount}${rate}${eta}`;
}

export function jobStatusText(status: JobStatus): string {
  switch (status) {
    case 'running':
      return 'Running';
    case 'cancelling':
      return 'Cancelling';
    case 'succeeded':
      return 'Finished';
    case 'failed':
      return 'Failed';
    case 'cancelled':
      return 'Cancelled';
    default:
      return assertNever(status);
  }
}

export function imageStatusText(status: string): string {
  const known: Readonly<Record<string, string>> = {
    pending: 'Waiting',
    resolved: 'Resolved',
    pulled: 'Downloaded',
    pushed: 'Pushed',
    failed: 'Failed',
    blocked: 'Blocked',
    ok: 'OK',
    skipped: 'Already there',
    complete: 'Complete',
    partial: 'Partial',
  };
  return known[status] ?? status;
}

export const DONE = {
  title: 'The transfer set is on the media',
  titlePartial: 'The transfer set is on the media, with missing images',
  setId: 'Set ID',
  location: 'Location',
  images: 'Images',
  imagesValue: (ok: number, failed: number) => `${ok} written${failed > 0 ? `, ${failed} missing` : ''}`,
  carried: 'Carried',
  carriedValue: (bytes: number, blobs: number, parts: number) => `${formatBytes(bytes)} in ${blobs} blob${blobs === 1 ? '' : 's'}, ${parts} part${parts === 1 ? '' : 's'}`,
  baseSets: 'Builds on',
  baseSetsNone: 'nothing (a full set)',
  signatures: 'Cosign signatures',
  signaturesValue: (n: number) => `${n} carried beside ${n === 1 ? 'its image' : 'their images'}; import with "Carry cosign signatures" on to push ${n === 1 ? 'it' : 'them'}`,
  manifest: 'Manifest SHA-256',
  signedBy: 'Signed by',
  readBack: 'Read-back verification passed: every part was read back from the media and matched its SHA-256 before the set was sealed.',
  readBackTitle: 'Verified on the media',
  eject: 'Eject drive',
  ejecting: 'Ejecting…',
  ejected: 'The drive was ejected. It is safe to unplug it.',
  ejectedNoPower: 'The drive was unmounted. It is safe to unplug it.',
  receipt: 'Save receipt (PDF)',
  receiptSaving: 'Saving…',
  receiptSaved: (path: string) => `Receipt saved to ${path}`,
  errorLog: (path: string) => `The missing images are listed in ${path}.`,
};

export const IMPORT_MEDIA = {
  title: 'Which transfer set?',
  scanning: 'Looking for transfer sets…',
  noSets: 'No transfer set was found here. A set is a folder with transfer.json in it, on the drive or one level below.',
  setsLabel: 'Transfer sets found',
  colSet: 'Set ID',
  colCreated: 'created',
  colOrigin: 'Origin station',
  colSize: 'Size',
  colImages: 'Images',
  colSignature: 'Signature',
  trusted: (label: string) => (label ? `Trusted (${label})` : 'Trusted'),
  untrusted: 'Not trusted',
  incomplete: 'Incomplete',
  incompleteHelp: 'SHA256SUMS is missing: the export did not finish. Write the set again on the connected side.',
  untrustedTitle: 'This set is not signed by a station you trust',
  untrustedBody: 'Trust the exporting station\'s key in Settings (its fingerprint must match what the other side shows), or go on deliberately.',
  acceptUntrusted: 'Verify and import it anyway (this is recorded in the history)',
  unreadable: (dir: string) => `${dir} has a transfer.json that cannot be read`,
  scanDrive: (label: string) => `Look on ${label}`,
  select: (setId: string) => `Select transfer set ${setId}`,
  imageCount: (n: number) => `${n} image${n === 1 ? '' : 's'}`,
};

export const VERIFY = {
  title: 'Checking every byte',
  intro: 'Every part, every blob and the signature are checked against transfer.json and SHA256SUMS. Nothing is pushed until this passes.',
  passed: 'The transfer set is intact and authentic.',
  passedDetail: (bytes: number, images: number) => `${formatBytes(bytes)} verified, ${images} image${images === 1 ? '' : 's'}.`,
  rejected: 'The transfer set failed verification. Do not import it.',
  rejectedDetail: 'Copy the set again from the exporting station, or export it again.',
  problemsLabel: 'Problems found',
  colFile: 'File',
  colProblem: 'Problem',
  colCode: 'Code',
  signatureTrusted: (fp: string, label?: string) => `Signed by ${fp}${label ? ` (${label})` : ''}`,
  signatureAccepted: 'Signature not trusted; accepted by the operator.',
  pageTitle: 'Verify a transfer set',
  deep: 'Check every blob (deep)',
  deepHelp: 'Streams every blob through its digest; without it only part sizes and hashes are checked.',
  start: 'Verify',
  again: 'Verify again',
  chooseSet: 'Choose a set above to verify it.',
};

export const TARGET = {
  title: 'Where do the images go?',
  registry: 'Registry',
  registryHelp: 'host[:port][/prefix], e.g. registry.enclave.example:5000/mirror',
  registryInvalid: 'Give a host name with an optional port and path, without https://',
  username: 'User name',
  password: 'Password or token',
  passwordKept: 'A password is saved for this registry; enter one only to replace it.',
  remember: 'Remember these credentials on this station (encrypted)',
  rememberUnavailable: 'This system offers no encrypted storage: credentials are kept until Airlock closes.',
  tlsVerify: "Verify the registry's TLS certificate",
  carrySignatures: 'Carry cosign signatures',
  carrySignaturesHelp:
    'Pushes the cosign signatures, attestations and SBOMs the set carries beside their images, under the same tags. The set holds them only if the export carried them: the switch is needed on both sides of the gap. Per-registry choices come from the registries.d folder in Settings.',
  caFile: 'CA certificate',
  caFileNone: 'The system trust store',
  chooseCa: 'Choose CA file…',
  clearCa: 'Use the system trust store',
  test: 'Test connection',
  testing: 'Testing…',
  ok: (auth: boolean) => `Connected${auth ? ' and signed in' : ''}.`,
  push: 'Push images',
};

export const RESOURCES = {
  title: 'Apply these to the cluster',
  summary: (pushed: number, failed: number, bytes: number) => `${pushed} image${pushed === 1 ? '' : 's'} pushed${failed > 0 ? `, ${failed} failed` : ''}, ${formatBytes(bytes)} uploaded.`,
  none: 'No cluster resources were generated.',
  apply: 'Apply them all with',
  copy: 'Copy',
  copied: 'Copied',
  save: 'Save as…',
  saved: (path: string) => `Saved to ${path}`,
  loading: 'Loading…',
  fileLabel: (name: string) => `Contents of ${name}`,
  copyCommand: 'Copy the oc apply command',
  imagesLabel: 'Pushed images',
  receipt: 'Save receipt (PDF)',
};

export const HISTORY = {
  title: 'History',
  search: 'Filter by set, operator, host or registry',
  kindAll: 'All',
  kindExport: 'Exports',
  kindImport: 'Imports',
  kindVerify: 'Verifications',
  kindFilterLabel: 'Show',
  exportCsv: 'Export CSV',
  exportJson: 'Export JSON',
  saved: (path: string) => `Saved to ${path}`,
  empty: 'Nothing in the history yet.',
  noMatch: 'Nothing matches the filter.',
  tableLabel: 'Transfers on this station',
  colTime: 'Time',
  colKind: 'Kind',
  colSet: 'Set ID',
  colStatus: 'Result',
  colOperator: 'Operator',
  colTarget: 'Registry',
  colSize: 'Size',
  detailsFor: (setId: string) => `Details of ${setId}`,
  close: 'Close',
  config: 'ImageSetConfiguration',
  receipt: 'Save receipt (PDF)',
  insecure: 'accepted untrusted',
  kind: (kind: string) => ({ export: 'Export', import: 'Import', verify: 'Verification' })[kind] ?? kind,
};

export const SETTINGS = {
  title: 'Settings',
  dirs: 'Directories and defaults',
  dataDir: 'Data directory',
  dataDirHelp: 'History, keys and saved credentials.',
  cacheDir: 'Cache directory',
  cacheDirHelp: 'Downloaded blobs, reused by later exports.',
  parallelImages: 'Images at once',
  parallelLayers: 'Layers at once per image',
  retryTimes: 'Retries after a failed request',
  retryDelay: 'First retry delay (ms)',
  operator: 'Operator name',
  operatorHelp: 'Recorded in the history and on receipts. Empty: the system user name.',
  registriesDir: 'registries.d folder',
  registriesDirHelp:
    'Decides per registry, namespace or image whether cosign signatures travel when "Carry cosign signatures" is on (use-sigstore-attachments, containers-registries.d(5)). Empty: ~/.config/containers/registries.d, else /etc/containers/registries.d.',
  registriesDirDefault: 'Use the default',
  registriesDirPlaceholder: 'Where containers tools look',
  save: 'Save settings',
  saved: 'Settings saved.',
  stationKey: "This station's signing key",
  stationKeyHelp: 'Transfer sets exported here are signed with it. Give the public key to the enclave station, and check the fingerprint with its operator by phone or in person.',
  fingerprint: 'Fingerprint',
  copyKey: 'Copy public key',
  saveKey: 'Save public key…',
  trusted: 'Trusted stations',
  trustedHelp: 'Imports accept transfer sets signed by these keys.',
  trustedNone: 'No station is trusted yet.',
  trustedLabel: 'Trusted station keys',
  colFingerprint: 'Fingerprint',
  colLabel: 'Label',
  colAdded: 'Added',
  untrust: 'Remove',
  untrustKey: (fp: string) => `Stop trusting ${fp}`,
  trustNew: 'Trust a station key',
  pem: 'Public key (PEM)',
  pemHelp: 'Paste what `airlock keys export` printed on the other station.',
  label: 'Label',
  labelHelp: 'Where the key comes from, e.g. "connected station, building 4".',
  trust: 'Trust key',
  trustedNow: (fp: string) => `Now trusting ${fp}.`,
  credentials: 'Registry credentials',
  credentialsNone: 'No registry credentials are saved.',
  credentialsLabel: 'Saved registry credentials',
  colRegistry: 'Registry',
  colUser: 'User',
  colKept: 'Kept',
  keptEncrypted: 'encrypted on disk',
  keptSession: 'this session',
  forget: 'Forget',
  forgetFor: (registry: string) => `Forget credentials for ${registry}`,
  about: (version: string, host: string) => `Airlock ${version} on ${host}`,
};

export const COMMON = {
  loading: 'Loading…',
  copy: 'Copy',
  copied: 'Copied to the clipboard',
  browse: 'Browse…',
  yes: 'yes',
  no: 'no',
  hint: 'What to do',
  status: 'Status',
  close: 'Close',
};

/** The operator-facing text for an error from main; the message and hint follow it. */
export function errorTitle(error: IpcError): string {
  switch (error.code) {
    case 'IPC_UNAVAILABLE':
      return 'Airlock is not connected to its main process.';
    case 'IPC_UNTRUSTED_SENDER':
      return 'This page is not allowed to talk to Airlock.';
    case 'IPC_INVALID_ARGS':
    case 'IPC_UNKNOWN_CHANNEL':
      return 'Airlock refused a malformed request.';
    case 'INTERNAL':
      return 'Something unexpected went wrong in Airlock.';
    case 'CANCELLED':
      return 'Cancelled.';
    case 'CONFIG_INVALID':
      return 'The configuration has problems.';
    case 'CONFIG_UNREADABLE':
    case 'FILE_UNREADABLE':
    case 'FILE_TOO_LARGE':
      return 'The file cannot be read.';
    case 'CONFIG_UNSUPPORTED':
      return 'The configuration uses sections Airlock cannot carry yet.';
    case 'NOTHING_TO_MIRROR':
      return 'There is nothing to mirror.';
    case 'EXPORT_FAILED':
      return 'No image could be mirrored.';
    case 'EXPORT_TARGET_INVALID':
    case 'MEDIA_SET_NOT_FOUND':
      return 'The folder is not there any more.';
    case 'MEDIA_NO_SPACE':
      return 'The media is full.';
    case 'MEDIA_READBACK_FAILED':
      return 'What was read back from the media differs from what was written. The drive may be failing.';
    case 'MEDIA_NOT_WRITABLE':
    case 'MEDIA_WRITE_FAILED':
    case 'WORKSPACE_UNWRITABLE':
      return 'Airlock cannot write to the media.';
    case 'MEDIA_DIR_NOT_EMPTY':
      return 'The folder already holds other files.';
    case 'REGISTRY_AUTH':
      return 'The registry refused the credentials.';
    case 'REGISTRY_TLS':
      return "The registry's TLS certificate could not be verified.";
    case 'REGISTRY_UNREACHABLE':
      return 'The registry cannot be reached.';
    case 'REGISTRY_NOT_FOUND':
      return 'The registry does not have that image.';
    case 'REGISTRY_RATE_LIMITED':
      return 'The registry is limiting requests.';
    case 'REGISTRY_HTTP':
    case 'REGISTRY_PROTOCOL':
      return 'The registry answered with an error.';
    case 'TARGET_INVALID':
      return 'The target registry is not valid.';
    case 'IMPORT_REFUSED':
      return 'The transfer set cannot be imported.';
    case 'IMPORT_BASE_MISSING':
      return 'The set builds on an earlier set this registry does not have yet.';
    case 'DRIVE_EJECT_UNAVAILABLE':
      return 'Airlock cannot eject drives on this system.';
    case 'DRIVE_EJECT_UNSUPPORTED':
      return 'Airlock cannot eject drives on this platform yet.';
    case 'DRIVE_BUSY':
      return 'The drive is in use.';
    case 'DRIVE_EJECT_FAILED':
      return 'The drive could not be ejected.';
    case 'DRIVE_NOT_FOUND':
      return 'The drive is not connected any more.';
    case 'DRIVES_UNAVAILABLE':
      return 'Removable drives cannot be listed.';
    case 'CREDENTIALS_NO_ENCRYPTION':
      return 'Credentials cannot be saved encrypted on this system.';
    case 'CREDENTIALS_UNREADABLE':
    case 'CREDENTIALS_INVALID':
    case 'CREDENTIALS_UNWRITABLE':
      return 'The saved credentials cannot be used.';
    case 'KEY_INVALID':
      return 'That is not a station public key.';
    case 'KEY_NOT_TRUSTED':
      return 'That key is not trusted.';
    case 'KEY_TRUST_INVALID':
    case 'KEY_TRUST_UNREADABLE':
    case 'KEY_TRUST_UNWRITABLE':
    case 'KEY_UNREADABLE':
    case 'KEY_PERMISSIONS_TOO_OPEN':
      return 'The station keys cannot be used.';
    case 'HISTORY_CORRUPT':
    case 'HISTORY_LOCKED':
    case 'HISTORY_UNAVAILABLE':
    case 'HISTORY_FAILED':
      return 'The history database cannot be used.';
    case 'HISTORY_NOT_FOUND':
      return 'That history entry is gone.';
    case 'JOB_NOT_FOUND':
    case 'JOB_NOT_FINISHED':
      return 'That job is not available.';
    case 'JOB_WORKER_EXITED':
      return 'The job stopped unexpectedly.';
    case 'SETTINGS_UNREADABLE':
    case 'SETTINGS_INVALID':
    case 'SETTINGS_UNWRITABLE':
    case 'SETTINGS_DIR_UNUSABLE':
      return 'The settings cannot be saved.';
    case 'TLS_CA_UNREADABLE':
      return 'The CA certificate cannot be read.';
    case 'REGISTRIES_D_INVALID':
    case 'REGISTRIES_D_UNREADABLE':
      return 'The registries.d folder (Settings) cannot be used for cosign signatures.';
    case 'RESOURCE_NOT_FOUND':
      return 'That cluster resource is not available.';
    case 'REFERENCE_INVALID':
      return 'That is not a valid image reference.';
    case 'CATALOG_UNAVAILABLE':
      return 'The operator catalog cannot be read.';
    case 'CATALOG_EMPTY':
      return 'The image holds no file-based operator catalog.';
    case 'CATALOG_IMAGE_INVALID':
    case 'CATALOG_LAYER_INVALID':
    case 'CATALOG_LAYER_UNSUPPORTED':
    case 'CATALOG_FBC_INVALID':
      return 'The operator catalog is damaged or in a format Airlock cannot read.';
    case 'DIGEST_MISMATCH':
    case 'SIZE_MISMATCH':
      return 'What was read does not match its digest.';
    case 'RELEASE_CHANNEL_UNKNOWN':
      return 'The update service does not know that channel.';
    case 'RELEASE_GRAPH_INVALID':
      return 'The update service answered with something that is not an update graph.';
    case 'RELEASE_GRAPH_URL_INVALID':
      return 'The update service URL (UPDATE_URL_OVERRIDE) is not valid.';
    case 'RELEASE_SERVICE_UNREACHABLE':
      return 'The update service cannot be reached.';
    case 'RELEASE_SERVICE_TLS':
      return "The update service's TLS certificate could not be verified.";
    case 'RELEASE_SERVICE_HTTP':
    case 'RELEASE_SERVICE_TOO_LARGE':
      return 'The update service answered with an error.';
    default:
      return 'The operation failed.';
  }
}

/** Title and message in one line, e.g. for a tooltip. */
export function errorText(error: IpcError): string {
  const title = errorTitle(error);
  return title === 'The operation failed.' ? error.message : `${title} ${error.message}`;
}

export function signatureReasonText(reason: string): string {
  switch (reason) {
    case 'no-trusted-keys':
      return 'This station trusts no key yet.';
    case 'unknown-signer':
      return 'Signed by a station this station does not trust.';
    case 'bad-signature':
      return 'The signature does not match: the set was changed after it was signed.';
    case 'malformed-signature':
      return 'The signature file is damaged.';
    case 'unsigned':
      return 'The set has no signature (transfer.json.sig is missing).';
    default:
      return reason;
  }
}
