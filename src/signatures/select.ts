import { parseReference, withSelector, type ImageReference } from '../reference';
import type { SignaturePolicy } from './policy';
import { attachmentOf, splitName } from './tags';

/** An image of a set about to be pushed: its name and every manifest digest it has. */
export interface SubjectImage {
  readonly name: string;
  readonly digests: readonly string[];
}

/** A signature entry of a set (origin `signature`). */
export interface SetSignature {
  readonly source: string;
  readonly name: string;
}

/**
 * The reference registries.d is asked about for a carried attachment: its image's repository at
 * the image's digest (the tag names that digest), the source the configuration gave.
 */
export function subjectReference(signature: SetSignature): ImageReference | undefined {
  const attachment = attachmentOf(signature.name);
  if (!attachment) return undefined;
  try {
    return withSelector(parseReference(signature.source), { digest: attachment.digest });
  } catch {
    return undefined;
  }
}

/**
 * Which attachments of a set go to the registry on import: those whose image is being pushed
 * (same repository, one of its digests) and that the policy keeps. Nothing without a policy.
 */
export function signaturesToPush<T extends SetSignature>(signatures: readonly T[], subjects: readonly SubjectImage[], policy: SignaturePolicy | undefined): T[] {
  if (!policy) return [];
  const pushed = new Set<string>();
  for (const s of subjects) {
    const repository = splitName(s.name)?.repository;
    if (repository !== undefined) for (const d of s.digests) pushed.add(`${repository}@${d}`);
  }
  return signatures.filter((sig) => {
    const attachment = attachmentOf(sig.name);
    if (!attachment || !pushed.has(`${attachment.repository}@${attachment.digest}`)) return false;
    const ref = subjectReference(sig);
    return ref !== undefined && policy(ref);
  });
}
