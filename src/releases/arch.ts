import type { Architecture } from '../config/types';

/**
 * The names one architecture goes by in the places a release touches. The ImageSetConfiguration
 * and the update graph's `arch` query use Go's names (amd64, arm64, ...); release payload tags and
 * the CoreOS boot image stream use the kernel's (x86_64, aarch64, ...). `multi` is the
 * heterogeneous payload: a manifest list with one release image per architecture.
 */
export interface ArchitectureNames {
  /** The `arch` parameter of the update graph API. */
  readonly graph: string;
  /** The suffix of release tags: `4.19.0-x86_64`, `4.19.0-multi`. */
  readonly tag: string;
  /** The key under `architectures` in the CoreOS stream metadata (coreos-bootimages ConfigMap). */
  readonly coreos: string;
  /** The OCI platform architecture of the image to read a payload's manifests from. */
  readonly oci: string;
}

const NAMES: { readonly [A in Architecture]: ArchitectureNames } = {
  amd64: { graph: 'amd64', tag: 'x86_64', coreos: 'x86_64', oci: 'amd64' },
  arm64: { graph: 'arm64', tag: 'aarch64', coreos: 'aarch64', oci: 'arm64' },
  ppc64le: { graph: 'ppc64le', tag: 'ppc64le', coreos: 'ppc64le', oci: 'ppc64le' },
  s390x: { graph: 's390x', tag: 's390x', coreos: 's390x', oci: 's390x' },
  // A multi payload's components are manifest lists themselves; its own manifests are read from the
  // amd64 instance, and oc-mirror takes the KubeVirt container of x86_64 for it.
  multi: { graph: 'multi', tag: 'multi', coreos: 'x86_64', oci: 'amd64' },
};

export function architectureNames(arch: Architecture): ArchitectureNames {
  return NAMES[arch];
}

/** `<version>-<arch>`: the tag of a release payload, as quay.io and oc-mirror name it. */
export function releaseTag(version: string, arch: Architecture): string {
  return `${version}-${NAMES[arch].tag}`;
}

/** Upstream repositories of OpenShift (ocp) releases; OKD payloads name their own. */
export const OCP_RELEASE_REPOSITORY = 'quay.io/openshift-release-dev/ocp-release';
export const OCP_COMPONENT_REPOSITORY = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';

/** Where a release lands in the target, relative to it (oc-mirror's layout, kept for install configs). */
export const RELEASE_IMAGES_REPOSITORY = 'openshift/release-images';
export const RELEASE_COMPONENTS_REPOSITORY = 'openshift/release';
export const GRAPH_IMAGE_REPOSITORY = 'openshift/graph-image';

