import { stringify } from 'yaml';
import { AirlockError } from '../errors';
import { clusterResourceIssues, resourceKindSpec } from './kinds';
import { compareText } from './order';
import type { ClusterResource } from './types';

/**
 * Serialisation of cluster resources into the files `oc apply -f` reads. Pure and deterministic:
 * mapping keys sorted (as `oc get -o yaml` and oc-mirror print them), documents of a file sorted by
 * name, files sorted by name, so the same resources always give the same bytes.
 */
export interface ClusterResourceFile {
  /** A bare file name inside cluster-resources/. */
  readonly name: string;
  readonly content: string;
  readonly resources: readonly ClusterResource[];
}

const MAX_REPORTED_ISSUES = 12;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.yaml$/;
const JSON_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.json$/;

/**
 * One YAML document, without the `---` marker. Written as YAML 1.1 so that strings a 1.1 parser
 * would read as something else (`yes`, `on`, timestamps, `10:20`) are quoted: kubectl and oc read
 * YAML with a 1.1 parser (sigs.k8s.io/yaml), everything else here with 1.2.
 */
export function toYamlDocument(resource: ClusterResource): string {
  return stringify(resource, { version: '1.1', sortMapEntries: true, lineWidth: 0 });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(obj).sort(compareText).map((key) => [key, sortKeys(obj[key])]));
}

/** One object as pretty JSON with sorted keys and a final newline (`oc apply -f` reads it too). */
export function toJsonDocument(resource: ClusterResource): string {
  return `${JSON.stringify(sortKeys(resource), null, 2)}\n`;
}

/** Throws CLUSTER_RESOURCE_INVALID naming the problems (up to a dozen). */
export function checkClusterResources(resources: readonly ClusterResource[]): void {
  const issues = resources.flatMap((resource) => clusterResourceIssues(resource));
  const seen = new Set<string>();
  for (const resource of resources) {
    const key = `${resource.kind}/${resource.metadata.namespace ?? ''}/${resource.metadata.name}`;
    if (seen.has(key)) issues.push(`${resource.kind}/${resource.metadata.name}: generated more than once`);
    seen.add(key);
  }
  if (issues.length === 0) return;
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  throw new AirlockError('CLUSTER_RESOURCE_INVALID', `the generated cluster resources are not valid: ${shown.join('; ')}${more}`, {
    context: { problems: issues.length },
    hint: 'this is a bug in Airlock, or an image reference the mirror set CRDs cannot express (e.g. an IPv6 registry address)',
  });
}

/** The files for `resources`, sorted by name; nothing for an empty list. Validates first. */
export function renderClusterResourceFiles(resources: readonly ClusterResource[]): ClusterResourceFile[] {
  checkClusterResources(resources);
  const byFile = new Map<string, ClusterResource[]>();
  for (const resource of resources) {
    // checkClusterResources has refused unknown kinds.
    const name = resourceKindSpec(resource)?.fileName(resource) ?? '';
    if (!FILE_NAME.test(name)) {
      throw new AirlockError('CLUSTER_RESOURCE_INVALID', `${resource.kind}/${resource.metadata.name} maps to an unusable file name ${JSON.stringify(name)}`, {
        context: { file: name },
        hint: 'this is a bug in Airlock',
      });
    }
    const list = byFile.get(name) ?? [];
    list.push(resource);
    byFile.set(name, list);
  }
  const yamlFiles = [...byFile.keys()].map((name) => {
    const list = (byFile.get(name) ?? []).slice().sort((a, b) => compareText(a.kind, b.kind) || compareText(a.metadata.name, b.metadata.name));
    return { name, resources: list, content: list.map((resource) => `---\n${toYamlDocument(resource)}`).join('') };
  });
  // Kinds that oc-mirror also writes as JSON get a second file, one object each.
  const jsonFiles: ClusterResourceFile[] = [];
  for (const resource of resources) {
    const name = resourceKindSpec(resource)?.jsonFileName?.(resource);
    if (name === undefined) continue;
    if (!JSON_FILE_NAME.test(name) || byFile.has(name) || jsonFiles.some((f) => f.name === name)) {
      throw new AirlockError('CLUSTER_RESOURCE_INVALID', `${resource.kind}/${resource.metadata.name} maps to a JSON file ${JSON.stringify(name)} that is unusable or already taken`, {
        context: { file: name },
        hint: 'this is a bug in Airlock',
      });
    }
    jsonFiles.push({ name, resources: [resource], content: toJsonDocument(resource) });
  }
  return [...yamlFiles, ...jsonFiles].sort((a, b) => compareText(a.name, b.name));
}
