/**
 * Runtime validation of IPC arguments. The renderer is not trusted, so the types in the contract are
 * a promise main checks: each channel has a validator that turns unknown[] into its typed arguments
 * or throws IPC_INVALID_ARGS.
 */
import { AirlockError } from '../../src/errors';
import type { IpcArgs, IpcChannel } from './contract';
import { absPath, bool, int, literal, object, optional, SchemaError, str, tuple, variant, type Schema } from './schema';

export type Validator<C extends IpcChannel> = (args: readonly unknown[]) => IpcArgs<C>;

export function invalidArgs(channel: IpcChannel, why: string): AirlockError {
  return new AirlockError('IPC_INVALID_ARGS', `invalid arguments for ${channel}: ${why}`, {
    context: { channel },
  });
}

function channelValidator<C extends IpcChannel>(channel: C, parse: (args: readonly unknown[]) => IpcArgs<C>): Validator<C> {
  return (args) => {
    try {
      return parse(args);
    } catch (err) {
      if (err instanceof SchemaError) throw invalidArgs(channel, err.at === 'arguments' ? err.why : `${err.at} ${err.why}`);
      throw err;
    }
  };
}

const none = tuple();
const MiB = 1024 * 1024;

/** host[:port] with an optional /path prefix; no scheme, no credentials, no query. */
const registryTarget = str({ min: 1, max: 512, pattern: /^[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[a-z0-9]+([._/-][a-z0-9]+)*)?$/ });
const registryHost = str({ min: 1, max: 255, pattern: /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/ });
const jobId = str({ min: 1, max: 64, pattern: /^[A-Za-z0-9-]+$/ });
const yamlText = str({ min: 1, max: 4 * MiB });
const configName = str({ min: 1, max: 255, pattern: /^[^/\\]+$/ });
const fingerprint = str({ min: 1, max: 256, pattern: /^[\x21-\x7e]+$/ });
/** An absolute directory, or empty for "where the tools look by default". */
const dirOrDefault: Schema<string> = (value, at) => (value === '' ? '' : absPath(value, at));

const historyFilter = object({
  kind: optional(literal('export', 'import', 'verify')),
  text: optional(str({ max: 256 })),
});

const jobRequest = variant('kind', {
  'export-plan': object({ kind: literal('export-plan'), configYaml: yamlText, configName, srcTlsVerify: bool, carrySignatures: optional(bool) }),
  export: object({
    kind: literal('export'),
    configYaml: yamlText,
    configName,
    srcTlsVerify: bool,
    workspace: absPath,
    archiveSizeBytes: optional(int(1 * MiB, Number.MAX_SAFE_INTEGER)),
    full: optional(bool),
    carrySignatures: optional(bool),
  }),
  verify: object({ kind: literal('verify'), dir: absPath, deep: bool, insecureAcceptUntrusted: optional(bool) }),
  import: object({
    kind: literal('import'),
    from: absPath,
    target: registryTarget,
    tlsVerify: bool,
    caFile: optional(absPath),
    insecureAcceptUntrusted: bool,
    carrySignatures: optional(bool),
  }),
});

const settingsPatch = object({
  dataDir: optional(absPath),
  cacheDir: optional(absPath),
  parallelImages: optional(int(1, 32)),
  parallelLayers: optional(int(1, 32)),
  retryTimes: optional(int(0, 10)),
  retryDelayMs: optional(int(0, 60_000)),
  operator: optional(str({ max: 100 })),
  registriesDir: optional(dirOrDefault),
});

const credentialInput = object({
  registry: registryHost,
  username: str({ min: 1, max: 256 }),
  password: str({ min: 1, max: 4096 }),
  persist: bool,
});

const connectionTest = object({ target: registryTarget, tlsVerify: bool, caFile: optional(absPath) });

const receiptRequest = variant('kind', {
  export: object({ kind: literal('export'), setId: str({ min: 1, max: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ }) }),
  import: object({ kind: literal('import'), jobId }),
});

const resourceIndex: Schema<number> = int(0, 10_000);

/**
 * An image reference (no scheme, no credentials, no spaces) or oci:// followed by an absolute path;
 * src/config's reference grammar and main re-check it before anything is opened.
 */
const catalogName = str({ min: 1, max: 1024, pattern: /^(oci:\/\/\/.*|(?!.*:\/\/)[A-Za-z0-9][A-Za-z0-9._:/-]*(@sha256:[0-9a-f]{64})?)$/ });

const catalogSummary = object({ catalog: catalogName, tlsVerify: optional(bool) });

const releaseChannel = object({
  channel: str({ min: 1, max: 128, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ }),
  type: optional(literal('ocp', 'okd')),
  architecture: optional(literal('amd64', 'arm64', 'ppc64le', 's390x', 'multi')),
});

/** One validator per channel; the mapped type makes a missing one a compile error. */
export const IPC_VALIDATORS: { readonly [C in IpcChannel]: Validator<C> } = {
  'app:version': channelValidator('app:version', none),
  'app:info': channelValidator('app:info', none),
  'settings:get': channelValidator('settings:get', none),
  'settings:set': channelValidator('settings:set', tuple(settingsPatch)),
  'config:validate': channelValidator('config:validate', tuple(yamlText, configName)),
  'dialogs:openConfigFile': channelValidator('dialogs:openConfigFile', none),
  'dialogs:chooseFolder': channelValidator('dialogs:chooseFolder', tuple(literal('export-target', 'import-source', 'verify-source', 'registries-d'))),
  'dialogs:chooseCaFile': channelValidator('dialogs:chooseCaFile', none),
  'drives:list': channelValidator('drives:list', none),
  'drives:eject': channelValidator('drives:eject', tuple(str({ min: 1, max: 512 }))),
  'media:scan': channelValidator('media:scan', tuple(absPath)),
  'media:freeSpace': channelValidator('media:freeSpace', tuple(absPath)),
  'jobs:start': channelValidator('jobs:start', tuple(jobRequest)),
  'jobs:cancel': channelValidator('jobs:cancel', tuple(jobId)),
  'jobs:get': channelValidator('jobs:get', tuple(jobId)),
  'history:list': channelValidator('history:list', tuple(historyFilter)),
  'history:detail': channelValidator('history:detail', tuple(str({ min: 1, max: 200, pattern: /^(export:[A-Za-z0-9][A-Za-z0-9._-]*|event:[0-9]{1,15})$/ }))),
  'history:export': channelValidator('history:export', tuple(literal('csv', 'json'), historyFilter)),
  'keys:station': channelValidator('keys:station', none),
  'keys:exportStation': channelValidator('keys:exportStation', none),
  'keys:listTrusted': channelValidator('keys:listTrusted', none),
  'keys:trust': channelValidator('keys:trust', tuple(str({ min: 1, max: 16 * 1024 }), str({ max: 200 }))),
  'keys:untrust': channelValidator('keys:untrust', tuple(fingerprint)),
  'credentials:list': channelValidator('credentials:list', none),
  'credentials:save': channelValidator('credentials:save', tuple(credentialInput)),
  'credentials:forget': channelValidator('credentials:forget', tuple(registryHost)),
  'registry:test': channelValidator('registry:test', tuple(connectionTest)),
  'receipt:save': channelValidator('receipt:save', tuple(receiptRequest)),
  'resources:read': channelValidator('resources:read', tuple(jobId, resourceIndex)),
  'resources:save': channelValidator('resources:save', tuple(jobId, resourceIndex)),
  'clipboard:write': channelValidator('clipboard:write', tuple(str({ min: 1, max: 4 * MiB }))),
  'catalog:summary': channelValidator('catalog:summary', tuple(catalogSummary)),
  'releases:channel': channelValidator('releases:channel', tuple(releaseChannel)),
};
