import { parse as parseYaml } from 'yaml';
import { AirlockError, isAirlockError } from '../errors';
import { parseReference, type ImageReference } from '../reference';
import { airlockAnnotations, checkResourceMeta, isDns1123Label, isQualifiedName } from './meta';
import { compareText } from './order';
import {
  OLM_OPERATORFRAMEWORK_V1,
  OPERATORS_COREOS_V1ALPHA1,
  type CatalogSourceResource,
  type ClusterCatalogResource,
  type ResourceMeta,
} from './types';

/**
 * CatalogSource (OLM v0) and ClusterCatalog (OLM v1) objects for the operator catalogs an import
 * pushed, as oc-mirror v2 writes them (internal/pkg/clusterresources): one of each per catalog, in
 * `cs-<name>.yaml` and `cc-<name>.yaml`, named `cs-`/`cc-` + the last path component of the
 * mirrored catalog + `-` + its tag (or the first 12 hex digits of its digest), as a DNS label.
 * A `targetCatalogSourceTemplate` supplies the rest of the CatalogSource (update strategy, display
 * name, pod config ...); name, namespace, sourceType and image are always Airlock's.
 */

export const CATALOG_SOURCE_NAMESPACE = 'openshift-marketplace';
export const CATALOG_SOURCE_PREFIX = 'cs-';
export const CLUSTER_CATALOG_PREFIX = 'cc-';
const SUFFIX_LENGTH = 12;
const MAX_NAME = 63;

/** What a CatalogSource template may set in `spec` (the CRD's fields, less those Airlock owns or refuses). */
const TEMPLATE_SPEC_FIELDS = ['description', 'displayName', 'grpcPodConfig', 'icon', 'priority', 'publisher', 'secrets', 'updateStrategy'] as const;
/** Overwritten by Airlock, so a template may carry them (oc-mirror's example template does). */
const OWNED_SPEC_FIELDS = ['image', 'sourceType', 'address'] as const;

/** The parts of a targetCatalogSourceTemplate that end up in the CatalogSource. */
export interface CatalogSourceTemplate {
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly spec: Readonly<Record<string, unknown>>;
}

/** A catalog as it is in the target registry after an import. */
export interface MirroredCatalog {
  /** host[:port]/path:tag or host[:port]/path@sha256:..., what the cluster pulls. */
  readonly image: string;
  readonly template?: CatalogSourceTemplate;
}

function templateError(file: string, why: string, hint?: string): AirlockError {
  return new AirlockError('CATALOG_SOURCE_TEMPLATE_INVALID', `targetCatalogSourceTemplate ${file} ${why}`, {
    context: { file },
    hint: hint ?? 'the template is a CatalogSource (operators.coreos.com/v1alpha1, sourceType grpc) whose name and image Airlock replaces',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, file: string, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw templateError(file, `has ${field} that is not a mapping`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw templateError(file, `has ${field}.${k} that is not a string`);
    if (!isQualifiedName(k)) throw templateError(file, `has ${field} key ${JSON.stringify(k)} that is not a qualified name`);
    out[k] = v;
  }
  return out;
}

/**
 * Reads a targetCatalogSourceTemplate (the file's text). Refuses what oc-mirror refuses (another
 * apiVersion or kind, a sourceType other than grpc, a configMap) and, unlike oc-mirror, fields the
 * CatalogSource CRD does not have: the API server would drop them without a word.
 */
export function parseCatalogSourceTemplate(text: string, file: string): CatalogSourceTemplate {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw templateError(file, `is not YAML: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw templateError(file, 'is not a YAML mapping');
  if (doc.apiVersion !== OPERATORS_COREOS_V1ALPHA1) throw templateError(file, `has apiVersion ${JSON.stringify(doc.apiVersion)}, not ${OPERATORS_COREOS_V1ALPHA1}`);
  if (doc.kind !== 'CatalogSource') throw templateError(file, `has kind ${JSON.stringify(doc.kind)}, not CatalogSource`);
  const spec = doc.spec === undefined ? {} : doc.spec;
  if (!isObject(spec)) throw templateError(file, 'has a spec that is not a mapping');
  if (spec.sourceType !== undefined && spec.sourceType !== 'grpc') throw templateError(file, `has sourceType ${JSON.stringify(spec.sourceType)}; a mirrored catalog is served over grpc`);
  if (spec.configMap !== undefined) throw templateError(file, 'sets spec.configMap; a mirrored catalog is an image', 'remove spec.configMap from the template');
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if ((OWNED_SPEC_FIELDS as readonly string[]).includes(key)) continue;
    if (!(TEMPLATE_SPEC_FIELDS as readonly string[]).includes(key)) {
      throw templateError(file, `sets spec.${key}, which a CatalogSource does not have`, `a template may set ${TEMPLATE_SPEC_FIELDS.join(', ')}`);
    }
    kept[key] = value;
  }
  const metadata = doc.metadata === undefined ? {} : doc.metadata;
  if (!isObject(metadata)) throw templateError(file, 'has metadata that is not a mapping');
  const labels = stringMap(metadata.labels, file, 'metadata.labels');
  const annotations = stringMap(metadata.annotations, file, 'metadata.annotations');
  return { file, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}), spec: kept };
}

/** oc-mirror's toRFC1035: lower case; anything but a-z, 0-9 and "-" becomes "-". */
function rfc1035(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** The ClusterCatalog CRD's rule for the domain part of image.ref (CEL), which IPv6 literals fail. */
const REF_DOMAIN = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;

function inputError(image: string, why: string, hint = 'this is a bug in Airlock'): AirlockError {
  return new AirlockError('CLUSTER_RESOURCE_INPUT_INVALID', `cannot write a CatalogSource/ClusterCatalog for ${image}: ${why}`, { context: { image }, hint });
}

/** Problems with a catalog image reference as the two CRDs (and the cluster pulling it) see it. */
export function catalogImageIssues(image: unknown, field: string): string[] {
  if (typeof image !== 'string' || image === '') return [`${field} is empty`];
  if (image.length > 1000) return [`${field} is longer than 1000 characters`];
  let ref: ImageReference;
  try {
    ref = parseReference(image, { requireRegistry: true });
  } catch (err) {
    return [`${field} ${JSON.stringify(image)} is not an image reference${isAirlockError(err) ? `: ${err.message}` : ''}`];
  }
  const issues: string[] = [];
  if (image.startsWith('docker://')) issues.push(`${field} carries a transport prefix`);
  if (ref.tag === undefined && ref.digest === undefined) issues.push(`${field} ${JSON.stringify(image)} has neither a tag nor a digest`);
  if (!REF_DOMAIN.test(ref.registry)) issues.push(`${field} registry ${JSON.stringify(ref.registry)} is not a host name or IPv4 address`);
  return issues;
}

function parseImage(image: string): ImageReference {
  const issues = catalogImageIssues(image, 'the catalog image');
  if (issues.length > 0) throw inputError(image, issues.join('; '), 'mirror the catalog under a tag, to a registry named by host name or IPv4 address');
  return parseReference(image, { requireRegistry: true });
}

/**
 * `<prefix><last path component>-<tag or digest suffix>`, as oc-mirror names them, made a DNS-1123
 * label: "." and other characters become "-", the repository part is shortened to fit 63
 * characters, no trailing "-".
 */
export function catalogObjectName(image: string, prefix: string): string {
  const ref = parseImage(image);
  const suffixSource = ref.tag === undefined && ref.digest !== undefined ? (ref.digest.split(':')[1] ?? '') : (ref.tag ?? '');
  let suffix = rfc1035(suffixSource.slice(0, SUFFIX_LENGTH)).replace(/^-+|-+$/g, '');
  if (suffix === '') suffix = '0';
  const repository = rfc1035(ref.repository.split('/').pop() ?? '').replace(/^-+|-+$/g, '') || 'catalog';
  const room = MAX_NAME - prefix.length - 1 - suffix.length;
  const name = `${prefix}${repository.slice(0, Math.max(1, room)).replace(/-+$/, '')}-${suffix}`.replace(/-{2,}/g, '-');
  if (!isDns1123Label(name)) throw inputError(image, `the name ${JSON.stringify(name)} is not a DNS-1123 label`);
  return name;
}

/** Names for every catalog; two catalogs that would share one get -2, -3 ... in input order. */
function uniqueNames(catalogs: readonly MirroredCatalog[], prefix: string): string[] {
  const used = new Map<string, number>();
  return catalogs.map((c) => {
    const base = catalogObjectName(c.image, prefix);
    const n = (used.get(base) ?? 0) + 1;
    used.set(base, n);
    if (n === 1) return base;
    const tail = `-${n}`;
    return `${base.slice(0, MAX_NAME - tail.length).replace(/-+$/, '')}${tail}`;
  });
}

export function catalogSourceFor(catalog: MirroredCatalog, meta: ResourceMeta, name = catalogObjectName(catalog.image, CATALOG_SOURCE_PREFIX)): CatalogSourceResource {
  checkResourceMeta(meta);
  parseImage(catalog.image);
  const template = catalog.template;
  const annotations = { ...(template?.annotations ?? {}), ...airlockAnnotations(meta) };
  return {
    apiVersion: OPERATORS_COREOS_V1ALPHA1,
    kind: 'CatalogSource',
    metadata: {
      name,
      namespace: CATALOG_SOURCE_NAMESPACE,
      ...(template?.labels && Object.keys(template.labels).length > 0 ? { labels: template.labels } : {}),
      annotations,
    },
    spec: { ...(template?.spec ?? {}), sourceType: 'grpc', image: catalog.image },
  };
}

export function clusterCatalogFor(catalog: MirroredCatalog, meta: ResourceMeta, name = catalogObjectName(catalog.image, CLUSTER_CATALOG_PREFIX)): ClusterCatalogResource {
  checkResourceMeta(meta);
  parseImage(catalog.image);
  return {
    apiVersion: OLM_OPERATORFRAMEWORK_V1,
    kind: 'ClusterCatalog',
    metadata: { name, annotations: airlockAnnotations(meta) },
    spec: { source: { type: 'Image', image: { ref: catalog.image } } },
  };
}

/** A CatalogSource and a ClusterCatalog per catalog, sorted by image; duplicates of an image once. */
export function catalogResourcesFor(catalogs: readonly MirroredCatalog[], meta: ResourceMeta): Array<CatalogSourceResource | ClusterCatalogResource> {
  const unique = [...new Map(catalogs.map((c) => [c.image, c])).values()].sort((a, b) => compareText(a.image, b.image));
  const csNames = uniqueNames(unique, CATALOG_SOURCE_PREFIX);
  const ccNames = uniqueNames(unique, CLUSTER_CATALOG_PREFIX);
  return unique.flatMap((c, i) => [catalogSourceFor(c, meta, csNames[i]), clusterCatalogFor(c, meta, ccNames[i])]);
}

/** Kind-specific checks for RESOURCE_KINDS. */
export function catalogSourceIssues(r: CatalogSourceResource): string[] {
  const issues: string[] = [];
  if (!isDns1123Label(r.metadata.name)) issues.push(`metadata.name ${JSON.stringify(r.metadata.name)} is not a DNS-1123 label (it names the catalog's Service)`);
  if (r.spec.sourceType !== 'grpc') issues.push(`spec.sourceType is ${JSON.stringify(r.spec.sourceType)}, not grpc`);
  if ('configMap' in r.spec) issues.push('spec.configMap is set on an image catalog');
  issues.push(...catalogImageIssues(r.spec.image, 'spec.image'));
  return issues;
}

export function clusterCatalogIssues(r: ClusterCatalogResource): string[] {
  const issues: string[] = [];
  if (!isDns1123Label(r.metadata.name)) issues.push(`metadata.name ${JSON.stringify(r.metadata.name)} is not a DNS-1123 label`);
  if (r.spec.source?.type !== 'Image') issues.push(`spec.source.type is ${JSON.stringify(r.spec.source?.type)}, not Image`);
  issues.push(...catalogImageIssues(r.spec.source?.image?.ref, 'spec.source.image.ref'));
  return issues;
}

/** File names: one object per file, `cs-<name>.yaml` / `cc-<name>.yaml` (the name carries the prefix). */
export function catalogResourceFileName(r: CatalogSourceResource | ClusterCatalogResource): string {
  return `${r.metadata.name}.yaml`;
}
