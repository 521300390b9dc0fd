import type { ImageReference } from '../reference';
import { EMPTY_REGISTRIES_D, sigstoreAttachmentsSetting, type RegistriesD } from '../registry/registries-d';

/** How a job is told about cosign signatures; the same on export, import and mirror to mirror. */
export interface SignatureSettings {
  /**
   * oc-mirror's --remove-signatures: true (the default) leaves cosign signatures behind; false
   * carries each image's `sha256-<digest>.sig/.att/.sbom` tags with it and pushes them beside it.
   */
  readonly removeSignatures?: boolean;
  /** containers-registries.d, for `use-sigstore-attachments` per registry, namespace or image. */
  readonly registriesD?: RegistriesD;
}

/** Whether the signatures of the image with this (configuration-given) reference travel. */
export type SignaturePolicy = (ref: ImageReference) => boolean;

/**
 * The flag and registries.d combined as oc-mirror combines them: with --remove-signatures=false
 * it hands containers/image a copy of the registries.d directory to which it adds
 * `default-docker: {use-sigstore-attachments: true}` unless a default-docker section exists. So
 * the most precise scope that sets the key decides; when none does, signatures travel, unless the
 * operator wrote a default-docker section of their own without the key (containers/image's own
 * default, false, applies then). Undefined: signatures are removed, nothing is looked up.
 */
export function signaturePolicy(settings: SignatureSettings): SignaturePolicy | undefined {
  if (settings.removeSignatures ?? true) return undefined;
  const conf = settings.registriesD ?? EMPTY_REGISTRIES_D;
  return (ref) => sigstoreAttachmentsSetting(conf, ref)?.use ?? conf.defaultDocker === undefined;
}
