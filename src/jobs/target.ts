import { AirlockError } from '../errors';
import { parseReference } from '../reference';
import { nestedPath } from '../resources/nested-path';

/** `registry[:port][/prefix...]`, what follows docker:// in `airlock mirror ... docker://…`. */
export interface Target {
  readonly registry: string;
  readonly prefix: string;
}

export function parseTarget(value: string): Target {
  const text = value.replace(/^docker:\/\//, '').replace(/\/+$/, '');
  const slash = text.indexOf('/');
  const registry = slash < 0 ? text : text.slice(0, slash);
  const prefix = slash < 0 ? '' : text.slice(slash + 1);
  try {
    // Validate host and prefix with the reference grammar (a dummy repository when there is no prefix).
    parseReference(`${registry}/${prefix || 'x'}`, { requireRegistry: true });
  } catch (err) {
    throw new AirlockError('TARGET_INVALID', `"${value}" is not a registry destination`, {
      context: { registry: value },
      hint: 'write docker://<host>[:<port>][/<path prefix>], e.g. docker://registry.enclave.example:5000/mirror',
      cause: err,
    });
  }
  return { registry, prefix };
}

/** Where an image named `repo/path:tag` in a set lands: `<prefix>/<repo/path>`, flattened by --max-nested-paths. */
export function destinationFor(target: Target, name: string, maxNestedPaths = 0): { repository: string; tag: string; reference: string } {
  const colon = name.lastIndexOf(':');
  const path = colon > 0 ? name.slice(0, colon) : name;
  const tag = colon > 0 ? name.slice(colon + 1) : 'latest';
  const repository = nestedPath(target.prefix ? `${target.prefix}/${path}` : path, maxNestedPaths);
  return { repository, tag, reference: `${target.registry}/${repository}:${tag}` };
}
