import type { MirroredImage, MirrorCategory, ResourceMeta } from '../../../src/resources';

export const META: ResourceMeta = { createdAt: '2025-03-01T12:00:00Z', version: '0.1.0' };
export const TARGET = 'registry.enclave:5000/mirror';

export const digest = (c: string): string => `sha256:${c.repeat(64)}`;

/** An image mirrored by the destination rule: <TARGET>/<source path>:<tag or sha256-hex>. */
export function mirrored(source: string, category: MirrorCategory, byDigest = source.includes('@')): MirroredImage {
  const at = source.indexOf('@');
  const name = at >= 0 ? source.slice(0, at) : source;
  const withoutHost = name.slice(name.indexOf('/') + 1);
  const destination = at >= 0 ? `${TARGET}/${withoutHost}:sha256-${source.slice(at + 'sha256:'.length + 1)}` : `${TARGET}/${withoutHost}`;
  return { source, destination, category, byDigest };
}

/** A realistic set: a release with its payload, operator images, additional images, by tag and digest. */
export function sampleImages(): MirroredImage[] {
  return [
    {
      source: 'quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64',
      destination: `${TARGET}/openshift/release-images:4.19.0-x86_64`,
      category: 'release',
      byDigest: false,
    },
    ...['a', 'b', 'c'].map((c, i) => ({
      source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${digest(c)}`,
      destination: `${TARGET}/openshift/release:4.19.0-x86_64-component-${i}`,
      category: 'release' as const,
      byDigest: true,
    })),
    mirrored(`registry.redhat.io/rhel9/postgresql-15@${digest('d')}`, 'operator'),
    mirrored(`registry.redhat.io/rhel9/redis-7@${digest('e')}`, 'operator'),
    mirrored(`registry.redhat.io/openshift4/ose-kube-rbac-proxy@${digest('f')}`, 'operator'),
    mirrored(`registry.redhat.io/odf4/odf-operator-bundle@${digest('1')}`, 'operator'),
    mirrored(`registry.redhat.io/odf4/odf-operator-bundle@${digest('2')}`, 'operator'),
    mirrored('registry.redhat.io/ubi9/ubi:latest', 'generic'),
    mirrored('registry.redhat.io/ubi9/ubi:9.5', 'generic'),
    mirrored('quay.io/org/app:1.0', 'generic'),
    mirrored(`quay.io/org/tools/cli@${digest('3')}`, 'generic'),
    mirrored('docker.io/library/nginx:1.27', 'generic'),
    mirrored('ghcr.io/acme/widget:2.1', 'generic'),
    { source: 'ghcr.io/acme/other:3', destination: 'registry.enclave:5000/flat/other:3', category: 'generic', byDigest: false },
  ];
}

/** Deterministic Fisher-Yates with a small LCG, so a failing order can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
