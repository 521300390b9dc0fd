/**
 * How a job's images are shown while their bytes move: the few in flight get a bar each, the rest
 * are counted (finished, waiting, failed) so forty or four hundred images still fit the step at
 * 1024x768. Pure; the order of the snapshot (the configuration's) is kept within each group.
 */
import type { ImageProgress } from '../api';
import { assertNever } from './assert-never';

export interface ImageTransfers {
  /** Bytes moving (or waiting on a layer another image brings), in the snapshot's order. */
  readonly active: readonly ImageProgress[];
  readonly finished: readonly ImageProgress[];
  readonly failed: readonly ImageProgress[];
  /** Not started yet. */
  readonly waiting: readonly ImageProgress[];
  /** Left out by blockedImages: never moves. */
  readonly blocked: readonly ImageProgress[];
}

/** At most this many bars are drawn; more images in flight are counted under them. */
export const MAX_IMAGE_BARS = 8;

export function groupImageTransfers(images: readonly ImageProgress[]): ImageTransfers {
  const active: ImageProgress[] = [];
  const finished: ImageProgress[] = [];
  const failed: ImageProgress[] = [];
  const waiting: ImageProgress[] = [];
  const blocked: ImageProgress[] = [];
  for (const image of images) {
    switch (image.status) {
      case 'pulled':
      case 'pushed':
        finished.push(image);
        break;
      case 'failed':
        failed.push(image);
        break;
      case 'blocked':
        blocked.push(image);
        break;
      case 'pending':
      case 'resolved':
        (image.bytes ? active : waiting).push(image);
        break;
      default:
        assertNever(image.status);
    }
  }
  return { active, finished, failed, waiting, blocked };
}

/** 0..100 for an image's bar; an image whose layers all come with other images is complete at once. */
export function imagePercent(bytes: NonNullable<ImageProgress['bytes']>): number {
  if (bytes.total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((bytes.done / bytes.total) * 100)));
}
