import { compareText } from '../resources/order';
import { channelHead, parseVersion } from './graph';
import type { FbcCatalog } from './types';

/**
 * What the export form's catalog and package pickers show: packages, their default channel, and
 * per channel its head and its version span. Plain data, small enough to cross IPC even for the
 * redhat-operator-index (a few hundred packages).
 */
export interface ChannelSummary {
  readonly name: string;
  /** The channel head; undefined when the catalog's channel has several (invalid catalog). */
  readonly head?: string;
  readonly headVersion?: string;
  readonly bundles: number;
  /** Lowest and highest semver version of the channel's bundles. */
  readonly minVersion?: string;
  readonly maxVersion?: string;
}

export interface PackageSummary {
  readonly name: string;
  readonly defaultChannel?: string;
  readonly bundles: number;
  /** Sorted by name. */
  readonly channels: readonly ChannelSummary[];
}

export function summarizeCatalog(model: FbcCatalog): PackageSummary[] {
  return [...model.packages.values()].map((pkg) => {
    const versionOf = (name: string) => parseVersion(pkg.bundles.get(name)?.version);
    const channels = [...pkg.channels.values()]
      .map((c): ChannelSummary => {
        const head = channelHead(c.entries, versionOf);
        const versions = c.entries
          .map((e) => versionOf(e.name))
          .filter((v) => v !== undefined)
          .sort((a, b) => a.compare(b));
        const headName = 'head' in head ? head.head : undefined;
        const headVersion = headName === undefined ? undefined : pkg.bundles.get(headName)?.version;
        return {
          name: c.name,
          ...(headName === undefined ? {} : { head: headName }),
          ...(headVersion === undefined ? {} : { headVersion }),
          bundles: c.entries.length,
          ...(versions.length > 0 ? { minVersion: versions[0]?.version, maxVersion: versions[versions.length - 1]?.version } : {}),
        };
      })
      .sort((a, b) => compareText(a.name, b.name));
    return { name: pkg.name, ...(pkg.defaultChannel === undefined ? {} : { defaultChannel: pkg.defaultChannel }), bundles: pkg.bundles.size, channels };
  });
}
