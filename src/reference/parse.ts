import { AirlockError } from '../errors';

/**
 * A parsed image reference, normalised the way containers tools normalise it: `registry` always
 * present (docker.io when the reference names none), Docker Hub's official images under `library/`.
 */
export interface ImageReference {
  /** host[:port] as written (lower case), or docker.io. */
  readonly registry: string;
  /** Repository path inside the registry, without registry and tag. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';

// The grammar of distribution/reference, written out piece by piece so a failure can say which
// piece is wrong.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

export interface ParseOptions {
  /**
   * When true, a reference with no registry host (`ubi9/ubi:latest`) is refused instead of being
   * read as a Docker Hub image: an ImageSetConfiguration must name the registry.
   */
  readonly requireRegistry?: boolean;
}

function invalid(input: string, why: string, hint?: string): AirlockError {
  return new AirlockError('REFERENCE_INVALID', `invalid image reference "${input}": ${why}`, {
    context: { image: input },
    hint: hint ?? 'write it as host[:port]/path/name[:tag][@sha256:<64 hex digits>]',
  });
}

function looksLikeRegistry(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || IPV6_HOST.test(component);
}

function checkRegistry(input: string, host: string): void {
  let hostname = host;
  if (IPV6_HOST.test(host.split(/(?<=\]):/)[0] ?? '')) {
    const [, port] = host.split(/(?<=\]):/);
    if (port !== undefined && !PORT.test(port)) throw invalid(input, `port "${port}" is not a number`);
    return;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    const port = host.slice(colon + 1);
    hostname = host.slice(0, colon);
    if (!PORT.test(port)) throw invalid(input, `port "${port}" of registry "${host}" is not a number`);
  }
  for (const part of hostname.split('.')) {
    if (!DOMAIN_COMPONENT.test(part)) throw invalid(input, `registry host "${host}" is not a valid host name`);
  }
}

/** Parses `[docker://]host[:port]/path[:tag][@digest]`; throws AirlockError REFERENCE_INVALID. */
export function parseReference(input: string, options: ParseOptions = {}): ImageReference {
  let rest = input.trim();
  if (rest.startsWith('docker://')) rest = rest.slice('docker://'.length);
  if (rest === '') throw invalid(input, 'it is empty');
  if (/\s/.test(rest)) throw invalid(input, 'it contains white space');

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, `"${digest}" is not a digest`, 'a digest is sha256: followed by 64 hex digits');
    if (digest.startsWith('sha256:') && !SHA256_DIGEST.test(digest)) {
      throw invalid(input, `"${digest}" is not a sha256 digest`, 'a sha256 digest is 64 lower-case hex digits');
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `"${tag}" is not a valid tag`, 'a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"');
  }

  const components = rest.split('/');
  let registry = DOCKER_HUB;
  const first = components[0] ?? '';
  if (components.length > 1 && looksLikeRegistry(first)) {
    registry = first.toLowerCase();
    checkRegistry(input, registry);
    components.shift();
  } else if (options.requireRegistry) {
    throw invalid(input, 'it does not name a registry host', `write the full reference, e.g. quay.io/${rest}`);
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && components.length === 1) components.unshift('library');

  if (components.length === 0 || components.some((c) => c === '')) throw invalid(input, 'the repository path has an empty component');
  for (const component of components) {
    if (!PATH_COMPONENT.test(component)) {
      const why = component !== component.toLowerCase() ? 'repository names must be lower case' : 'it has characters a repository name cannot have';
      throw invalid(input, `path component "${component}": ${why}`);
    }
  }
  const repository = components.join('/');
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) throw invalid(input, `the name is longer than ${MAX_NAME_LENGTH} characters`);

  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** The canonical text form: registry/repository[:tag][@digest]. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** What a request for the manifest uses: the digest when there is one, else the tag, else `latest`. */
export function manifestSelector(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** Same image, same place, with a different tag/digest. */
export function withSelector(ref: ImageReference, selector: { tag?: string; digest?: string }): ImageReference {
  return {
    registry: ref.registry,
    repository: ref.repository,
    ...(selector.tag === undefined ? {} : { tag: selector.tag }),
    ...(selector.digest === undefined ? {} : { digest: selector.digest }),
  };
}

/** The host an API request goes to: Docker Hub's API does not live at docker.io. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}
