import { AirlockError } from '../errors';

/**
 * `--max-nested-paths N`, for destination registries that limit how deep a repository path may be:
 * the first N-1 path components are kept as they are and the rest are joined with `-` into the last
 * one (`mirror/openshift/release-images` with N=2 becomes `mirror/openshift-release-images`).
 * N = 0 means no limit. The path is the whole repository path at the destination, target prefix
 * included, without the host: that is what oc-mirror counts.
 *
 * Flattening can make two sources land on the same destination (`a/b-c` and `a-b/c` both become
 * `a-b-c` with N=1); checkDestinations (src/plan) refuses that. Mirror sets for flattened
 * destinations must be repository-scoped (see mirrorSetsFor's maxNestedPaths).
 */
export function nestedPath(path: string, maxNestedPaths: number): string {
  if (!Number.isSafeInteger(maxNestedPaths) || maxNestedPaths < 0) {
    throw new AirlockError('MAX_NESTED_PATHS_INVALID', `--max-nested-paths ${String(maxNestedPaths)} is not a whole number of 0 or more`, {
      context: { actual: String(maxNestedPaths) },
      hint: 'give the number of path components the destination registry allows, or 0 for no limit',
    });
  }
  const components = path.split('/');
  if (path === '' || components.some((c) => c === '')) {
    throw new AirlockError('MAX_NESTED_PATHS_INVALID', `"${path}" is not a repository path`, {
      context: { actual: path },
      hint: 'a repository path is one or more non-empty components separated by "/", without the registry host',
    });
  }
  if (maxNestedPaths === 0 || components.length <= maxNestedPaths) return path;
  const kept = components.slice(0, maxNestedPaths - 1);
  const joined = components.slice(maxNestedPaths - 1).join('-');
  return [...kept, joined].join('/');
}
