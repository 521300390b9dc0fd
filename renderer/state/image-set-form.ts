/**
 * The Export wizard's image-set form and its YAML, kept in sync both ways. The form covers
 * additional images, blocked images, archive size, operator catalogs (one channel per package,
 * optional version range) and release channels; a configuration with anything else is edited in
 * the YAML view only. Validation problems from main (line, column, dotted path) are mapped back
 * onto form fields.
 */
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import type { ConfigProblemView } from '../api';

export const API_VERSION = 'mirror.openshift.io/v2alpha1';
export const KIND = 'ImageSetConfiguration';
export const DEFAULT_CONFIG_NAME = 'imageset-config.yaml';

export interface OperatorPackageForm {
  readonly name: string;
  /** Empty: every channel's head (no channel filter); the version range then applies to the package. */
  readonly channel: string;
  /** Written when the chosen channel is not the catalog's default channel (oc-mirror requires it). */
  readonly defaultChannel: string;
  readonly minVersion: string;
  readonly maxVersion: string;
}

export interface OperatorCatalogForm {
  /** An image reference or oci:///path, as typed. */
  readonly catalog: string;
  readonly packages: readonly OperatorPackageForm[];
}

export type ReleaseTypeForm = 'ocp' | 'okd';
export const RELEASE_TYPES: readonly ReleaseTypeForm[] = ['ocp', 'okd'];
export type ArchitectureForm = 'amd64' | 'arm64' | 'ppc64le' | 's390x' | 'multi';
export const ARCHITECTURES: readonly ArchitectureForm[] = ['amd64', 'arm64', 'ppc64le', 's390x', 'multi'];

export interface ReleaseChannelForm {
  readonly name: string;
  readonly type: ReleaseTypeForm;
  readonly minVersion: string;
  readonly maxVersion: string;
  readonly shortestPath: boolean;
}

export interface PlatformForm {
  readonly architecture: ArchitectureForm;
  readonly channels: readonly ReleaseChannelForm[];
  readonly graph: boolean;
}

export interface ImageSetForm {
  readonly additionalImages: readonly string[];
  readonly blockedImages: readonly string[];
  /** GiB as typed; empty means the default (500 GiB). */
  readonly archiveSizeGiB: string;
  /** mirror.operators; absent when the configuration has none. */
  readonly operators?: readonly OperatorCatalogForm[];
  /** mirror.platform; absent when the configuration has none. */
  readonly platform?: PlatformForm;
}

/** The form with these operator catalogs; none removes mirror.operators. */
export function withOperators(form: ImageSetForm, operators: readonly OperatorCatalogForm[]): ImageSetForm {
  const next: { -readonly [K in keyof ImageSetForm]: ImageSetForm[K] } = { ...form, operators };
  if (operators.length === 0) delete next.operators;
  return next;
}

/** The form with this platform section; undefined removes mirror.platform. */
export function withPlatform(form: ImageSetForm, platform: PlatformForm | undefined): ImageSetForm {
  const next: { -readonly [K in keyof ImageSetForm]: ImageSetForm[K] } = { ...form };
  if (platform) next.platform = platform;
  else delete next.platform;
  return next;
}

export const EMPTY_PACKAGE: OperatorPackageForm = { name: '', channel: '', defaultChannel: '', minVersion: '', maxVersion: '' };
export const EMPTY_RELEASE_CHANNEL: ReleaseChannelForm = { name: '', type: 'ocp', minVersion: '', maxVersion: '', shortestPath: false };
export const EMPTY_PLATFORM: PlatformForm = { architecture: 'amd64', channels: [EMPTY_RELEASE_CHANNEL], graph: false };

function withVersions(out: Record<string, unknown>, minVersion: string, maxVersion: string): Record<string, unknown> {
  if (minVersion.trim() !== '') out.minVersion = minVersion.trim();
  if (maxVersion.trim() !== '') out.maxVersion = maxVersion.trim();
  return out;
}

function operatorsYaml(catalogs: readonly OperatorCatalogForm[]): Record<string, unknown>[] {
  return catalogs
    .filter((c) => c.catalog.trim() !== '')
    .map((c) => {
      const packages = c.packages
        .filter((p) => p.name.trim() !== '')
        .map((p) => {
          const out: Record<string, unknown> = { name: p.name.trim() };
          if (p.defaultChannel.trim() !== '') out.defaultChannel = p.defaultChannel.trim();
          if (p.channel.trim() !== '') out.channels = [withVersions({ name: p.channel.trim() }, p.minVersion, p.maxVersion)];
          else withVersions(out, p.minVersion, p.maxVersion);
          return out;
        });
      return { catalog: c.catalog.trim(), ...(packages.length > 0 ? { packages } : {}) };
    });
}

function platformYaml(platform: PlatformForm): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (platform.architecture !== 'amd64') out.architectures = [platform.architecture];
  out.channels = platform.channels
    .filter((c) => c.name.trim() !== '')
    .map((c) => {
      const channel = withVersions({ name: c.name.trim(), ...(c.type === 'ocp' ? {} : { type: c.type }) }, c.minVersion, c.maxVersion);
      if (c.shortestPath) channel.shortestPath = true;
      return channel;
    });
  if (platform.graph) out.graph = true;
  return out;
}

export const EMPTY_FORM: ImageSetForm = { additionalImages: [''], blockedImages: [], archiveSizeGiB: '' };

/** The YAML for a form. Empty rows are left out (they are still being typed). */
export function formToYaml(form: ImageSetForm): string {
  const additional = form.additionalImages.map((s) => s.trim()).filter((s) => s !== '');
  const blocked = form.blockedImages.map((s) => s.trim()).filter((s) => s !== '');
  const size = form.archiveSizeGiB.trim();
  const doc: Record<string, unknown> = { kind: KIND, apiVersion: API_VERSION };
  if (size !== '') doc.archiveSize = /^\d+$/.test(size) ? Number(size) : size;
  const mirror: Record<string, unknown> = {};
  if (form.platform) mirror.platform = platformYaml(form.platform);
  if (form.operators && form.operators.length > 0) mirror.operators = operatorsYaml(form.operators);
  mirror.additionalImages = additional.map((name) => ({ name }));
  if (blocked.length > 0) mirror.blockedImages = blocked.map((name) => ({ name }));
  doc.mirror = mirror;
  return stringify(doc, { lineWidth: 0 });
}

export type FormFromYaml =
  | { readonly kind: 'form'; readonly form: ImageSetForm }
  /** The YAML is fine for Airlock but holds more than the form shows (or is not valid YAML yet). */
  | { readonly kind: 'yaml-only'; readonly reason: 'syntax' | 'sections' | 'shape' };

function names(node: unknown): string[] | undefined {
  if (node === undefined || node === null) return [];
  if (!isSeq(node)) return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    if (isScalar(item) && typeof item.value === 'string') {
      out.push(item.value);
      continue;
    }
    if (!isMap(item) || item.items.length !== 1) return undefined;
    const pair = item.items[0];
    if (!pair || !isScalar(pair.key) || pair.key.value !== 'name' || !isScalar(pair.value)) return undefined;
    out.push(String(pair.value.value ?? ''));
  }
  return out;
}

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Plain, keys: readonly string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

/** A version as the form holds it: YAML may have read 4.19 as a number. */
function versionText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function listOf<T>(value: unknown, item: (v: unknown) => T | undefined): T[] | undefined {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const v of value) {
    const parsed = item(v);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out;
}

function packageForm(value: unknown): OperatorPackageForm | undefined {
  if (!isPlain(value) || !onlyKeys(value, ['name', 'defaultChannel', 'channels', 'minVersion', 'maxVersion'])) return undefined;
  if (typeof value.name !== 'string') return undefined;
  const defaultChannel = value.defaultChannel === undefined ? '' : value.defaultChannel;
  if (typeof defaultChannel !== 'string') return undefined;
  const channels = listOf(value.channels, (c) => (isPlain(c) && onlyKeys(c, ['name', 'minVersion', 'maxVersion']) && typeof c.name === 'string' ? c : undefined));
  // The form shows one channel per package.
  if (!channels || channels.length > 1) return undefined;
  const channel = channels[0];
  const outer = [versionText(value.minVersion), versionText(value.maxVersion)];
  const inner = channel ? [versionText(channel.minVersion), versionText(channel.maxVersion)] : ['', ''];
  if ([...outer, ...inner].some((v) => v === undefined)) return undefined;
  if (channel && outer.some((v) => v !== '')) return undefined;
  const [minVersion = '', maxVersion = ''] = channel ? inner : outer;
  return { name: value.name, channel: channel ? String(channel.name) : '', defaultChannel, minVersion, maxVersion };
}

function operatorsForm(value: unknown): OperatorCatalogForm[] | undefined {
  return listOf(value, (c) => {
    if (!isPlain(c) || !onlyKeys(c, ['catalog', 'packages']) || typeof c.catalog !== 'string') return undefined;
    const packages = listOf(c.packages, packageForm);
    return packages ? { catalog: c.catalog, packages } : undefined;
  });
}

function platformForm(value: unknown): PlatformForm | undefined {
  if (!isPlain(value) || !onlyKeys(value, ['architectures', 'channels', 'graph'])) return undefined;
  const archs = listOf(value.architectures, (a) => (typeof a === 'string' && (ARCHITECTURES as readonly string[]).includes(a) ? (a as ArchitectureForm) : undefined));
  if (!archs || archs.length > 1) return undefined;
  if (value.graph !== undefined && typeof value.graph !== 'boolean') return undefined;
  const channels = listOf(value.channels, (c): ReleaseChannelForm | undefined => {
    if (!isPlain(c) || !onlyKeys(c, ['name', 'type', 'minVersion', 'maxVersion', 'shortestPath']) || typeof c.name !== 'string') return undefined;
    const type = c.type === undefined ? 'ocp' : c.type;
    if (type !== 'ocp' && type !== 'okd') return undefined;
    if (c.shortestPath !== undefined && typeof c.shortestPath !== 'boolean') return undefined;
    const minVersion = versionText(c.minVersion);
    const maxVersion = versionText(c.maxVersion);
    if (minVersion === undefined || maxVersion === undefined) return undefined;
    return { name: c.name, type, minVersion, maxVersion, shortestPath: c.shortestPath === true };
  });
  if (!channels) return undefined;
  return { architecture: archs[0] ?? 'amd64', channels, graph: value.graph === true };
}

/** The form for a YAML text, when the form can show all of it. */
export function yamlToForm(yaml: string): FormFromYaml {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0) return { kind: 'yaml-only', reason: 'syntax' };
  const root = doc.contents;
  if (!isMap(root)) return { kind: 'yaml-only', reason: 'shape' };
  let additional: string[] = [];
  let blocked: string[] = [];
  let archive = '';
  let operators: OperatorCatalogForm[] | undefined;
  let platform: PlatformForm | undefined;
  const mirrorJs = (): Plain => {
    const js: unknown = doc.toJS();
    return isPlain(js) && isPlain(js.mirror) ? js.mirror : {};
  };
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (key === 'kind' || key === 'apiVersion') continue;
    if (key === 'archiveSize') {
      archive = isScalar(pair.value) ? String(pair.value.value ?? '') : '';
      continue;
    }
    if (key !== 'mirror' || !isMap(pair.value)) return { kind: 'yaml-only', reason: key === 'mirror' ? 'shape' : 'sections' };
    for (const section of pair.value.items) {
      const name = isScalar(section.key) ? section.key.value : undefined;
      if (name === 'additionalImages') {
        const list = names(section.value);
        if (!list) return { kind: 'yaml-only', reason: 'shape' };
        additional = list;
      } else if (name === 'blockedImages') {
        const list = names(section.value);
        if (!list) return { kind: 'yaml-only', reason: 'shape' };
        blocked = list;
      } else if (name === 'operators') {
        operators = operatorsForm(mirrorJs().operators);
        if (!operators) return { kind: 'yaml-only', reason: 'shape' };
      } else if (name === 'platform') {
        platform = platformForm(mirrorJs().platform);
        if (!platform) return { kind: 'yaml-only', reason: 'shape' };
      } else {
        return { kind: 'yaml-only', reason: 'sections' };
      }
    }
  }
  return {
    kind: 'form',
    form: {
      additionalImages: additional.length > 0 ? additional : [''],
      blockedImages: blocked,
      archiveSizeGiB: archive,
      ...(operators && operators.length > 0 ? { operators } : {}),
      ...(platform ? { platform } : {}),
    },
  };
}

export type FieldRef =
  | { readonly field: 'additionalImages' | 'blockedImages'; readonly row: number }
  | { readonly field: 'archiveSize' }
  | { readonly field: 'document' };

/**
 * Which form field a problem belongs to. `mirror.additionalImages[2].name` names the third entry
 * of the YAML list; the form may hold empty rows the YAML leaves out, so the YAML index is mapped
 * onto the form row that produced it.
 */
export function problemField(problem: ConfigProblemView, form: ImageSetForm | undefined): FieldRef {
  const list = /^mirror\.(additionalImages|blockedImages)\[(\d+)\]/.exec(problem.path);
  if (list) {
    const field = list[1] as 'additionalImages' | 'blockedImages';
    const yamlIndex = Number(list[2]);
    if (!form) return { field, row: yamlIndex };
    let seen = -1;
    const rows = form[field];
    for (let row = 0; row < rows.length; row++) {
      if ((rows[row] ?? '').trim() === '') continue;
      seen++;
      if (seen === yamlIndex) return { field, row };
    }
    return { field, row: yamlIndex };
  }
  if (problem.path === 'archiveSize' || problem.path.startsWith('archiveSize')) return { field: 'archiveSize' };
  return { field: 'document' };
}

export function problemsFor(problems: readonly ConfigProblemView[], form: ImageSetForm | undefined, ref: FieldRef): ConfigProblemView[] {
  return problems.filter((p) => {
    const at = problemField(p, form);
    if (at.field !== ref.field) return false;
    return !('row' in at) || !('row' in ref) || at.row === ref.row;
  });
}

/** The character offset where a 1-based line starts, for moving the caret to a problem. */
export function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}
