/**
 * Whether a drive or folder can take the planned transfer set: free space against an estimate of
 * the set's size, read-only mounts, and FAT32's 4 GiB file limit (parts are then cut smaller).
 * Pure and table-tested, like Etcher's drive constraints.
 */
import type { Drive, ExportPlan } from '../api';

const MiB = 1024 * 1024;


/** FAT32 stores files up to 4 GiB - 1 byte; parts are cut at this size there. */
export const FAT32_PART_BYTES = 4000 * MiB;
const FAT_TYPES = new Set(['vfat', 'fat', 'fat32', 'msdos', 'fat16']);

export function isFat(fsType: string): boolean {
  return FAT_TYPES.has(fsType.toLowerCase());
}

/**
 * Bytes the set needs on the media: the blobs it carries, a tar header and padding per blob (at most
 * 1 KiB), the end marker of each part, and transfer.json, its signature and SHA256SUMS.
 */
export function estimateSetBytes(plan: Pick<ExportPlan, 'shippedBytes' | 'blobs' | 'estimatedParts'>): number {
  return plan.shippedBytes + plan.blobs * 1024 + plan.estimatedParts * 2048 + plan.blobs * 512 + MiB;
}

export type TargetIssue =
  | { readonly kind: 'read-only' }
  | { readonly kind: 'too-small'; readonly needBytes: number; readonly freeBytes: number }
  | { readonly kind: 'fat32-parts'; readonly partBytes: number };

export interface TargetFacts {
  readonly freeBytes: number;
  readonly readOnly: boolean;
  readonly fsType: string;
}

export interface TargetCheck {
  readonly issues: readonly TargetIssue[];
  /** False when an issue forbids writing the set here. */
  readonly usable: boolean;
  readonly needBytes: number;
  /** Set when the parts must be smaller than the configuration's archiveSize. */
  readonly archiveSizeBytes?: number;
}

export function checkTarget(target: TargetFacts, plan: Pick<ExportPlan, 'shippedBytes' | 'blobs' | 'estimatedParts' | 'archiveSizeBytes'>): TargetCheck {
  const issues: TargetIssue[] = [];
  const needBytes = estimateSetBytes(plan);
  if (target.readOnly) issues.push({ kind: 'read-only' });
  if (target.freeBytes < needBytes) issues.push({ kind: 'too-small', needBytes, freeBytes: target.freeBytes });
  let archiveSizeBytes: number | undefined;
  if (isFat(target.fsType) && plan.archiveSizeBytes > FAT32_PART_BYTES) {
    archiveSizeBytes = FAT32_PART_BYTES;
    issues.push({ kind: 'fat32-parts', partBytes: FAT32_PART_BYTES });
  }
  const usable = !issues.some((i) => i.kind === 'read-only' || i.kind === 'too-small');
  return { issues, usable, needBytes, ...(archiveSizeBytes === undefined ? {} : { archiveSizeBytes }) };
}

export function driveFacts(drive: Drive): TargetFacts {
  return { freeBytes: drive.freeBytes, readOnly: drive.readOnly, fsType: drive.fsType };
}
