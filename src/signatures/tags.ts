import { digestHex } from '../digest';

/**
 * cosign's tag scheme: attachments of the image with digest `sha256:<hex>` live in the image's own
 * repository under `sha256-<hex>.sig` (signatures), `.att` (attestations) and `.sbom` (SBOMs), as
 * ordinary manifests. This is what containers/image calls sigstore attachments.
 */
export const ATTACHMENT_KINDS = ['sig', 'att', 'sbom'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

const ATTACHMENT_TAG = /^sha256-([a-f0-9]{64})\.(sig|att|sbom)$/;

export function attachmentTag(digest: string, kind: AttachmentKind): string {
  return `sha256-${digestHex(digest)}.${kind}`;
}

/** The image digest and kind an attachment tag names, or undefined for any other tag. */
export function parseAttachmentTag(tag: string): { readonly digest: string; readonly kind: AttachmentKind } | undefined {
  const m = ATTACHMENT_TAG.exec(tag);
  if (!m?.[1] || !m[2]) return undefined;
  return { digest: `sha256:${m[1]}`, kind: m[2] as AttachmentKind };
}

/** `repo/path:tag` split at the tag (names in a set and destinations never carry a host or digest). */
export function splitName(name: string): { readonly repository: string; readonly tag: string } | undefined {
  const colon = name.lastIndexOf(':');
  if (colon <= 0 || name.indexOf('/', colon) >= 0) return undefined;
  return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
}

/** For a set image name `repo:sha256-<hex>.sig`: the repository and the digest of the image it belongs to. */
export function attachmentOf(name: string): { readonly repository: string; readonly digest: string; readonly kind: AttachmentKind } | undefined {
  const split = splitName(name);
  const tag = split && parseAttachmentTag(split.tag);
  return split && tag ? { repository: split.repository, ...tag } : undefined;
}
