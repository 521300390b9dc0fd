import type { BlockPatternInput } from '../config/blocked';
import type { Architecture, PlatformSpec } from '../config/types';
import { AirlockError } from '../errors';
import type { PullSources } from '../plan/resolve';
import { formatReference } from '../reference';
import { mapLimit } from '../util/limit';
import { blockReleaseImages, type BlockedReleaseImage } from './blocked';
import type { UpdateGraph, UpdateGraphClient } from './graph';
import { collectReleasePayload, type CollectedPayload, type ReleaseWantedImage } from './payload';
import { selectReleases, type ReleaseSelection, type SelectedRelease } from './select';
import { toSignatureRecord, verifyReleaseSignatures, type ReleaseSignatureRecord, type SignatureStoreClient, type TrustedReleaseKeys, type VerifiedRelease } from './signatures';

/**
 * The release part of an export, start to end: fetch each channel's update graph per
 * architecture, select the releases (select.ts), verify each payload's signature, then read its
 * image-references. Everything here is critical, as in oc-mirror: the first failure throws (naming
 * channel, release or component) and the export must stop before writing anything.
 */

export type ReleaseCollectEvent =
  | { readonly type: 'graph'; readonly channel: string; readonly arch: Architecture; readonly releases: number }
  | { readonly type: 'selected'; readonly selection: ReleaseSelection }
  | { readonly type: 'release'; readonly version: string; readonly arch: Architecture; readonly images: number; readonly signatures: number };

export interface CollectReleasesOptions {
  readonly platform: PlatformSpec;
  /** Pull sources for payloads (registries.conf mirrors first), as the export resolves images. */
  readonly sources: PullSources;
  readonly graphs: UpdateGraphClient;
  readonly signatures: SignatureStoreClient;
  /** The trusted release key(s) (loadReleaseKeys). */
  readonly keys: TrustedReleaseKeys;
  /** mirror.blockedImages: release images it matches are left out (blocked.ts). */
  readonly blocked?: readonly BlockPatternInput[];
  /** Payloads read at once (each reads one or two layers); default 4. */
  readonly parallel?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ReleaseCollectEvent) => void;
  /** The time signatures are checked at (tests). */
  readonly now?: Date;
}

export interface CollectedRelease {
  readonly release: SelectedRelease;
  readonly signatures: VerifiedRelease;
  readonly payload: CollectedPayload;
}

export interface ReleaseCollection {
  /** One per architecture, in the configuration's order. */
  readonly selections: readonly ReleaseSelection[];
  readonly releases: readonly CollectedRelease[];
  /** Every payload, component and KubeVirt image, each (source, destination) once, minus the blocked. */
  readonly images: readonly ReleaseWantedImage[];
  /** Release images mirror.blockedImages left out; `warnings` names the releases they belong to. */
  readonly blocked: readonly BlockedReleaseImage[];
  /** What travels in the set for the signature ConfigMap on import. */
  readonly signatureRecords: readonly ReleaseSignatureRecord[];
  readonly warnings: readonly string[];
}

export async function collectReleases(options: CollectReleasesOptions): Promise<ReleaseCollection> {
  const { platform, signal } = options;
  const emit = options.onEvent ?? (() => undefined);
  if (platform.channels.length === 0) {
    throw new AirlockError('RELEASE_NO_CHANNEL', 'mirror.platform lists no release channel', { hint: 'add channels, e.g. - name: stable-4.19' });
  }
  const selections: ReleaseSelection[] = [];
  for (const arch of platform.architectures) {
    const graphs = new Map<string, UpdateGraph>();
    for (const channel of platform.channels) {
      const graph = await options.graphs.fetchGraph(channel.name, arch, { type: channel.type, ...(signal ? { signal } : {}) });
      graphs.set(`${channel.type}/${channel.name}`, graph);
      emit({ type: 'graph', channel: channel.name, arch, releases: graph.nodes.length });
    }
    const selection = selectReleases(platform.channels, (c) => graphs.get(`${c.type}/${c.name}`) as UpdateGraph, arch);
    selections.push(selection);
    emit({ type: 'selected', selection });
  }

  const chosen = selections.flatMap((s) => s.releases);
  const releases = await mapLimit(chosen, options.parallel ?? 4, async (release): Promise<CollectedRelease> => {
    // The signature first: an unsigned payload's list of components is not worth reading.
    const signatures = await verifyReleaseSignatures({ version: release.version, arch: release.arch, digest: release.digest, type: release.type }, options.signatures, options.keys, {
      ...(signal ? { signal } : {}),
      ...(options.now ? { date: options.now } : {}),
    });
    const payload = await collectReleasePayload(release, options.sources, { kubeVirtContainer: platform.kubeVirtContainer, ...(signal ? { signal } : {}) });
    emit({ type: 'release', version: release.version, arch: release.arch, images: payload.images.length, signatures: signatures.signatures.length });
    return { release, signatures, payload };
  });

  const seen = new Set<string>();
  const images: ReleaseWantedImage[] = [];
  for (const r of releases) {
    for (const image of r.payload.images) {
      const key = `${formatReference(image.source)}\0${image.destination}`;
      if (seen.has(key)) continue;
      seen.add(key);
      images.push(image);
    }
  }
  const blocking = blockReleaseImages(images, options.blocked ?? []);
  const warnings = [...selections.flatMap((s) => s.warnings), ...releases.flatMap((r) => [...r.signatures.warnings, ...r.payload.warnings]), ...blocking.warnings];
  // A payload that does not travel has no use for its signatures on the other side.
  const signatureRecords = releases.filter((r) => !blocking.blockedPayloads.has(r.release.digest)).map((r) => toSignatureRecord(r.signatures));
  return { selections, releases, images: blocking.kept, blocked: blocking.blocked, signatureRecords, warnings };
}
