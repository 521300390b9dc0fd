import type { ImageSetConfig } from '../config';
import { isBlocked } from '../config';
import { formatReference, type ImageReference } from '../reference';
import { destinationName } from '../plan/destination';

import type { ImageOrigin } from '../media/transfer-manifest';

export type { ImageOrigin };

/** An image the configuration asks for, before anything is resolved. */
export interface WantedImage {
  readonly source: ImageReference;
  readonly destination: string;
  readonly origin: ImageOrigin;
  /** Where the configuration asked for it, for error messages. */
  readonly at?: { readonly file: string; readonly line: number; readonly column: number };
}

export interface BlockedWanted {
  readonly source: string;
  readonly by: string;
}

/**
 * `mirror.additionalImages`, minus what `mirror.blockedImages` blocks. Blocking is tested against
 * the source reference and against the destination name, as the spec says.
 */
export function collectAdditionalImages(config: ImageSetConfig): { wanted: WantedImage[]; blocked: BlockedWanted[] } {
  const wanted: WantedImage[] = [];
  const blocked: BlockedWanted[] = [];
  for (const image of config.mirror.additionalImages) {
    const source = formatReference(image.reference);
    const destination = destinationName(image.reference);
    const decision = isBlocked(source, config.mirror.blockedImages);
    const byDestination = decision.blocked ? decision : isBlocked(destination, config.mirror.blockedImages);
    if (byDestination.blocked) {
      blocked.push({ source, by: byDestination.by ?? '' });
      continue;
    }
    wanted.push({ source: image.reference, destination, origin: 'additional', at: { file: config.file, line: image.line, column: image.column } });
  }
  return { wanted, blocked };
}
