/**
 * The rules of ImageSetConfiguration and DeleteImageSetConfiguration v2alpha1, from the OpenShift
 * 4.19 disconnected-environments manual: table 5.3 (every ImageSetConfiguration parameter), table
 * 5.4 (DeleteImageSetConfiguration), table 5.2 (which operator filters may be combined) and
 * section 6 (what changed from v1alpha2).
 */
import { posix, win32 } from 'node:path';
import semver from 'semver';
import { isScalar } from 'yaml';
import { isAirlockError } from '../errors';
import { parseReference, type ImageReference } from '../reference/parse';
import { compileBlockPattern } from './blocked';
import { Reader, type Fields, type KeyNote, type Slot } from './yaml-reader';
import {
  API_VERSION,
  ARCHITECTURES,
  DEFAULT_ARCHIVE_SIZE_GIB,
  DELETE_IMAGE_SET_KIND,
  IMAGE_SET_KIND,
  LEGACY_API_VERSION,
  PLATFORM_TYPES,
  type AdditionalImage,
  type AnyImageSetConfig,
  type Architecture,
  type BlockedImage,
  type CatalogSource,
  type DeleteSpec,
  type HelmChart,
  type HelmLocalChart,
  type HelmRepository,
  type HelmSpec,
  type MirrorSpec,
  type OperatorCatalog,
  type OperatorChannel,
  type OperatorPackage,
  type PlatformChannel,
  type PlatformSpec,
} from './types';

/** Which of the two documents is being read: they share sections but not every key. */
type Dialect = 'mirror' | 'delete';

export const MIGRATION_HINT =
  'run "airlock migrate-config OLD.yaml > NEW.yaml", or by hand: set apiVersion to mirror.openshift.io/v2alpha1, delete storageConfig, and give every additionalImages entry its registry host';

/** The manual's examples spell the delete kind this way; oc-mirror's own name is the other. */
const DELETE_KIND_VARIANT = 'DeletedImageSetConfiguration';

const NOT_IN_TABLE = (table: string): KeyNote => ({
  message: `is not an oc-mirror v2alpha1 parameter (OpenShift 4.19 manual, table ${table}); Airlock does not accept it`,
  hint: 'remove it',
});

const STORAGE_CONFIG_NOTE: KeyNote = {
  message: 'was removed in v2alpha1: oc-mirror v2 keeps its state in the workspace',
  hint: 'delete the storageConfig section',
};

const KUBEVIRT_NOTE: KeyNote = {
  message: 'belongs under mirror.platform',
  hint: 'move it into the platform section, next to channels',
};

// ------------------------------------------------------------------------------------------------

export function validateDocument(reader: Reader, contents: unknown, expected: 'any' | Dialect): AnyImageSetConfig | undefined {
  const start = { line: 1, column: 1 };
  const root = reader.map({ node: reader.deref(contents), at: reader.positionOf(reader.deref(contents), start), path: '' }, 'a mapping (apiVersion, kind, ...)');
  if (root === undefined) return undefined;
  if (!root.present) {
    reader.report(start, '', 'the file is empty: expected an ImageSetConfiguration with apiVersion, kind and mirror');
    return undefined;
  }

  const apiVersion = root.string('apiVersion', { required: true, what: API_VERSION });
  if (apiVersion === LEGACY_API_VERSION) {
    reader.report(
      root.slot('apiVersion').at,
      'apiVersion',
      `${LEGACY_API_VERSION} is the oc-mirror v1 format; Airlock reads ${API_VERSION} (oc-mirror v2). To migrate: change apiVersion to ${API_VERSION}, remove storageConfig, and write the registry host in every additionalImages name`,
      MIGRATION_HINT,
    );
    return undefined;
  }
  if (apiVersion !== undefined && apiVersion !== API_VERSION) {
    reader.report(root.slot('apiVersion').at, 'apiVersion', `expected ${API_VERSION}, found "${apiVersion}"`);
  }

  const kind = root.string('kind', { required: true, what: `${IMAGE_SET_KIND} or ${DELETE_IMAGE_SET_KIND}` });
  let dialect: Dialect | undefined;
  if (kind === IMAGE_SET_KIND) dialect = 'mirror';
  else if (kind === DELETE_IMAGE_SET_KIND || kind === DELETE_KIND_VARIANT) dialect = 'delete';
  else if (kind !== undefined) {
    reader.report(root.slot('kind').at, 'kind', `expected ${IMAGE_SET_KIND} or ${DELETE_IMAGE_SET_KIND}, found "${kind}"`);
  }
  if (dialect !== undefined && expected !== 'any' && dialect !== expected) {
    const want = expected === 'mirror' ? IMAGE_SET_KIND : DELETE_IMAGE_SET_KIND;
    reader.report(root.slot('kind').at, 'kind', `this is a ${kind} but ${want === IMAGE_SET_KIND ? 'an' : 'a'} ${want} is expected here`);
  }
  // With a bad kind, read the rest as whichever document it looks like, to report the rest too.
  const as: Dialect = dialect ?? (root.has('delete') && !root.has('mirror') ? 'delete' : 'mirror');

  if (as === 'mirror') {
    root.allow(['apiVersion', 'kind', 'archiveSize', 'mirror'], {
      storageConfig: STORAGE_CONFIG_NOTE,
      kubeVirtContainer: KUBEVIRT_NOTE,
      delete: { message: 'belongs in a DeleteImageSetConfiguration', hint: 'an ImageSetConfiguration lists what to mirror under mirror' },
    });
    const archiveSize = reader.positiveInteger(root.slot('archiveSize'), 'a whole number of GiB greater than zero');
    const mirror = readMirror(reader, root);
    if (mirror === undefined || apiVersion !== API_VERSION || dialect === undefined) return undefined;
    return { kind: IMAGE_SET_KIND, apiVersion: API_VERSION, file: reader.file, archiveSizeGiB: archiveSize ?? DEFAULT_ARCHIVE_SIZE_GIB, mirror };
  }

  root.allow(['apiVersion', 'kind', 'delete'], {
    storageConfig: STORAGE_CONFIG_NOTE,
    archiveSize: NOT_IN_TABLE('5.4'),
    mirror: { message: 'belongs in an ImageSetConfiguration', hint: 'a DeleteImageSetConfiguration lists what to delete under delete' },
  });
  const del = readDelete(reader, root);
  if (del === undefined || apiVersion !== API_VERSION || dialect === undefined) return undefined;
  return { kind: DELETE_IMAGE_SET_KIND, apiVersion: API_VERSION, file: reader.file, delete: del };
}

function readMirror(reader: Reader, root: Fields): MirrorSpec | undefined {
  if (!root.require('mirror', 'a mapping with platform, operators, additionalImages, blockedImages or helm')) return undefined;
  const mirrorSlot = root.slot('mirror');
  const m = reader.map(mirrorSlot);
  if (m === undefined) return undefined;
  m.allow(['platform', 'operators', 'additionalImages', 'blockedImages', 'helm'], { kubeVirtContainer: KUBEVIRT_NOTE });
  const platform = m.has('platform') ? readPlatform(reader, m.slot('platform'), 'mirror') : undefined;
  const operators = reader.list(m.slot('operators')).map((s) => readOperator(reader, s, 'mirror'));
  const additionalImages = reader.list(m.slot('additionalImages')).map((s) => readAdditionalImage(reader, s));
  const blockedImages = reader.list(m.slot('blockedImages')).map((s) => readBlockedImage(reader, s));
  const helm = m.has('helm') ? readHelm(reader, m.slot('helm')) : undefined;
  if (!['platform', 'operators', 'additionalImages', 'helm'].some((k) => m.has(k))) {
    reader.report(mirrorSlot.at, 'mirror', 'selects nothing to mirror: expected at least one of platform, operators, additionalImages, helm');
  }
  return {
    ...(platform === undefined ? {} : { platform }),
    operators: operators.filter(defined),
    additionalImages: additionalImages.filter(defined),
    blockedImages: blockedImages.filter(defined),
    ...(helm === undefined ? {} : { helm }),
  };
}

function readDelete(reader: Reader, root: Fields): DeleteSpec | undefined {
  if (!root.require('delete', 'a mapping with platform, operators or additionalImages')) return undefined;
  const slot = root.slot('delete');
  const d = reader.map(slot);
  if (d === undefined) return undefined;
  d.allow(['platform', 'operators', 'additionalImages'], {
    blockedImages: NOT_IN_TABLE('5.4'),
    helm: NOT_IN_TABLE('5.4'),
  });
  const platform = d.has('platform') ? readPlatform(reader, d.slot('platform'), 'delete') : undefined;
  const operators = reader.list(d.slot('operators')).map((s) => readOperator(reader, s, 'delete'));
  const additionalImages = reader.list(d.slot('additionalImages')).map((s) => readAdditionalImage(reader, s));
  if (!['platform', 'operators', 'additionalImages'].some((k) => d.has(k))) {
    reader.report(slot.at, 'delete', 'selects nothing to delete: expected at least one of platform, operators, additionalImages');
  }
  return {
    ...(platform === undefined ? {} : { platform }),
    operators: operators.filter(defined),
    additionalImages: additionalImages.filter(defined),
  };
}

// ------------------------------------------------------------------------------------------------
// platform

const ARCHITECTURE_ALIASES: Readonly<Record<string, Architecture>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  ppc64: 'ppc64le',
  s390: 's390x',
};

function readPlatform(reader: Reader, slot: Slot, dialect: Dialect): PlatformSpec | undefined {
  const p = reader.map(slot);
  if (p === undefined) return undefined;
  p.allow(dialect === 'mirror' ? ['architectures', 'channels', 'graph', 'kubeVirtContainer'] : ['architectures', 'channels', 'graph'], {
    release: NOT_IN_TABLE(dialect === 'mirror' ? '5.3' : '5.4'),
    ...(dialect === 'delete' ? { kubeVirtContainer: NOT_IN_TABLE('5.4') } : {}),
  });

  const architectures: Architecture[] = [];
  for (const item of reader.list(p.slot('architectures'))) {
    const arch = reader.oneOf(item, ARCHITECTURES, ARCHITECTURE_ALIASES);
    if (arch === undefined) continue;
    if (architectures.includes(arch)) reader.report(item.at, item.path, `"${arch}" is listed twice`);
    else architectures.push(arch);
  }

  const channels: PlatformChannel[] = [];
  if (p.require('channels', 'a list of release channels, e.g. - name: stable-4.19')) {
    const items = reader.list(p.slot('channels'));
    if (items.length === 0 && reader.deref(p.slot('channels').node) !== null) {
      reader.report(p.slot('channels').at, p.slot('channels').path, 'is empty: expected at least one release channel, e.g. - name: stable-4.19');
    }
    for (const item of items) {
      const channel = readPlatformChannel(reader, item);
      if (channel !== undefined) channels.push(channel);
    }
  }

  return {
    ...p.at,
    architectures: architectures.length > 0 ? architectures : ['amd64'],
    channels,
    graph: p.bool('graph') ?? false,
    kubeVirtContainer: dialect === 'mirror' ? (p.bool('kubeVirtContainer') ?? false) : false,
  };
}

function readPlatformChannel(reader: Reader, slot: Slot): PlatformChannel | undefined {
  const c = reader.map(slot, 'a mapping with name (e.g. name: stable-4.19)');
  if (c === undefined) return undefined;
  c.allow(['name', 'type', 'full', 'shortestPath', 'minVersion', 'maxVersion']);
  const name = c.string('name', { required: true, what: 'a channel name such as stable-4.19' });
  const type = c.has('type') ? reader.oneOf(c.slot('type'), PLATFORM_TYPES) : 'ocp';
  const full = c.bool('full');
  const shortestPath = c.bool('shortestPath');
  const range = readVersionRange(reader, c, '4.19.2');
  if (name === undefined || type === undefined || range === undefined) return undefined;
  return { ...c.at, name, type, full: full ?? false, shortestPath: shortestPath ?? false, ...range };
}

function readVersionRange(reader: Reader, f: Fields, example: string): { minVersion?: string; maxVersion?: string } | undefined {
  const minVersion = f.version('minVersion', example);
  const maxVersion = f.version('maxVersion', example);
  if ((f.has('minVersion') && minVersion === undefined) || (f.has('maxVersion') && maxVersion === undefined)) return undefined;
  if (minVersion !== undefined && maxVersion !== undefined && semver.gt(minVersion, maxVersion)) {
    reader.report(f.slot('maxVersion').at, f.slot('maxVersion').path, `${maxVersion} is lower than minVersion ${minVersion}`, 'swap them, or set both to the same version to select exactly one');
    return undefined;
  }
  return { ...(minVersion === undefined ? {} : { minVersion }), ...(maxVersion === undefined ? {} : { maxVersion }) };
}

// ------------------------------------------------------------------------------------------------
// operators

const OPERATOR_NOTES: Readonly<Record<string, KeyNote>> = {
  targetName: { message: 'was deprecated in v1alpha2 and is gone in v2alpha1', hint: 'use targetCatalog' },
  skipDependencies: {
    message: 'is not a v2alpha1 parameter: oc-mirror v2 never adds bundle dependencies',
    hint: 'remove it, and list every package you depend on explicitly',
  },
};

// distribution/reference path components, for targetCatalog (a repository path without registry or tag).
const PATH_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY_PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;

function readOperator(reader: Reader, slot: Slot, dialect: Dialect): OperatorCatalog | undefined {
  const o = reader.map(slot, 'a mapping with catalog (e.g. catalog: registry.redhat.io/redhat/redhat-operator-index:v4.19)');
  if (o === undefined) return undefined;
  const keys = ['catalog', 'full', 'packages'];
  const ownKeys = ['targetCatalog', 'targetTag', 'targetCatalogSourceTemplate'];
  o.allow(dialect === 'mirror' ? [...keys, ...ownKeys] : keys, {
    ...OPERATOR_NOTES,
    ...(dialect === 'delete' ? Object.fromEntries(ownKeys.map((k) => [k, NOT_IN_TABLE('5.4')])) : {}),
  });

  const catalog = o.string('catalog', { required: true, what: 'a catalog image such as registry.redhat.io/redhat/redhat-operator-index:v4.19, or oci:///absolute/path' });
  const source = catalog === undefined ? undefined : readCatalogSource(reader, o.slot('catalog'), catalog);
  const full = o.bool('full') ?? false;

  const packages: OperatorPackage[] = [];
  const seen = new Set<string>();
  for (const item of reader.list(o.slot('packages'))) {
    const pkg = readPackage(reader, item, dialect, full);
    if (pkg === undefined) continue;
    if (seen.has(pkg.name)) reader.report(pkg, `${item.path}.name`, `package "${pkg.name}" is listed twice in this catalog`, 'merge the two entries');
    seen.add(pkg.name);
    packages.push(pkg);
  }

  let targetCatalog: string | undefined;
  let targetTag: string | undefined;
  let targetCatalogSourceTemplate: string | undefined;
  if (dialect === 'mirror') {
    targetCatalog = o.string('targetCatalog', { what: 'a repository path such as my-namespace/my-operator-catalog' });
    if (targetCatalog !== undefined && !REPOSITORY_PATH.test(targetCatalog)) {
      const slotT = o.slot('targetCatalog');
      const tagged = /[:@]/.test(targetCatalog);
      reader.report(
        slotT.at,
        slotT.path,
        tagged
          ? `"${targetCatalog}" carries a tag or digest: expected a repository path such as my-namespace/my-operator-catalog`
          : `"${targetCatalog}" is not a repository path: expected lower-case components separated by "/", e.g. my-namespace/my-operator-catalog`,
        tagged ? 'put the tag in targetTag' : 'no registry host and no tag: the destination registry is given on the command line',
      );
      targetCatalog = undefined;
    }
    targetTag = o.string('targetTag', { what: 'a tag such as v1' });
    if (targetTag !== undefined && !TAG.test(targetTag)) {
      reader.report(o.slot('targetTag').at, o.slot('targetTag').path, `"${targetTag}" is not a valid tag`, 'a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"');
      targetTag = undefined;
    }
    targetCatalogSourceTemplate = o.string('targetCatalogSourceTemplate', { what: 'the path of a CatalogSource template file' });
    if (targetCatalogSourceTemplate !== undefined && targetCatalogSourceTemplate.trim() === '') targetCatalogSourceTemplate = undefined;
  }

  if (catalog === undefined || source === undefined) return undefined;
  return {
    ...o.at,
    catalog,
    source,
    full,
    packages,
    ...(targetCatalog === undefined ? {} : { targetCatalog }),
    ...(targetTag === undefined ? {} : { targetTag }),
    ...(targetCatalogSourceTemplate === undefined ? {} : { targetCatalogSourceTemplate }),
  };
}

function readCatalogSource(reader: Reader, slot: Slot, catalog: string): CatalogSource | undefined {
  if (catalog.startsWith('oci:')) {
    const path = catalog.startsWith('oci://') ? catalog.slice('oci://'.length) : '';
    if (path === '' || !(posix.isAbsolute(path) || win32.isAbsolute(path))) {
      reader.report(slot.at, slot.path, `"${catalog}" is not an OCI layout path: expected oci:// followed by an absolute path`, 'e.g. oci:///home/user/oc-mirror/my-oci-catalog (three slashes)');
      return undefined;
    }
    return { kind: 'oci', path };
  }
  const reference = readReference(reader, slot, catalog);
  return reference === undefined ? undefined : { kind: 'registry', reference };
}

function readPackage(reader: Reader, slot: Slot, dialect: Dialect, catalogFull: boolean): OperatorPackage | undefined {
  const p = reader.map(slot, 'a mapping with name (e.g. name: aws-load-balancer-operator)');
  if (p === undefined) return undefined;
  const keys = ['name', 'channels', 'minVersion', 'maxVersion'];
  p.allow(dialect === 'mirror' ? [...keys, 'defaultChannel'] : keys, {
    bundles: NOT_IN_TABLE(dialect === 'mirror' ? '5.3' : '5.4'),
    ...(dialect === 'delete' ? { defaultChannel: NOT_IN_TABLE('5.4') } : {}),
  });
  const name = p.string('name', { required: true, what: 'an operator package name such as aws-load-balancer-operator' });
  const range = readVersionRange(reader, p, '5.2.3-31');

  const channels: OperatorChannel[] = [];
  const seen = new Set<string>();
  const channelItems = reader.list(p.slot('channels'));
  for (const item of channelItems) {
    const c = reader.map(item, 'a mapping with name (e.g. name: stable)');
    if (c === undefined) continue;
    c.allow(['name', 'minVersion', 'maxVersion'], {
      minBundle: { message: 'was an oc-mirror v1 parameter and is not in v2alpha1', hint: 'use minVersion' },
    });
    const channelName = c.string('name', { required: true, what: 'a channel name such as stable' });
    const channelRange = readVersionRange(reader, c, '5.2.3-31');
    if (catalogFull) fullWithVersions(reader, c);
    if (channelName === undefined || channelRange === undefined) continue;
    if (seen.has(channelName)) {
      reader.report(c.slot('name').at, c.slot('name').path, `channel "${channelName}" is listed twice`, 'a channel name is unique within its package');
      continue;
    }
    seen.add(channelName);
    channels.push({ ...c.at, name: channelName, ...channelRange });
  }

  // Table 5.2, scenario 14: a channel filter and package-wide versions cannot be combined.
  if (channelItems.length > 0) {
    for (const key of ['minVersion', 'maxVersion']) {
      if (p.has(key)) {
        const s = p.slot(key);
        reader.report(s.at, s.path, `cannot be combined with channels (OpenShift 4.19 manual, table 5.2)`, `move ${key} into the channel entries`);
      }
    }
  }
  // Table 5.2, scenarios 15 and 16: full: true cannot be combined with minVersion/maxVersion.
  if (catalogFull) fullWithVersions(reader, p);

  let defaultChannel: string | undefined;
  if (dialect === 'mirror') {
    defaultChannel = p.string('defaultChannel', { what: 'a channel name' });
    if (defaultChannel !== undefined && channels.length > 0 && !channels.some((c) => c.name === defaultChannel)) {
      const s = p.slot('defaultChannel');
      reader.report(s.at, s.path, `"${defaultChannel}" is not one of the channels listed for this package (${channels.map((c) => c.name).join(', ')})`, 'the default channel must be one of the channels you mirror');
    }
  }

  if (name === undefined || range === undefined) return undefined;
  return { ...p.at, name, channels, ...range, ...(defaultChannel === undefined ? {} : { defaultChannel }) };
}

function fullWithVersions(reader: Reader, f: Fields): void {
  for (const key of ['minVersion', 'maxVersion']) {
    if (f.has(key)) {
      const s = f.slot(key);
      reader.report(s.at, s.path, `cannot be combined with full: true on the catalog (OpenShift 4.19 manual, table 5.2)`, `remove ${key}, or remove full: true`);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// images

function readReference(reader: Reader, slot: Slot, name: string): ImageReference | undefined {
  try {
    return parseReference(name, { requireRegistry: true });
  } catch (err) {
    if (!isAirlockError(err)) throw err;
    const why = err.message.replace(/^invalid image reference "[^"]*": /, '');
    if (why === 'it does not name a registry host') {
      reader.report(slot.at, slot.path, `"${name}" does not name a registry host`, `oc-mirror v2 requires the registry in every reference: write e.g. registry.redhat.io/${name} or docker.io/${name}`);
    } else {
      reader.report(slot.at, slot.path, `"${name}" is not a valid image reference: ${why}`, err.hint);
    }
    return undefined;
  }
}

function readAdditionalImage(reader: Reader, slot: Slot): AdditionalImage | undefined {
  const node = reader.deref(slot.node);
  if (isScalar(node) && typeof node.value === 'string') {
    reader.report(slot.at, slot.path, `expected a mapping with name, found the string "${node.value}"`, `write - name: ${node.value}`);
    return undefined;
  }
  const f = reader.map(slot, 'a mapping with name (e.g. - name: registry.redhat.io/ubi9/ubi:latest)');
  if (f === undefined) return undefined;
  f.allow(['name']);
  const name = f.string('name', { required: true, what: 'an image reference such as registry.redhat.io/ubi9/ubi:latest' });
  if (name === undefined) return undefined;
  const reference = readReference(reader, f.slot('name'), name);
  if (reference === undefined) return undefined;
  return { ...f.slot('name').at, name, reference };
}

function readBlockedImage(reader: Reader, slot: Slot): BlockedImage | undefined {
  // Table 5.3 calls blockedImages a string array; oc-mirror itself reads - name: entries. Both work.
  const node = reader.deref(slot.node);
  let nameSlot: Slot;
  let name: string | undefined;
  if (isScalar(node) && typeof node.value === 'string') {
    nameSlot = slot;
    name = node.value;
  } else {
    const f = reader.map(slot, 'a mapping with name, or a string (e.g. - name: docker.io/library/alpine)');
    if (f === undefined) return undefined;
    f.allow(['name']);
    nameSlot = f.slot('name');
    name = f.string('name', { required: true, what: 'an image pattern such as docker.io/library/alpine' });
  }
  if (name === undefined) return undefined;
  try {
    return { ...nameSlot.at, name, pattern: compileBlockPattern(name) };
  } catch (err) {
    if (!isAirlockError(err)) throw err;
    reader.report(nameSlot.at, nameSlot.path, err.message.replace(/^blocked image pattern /, ''), err.hint);
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------
// helm

function readHelm(reader: Reader, slot: Slot): HelmSpec | undefined {
  const h = reader.map(slot);
  if (h === undefined) return undefined;
  h.allow(['repositories', 'local']);
  const repositories = reader.list(h.slot('repositories')).map((s) => readHelmRepository(reader, s)).filter(defined);
  const local = reader.list(h.slot('local')).map((s) => readHelmLocal(reader, s)).filter(defined);
  return { ...h.at, repositories, local };
}

function readHelmRepository(reader: Reader, slot: Slot): HelmRepository | undefined {
  const r = reader.map(slot, 'a mapping with name and url');
  if (r === undefined) return undefined;
  r.allow(['name', 'url', 'charts']);
  const name = r.string('name', { required: true, what: 'a repository name such as podinfo' });
  const url = r.string('url', { required: true, what: 'the repository URL, e.g. https://example.github.io/podinfo' });
  let urlOk = url !== undefined;
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') {
      reader.report(r.slot('url').at, r.slot('url').path, `"${url}" is not an http(s) URL`, 'e.g. https://example.github.io/podinfo');
      urlOk = false;
    }
  }
  const charts: HelmChart[] = [];
  for (const item of reader.list(r.slot('charts'))) {
    const c = reader.map(item, 'a mapping with name (and version)');
    if (c === undefined) continue;
    c.allow(['name', 'version', 'imagePaths']);
    const chartName = c.string('name', { required: true, what: 'a chart name such as podinfo' });
    const version = c.version('version', '5.0.0');
    const imagePaths: string[] = [];
    for (const p of reader.list(c.slot('imagePaths'))) {
      const path = reader.string(p, { required: true, what: 'a JSONPath such as {.spec.template.spec.custom[*].image}' });
      if (path !== undefined) imagePaths.push(path);
    }
    if (chartName === undefined || (c.has('version') && version === undefined)) continue;
    charts.push({ ...c.at, name: chartName, ...(version === undefined ? {} : { version }), imagePaths });
  }
  if (name === undefined || url === undefined || !urlOk) return undefined;
  return { ...r.at, name, url, charts };
}

function readHelmLocal(reader: Reader, slot: Slot): HelmLocalChart | undefined {
  const l = reader.map(slot, 'a mapping with name and path');
  if (l === undefined) return undefined;
  l.allow(['name', 'path']);
  const name = l.string('name', { required: true, what: 'a chart name such as podinfo' });
  const path = l.string('path', { required: true, what: 'the path of a chart archive, e.g. /test/podinfo-5.0.0.tgz' });
  if (name === undefined || path === undefined) return undefined;
  return { ...l.at, name, path };
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
