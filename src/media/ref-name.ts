/**
 * The names under which images are listed in a transfer set's index.json
 * (`org.opencontainers.image.ref.name`), chosen so that `skopeo copy oci:<dir>:<name> ...` finds them.
 *
 * containers/image (oci/internal/oci_util.go) splits `oci:<dir>:<name>` at the FIRST colon on Linux
 * and macOS, so the directory may not contain a colon but the name may, and then matches the name
 * against this grammar, which is also the OCI annotation's:
 *   component := alnum+ (separator alnum+)*      separator := one of - . _ : @ +   or "--"
 *   name      := component ("/" component)*
 * `openshift/release:4.19.0-x86_64`, `ubi9/ubi:latest` and `repo@sha256:<hex>` all match. Docker
 * names that do not: a double underscore (`a__b`), three or more dashes, a tag starting or ending
 * with a separator (`:_x`, `:v1-`), and anything with characters outside [A-Za-z0-9-._:@+/].
 */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Names longer than this are refused: registries cap repository (255) plus tag (128) well below it. */
export const MAX_REF_NAME_LENGTH = 512;

const COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
const REF_NAME = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

export function isValidRefName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_REF_NAME_LENGTH && REF_NAME.test(name);
}
