/**
 * OpenShift releases: update graph, channel selection, release payloads, release signatures and
 * the graph-data image. `collectReleases` is the entry point for an export; the cluster resources
 * a release brings on import (signature ConfigMap, UpdateService) live in src/resources.
 */
export * from './arch';
export * from './graph';
export * from './select';
export * from './payload';
export * from './signatures';
export * from './graph-image';
export * from './blocked';
export * from './collect';
export * from './redhat-release-key';
export { describeUrl, HttpSource, type HttpOptions } from './http';
