import { parseReference } from '../reference';
import { airlockAnnotations, checkResourceMeta } from './meta';
import { compareText } from './order';
import { CORE_V1, UPDATE_SERVICE_V1, type ConfigMap, type ResourceMeta, type UpdateService } from './types';

/**
 * The two cluster resources a release brings, as oc-mirror v2 writes them
 * (internal/pkg/clusterresources): the release signature ConfigMap the cluster-version operator
 * verifies mirrored payloads with, and the UpdateService that serves the graph-data image to an
 * OpenShift Update Service in the enclave.
 */

export const SIGNATURE_CONFIGMAP_NAME = 'mirrored-release-signatures';
export const SIGNATURE_NAMESPACE = 'openshift-config-managed';
export const SIGNATURE_LABEL = 'release.openshift.io/verification-signatures';
export const SIGNATURE_CONFIGMAP_YAML_FILE = 'signature-configmap.yaml';
export const SIGNATURE_CONFIGMAP_JSON_FILE = 'signature-configmap.json';

/** oc-mirror's name, so applying Airlock's UpdateService replaces one oc-mirror made. */
export const UPDATE_SERVICE_NAME = 'update-service-oc-mirror';
/**
 * The namespace the OpenShift Update Service operator is installed into and watches (the
 * documented default); oc-mirror leaves it to `oc apply -n`, but an UpdateService anywhere else
 * is never reconciled.
 */
export const UPDATE_SERVICE_NAMESPACE = 'openshift-update-service';
export const UPDATE_SERVICE_FILE = 'updateService.yaml';
export const UPDATE_SERVICE_REPLICAS = 2;

/** What the API server accepts in one ConfigMap (data and binaryData together). */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

const SIGNATURE_KEY = /^sha256-[a-f0-9]{64}-[1-9][0-9]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The verified signatures of one release payload (a ReleaseSignatureRecord of src/releases is one). */
export interface ReleaseSignatureInput {
  readonly digest: string;
  readonly signatures: ReadonlyArray<{ readonly index: number; readonly data: string }>;
}

export interface UpdateServiceInput {
  /** Full reference of the graph-data image in the target, by tag or digest. */
  readonly graphDataImage: string;
  /** The repository the payloads were pushed to: <target>/openshift/release-images. */
  readonly releases: string;
}

/** The signature ConfigMap for `releases`, or undefined when there is no signature to carry. */
export function signatureConfigMap(releases: readonly ReleaseSignatureInput[], meta: ResourceMeta): ConfigMap | undefined {
  checkResourceMeta(meta);
  const entries: Array<[string, string]> = [];
  for (const release of releases) {
    for (const s of release.signatures) entries.push([`${release.digest.replace(/^sha256:/, 'sha256-')}-${s.index}`, s.data]);
  }
  if (entries.length === 0) return undefined;
  entries.sort(([a], [b]) => compareText(a, b));
  return {
    apiVersion: CORE_V1,
    kind: 'ConfigMap',
    metadata: { name: SIGNATURE_CONFIGMAP_NAME, namespace: SIGNATURE_NAMESPACE, labels: { [SIGNATURE_LABEL]: '' }, annotations: airlockAnnotations(meta) },
    binaryData: Object.fromEntries(entries),
  };
}

export function updateService(input: UpdateServiceInput, meta: ResourceMeta): UpdateService {
  checkResourceMeta(meta);
  return {
    apiVersion: UPDATE_SERVICE_V1,
    kind: 'UpdateService',
    metadata: { name: UPDATE_SERVICE_NAME, namespace: UPDATE_SERVICE_NAMESPACE, annotations: airlockAnnotations(meta) },
    spec: { graphDataImage: input.graphDataImage, releases: input.releases, replicas: UPDATE_SERVICE_REPLICAS },
  };
}

export function signatureConfigMapIssues(cm: ConfigMap): string[] {
  const issues: string[] = [];
  if (cm.metadata.name !== SIGNATURE_CONFIGMAP_NAME) issues.push(`metadata.name is not ${SIGNATURE_CONFIGMAP_NAME}`);
  if (cm.metadata.namespace !== SIGNATURE_NAMESPACE) issues.push(`metadata.namespace is not ${SIGNATURE_NAMESPACE}, where the cluster-version operator looks`);
  if (cm.metadata.labels?.[SIGNATURE_LABEL] === undefined) issues.push(`label ${SIGNATURE_LABEL} is missing`);
  const keys = Object.keys(cm.binaryData ?? {});
  if (keys.length === 0) issues.push('binaryData is empty');
  let bytes = 0;
  for (const key of keys) {
    const value = cm.binaryData[key];
    if (!SIGNATURE_KEY.test(key)) issues.push(`binaryData key ${JSON.stringify(key)} is not sha256-<hex>-<n>`);
    if (typeof value !== 'string' || value === '' || !BASE64.test(value)) issues.push(`binaryData ${key} is not base64`);
    bytes += key.length + (typeof value === 'string' ? Math.floor((value.length * 3) / 4) : 0);
  }
  if (bytes > MAX_CONFIGMAP_BYTES) issues.push(`binaryData holds ${bytes} bytes, more than the ${MAX_CONFIGMAP_BYTES} a ConfigMap may`);
  return issues;
}

export function updateServiceIssues(us: UpdateService): string[] {
  const issues: string[] = [];
  const { spec } = us;
  if (!Number.isSafeInteger(spec.replicas) || spec.replicas < 1 || spec.replicas > 2 ** 31 - 1) issues.push(`spec.replicas ${String(spec.replicas)} is not a positive int32`);
  try {
    parseReference(spec.graphDataImage, { requireRegistry: true });
  } catch {
    issues.push(`spec.graphDataImage ${JSON.stringify(spec.graphDataImage)} is not an image reference`);
  }
  try {
    const releases = parseReference(spec.releases, { requireRegistry: true });
    if (releases.tag !== undefined || releases.digest !== undefined) issues.push(`spec.releases ${spec.releases} must be a repository, without tag or digest`);
  } catch {
    issues.push(`spec.releases ${JSON.stringify(spec.releases)} is not a repository`);
  }
  return issues;
}
