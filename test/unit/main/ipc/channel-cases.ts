/**
 * For every IPC channel: arguments main must accept and arguments it must refuse. Shared by the
 * validator, sender and secrets tests; a channel without cases fails those tests.
 */
import type { IpcChannel } from '../../../../main/ipc/contract';

export interface ChannelCases {
  readonly valid: readonly unknown[];
  readonly malformed: ReadonlyArray<readonly [why: string, args: readonly unknown[]]>;
}

const NONE: ChannelCases = { valid: [], malformed: [['an extra argument', ['surprise']], ['an object', [{}]]] };
const JOB_ID = '0b4c1f9e-8a2e-4a5b-9f1e-2d3c4b5a6f70';
const YAML = 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\nmirror:\n  additionalImages:\n    - name: quay.io/org/app:1\n';

export const CHANNEL_CASES: { readonly [C in IpcChannel]: ChannelCases } = {
  'app:version': NONE,
  'app:info': NONE,
  'settings:get': NONE,
  'settings:set': {
    valid: [{ parallelImages: 8, operator: 'alice' }],
    malformed: [
      ['no argument', []],
      ['a relative data directory', [{ dataDir: 'data' }]],
      ['a data directory with dot segments', [{ dataDir: '/home/op/../../etc' }]],
      ['a parallelism of zero', [{ parallelImages: 0 }]],
      ['a fractional retry count', [{ retryTimes: 1.5 }]],
      ['an unknown field', [{ dataDir: '/tmp', evil: true }]],
      ['a string for a number', [{ retryDelayMs: '1000' }]],
      ['a relative registries.d folder', [{ registriesDir: 'containers/registries.d' }]],
      ['a registries.d folder with dot segments', [{ registriesDir: '/etc/containers/../../root' }]],
      ['a number for the registries.d folder', [{ registriesDir: 1 }]],
    ],
  },
  'config:validate': {
    valid: [YAML, 'isc.yaml'],
    malformed: [
      ['a name with a slash', [YAML, '../isc.yaml']],
      ['an empty text', ['', 'isc.yaml']],
      ['a number', [42, 'isc.yaml']],
      ['a missing name', [YAML]],
      ['a NUL in the name', [YAML, 'a\u0000.yaml']],
    ],
  },
  'dialogs:openConfigFile': NONE,
  'dialogs:chooseFolder': { valid: ['export-target'], malformed: [['an unknown purpose', ['anything']], ['no purpose', []], ['a path instead of a purpose', ['/etc/containers/registries.d']]] },
  'dialogs:chooseCaFile': NONE,
  'drives:list': NONE,
  'drives:eject': { valid: ['/dev/sdb1'], malformed: [['an empty id', ['']], ['a number', [1]], ['an object', [{ id: '/dev/sdb1' }]]] },
  'media:scan': { valid: ['/media/op/AIRLOCK'], malformed: [['a relative path', ['media']], ['a file URL', ['file:///media']], ['dot segments', ['/media/../etc']], ['a NUL byte', ['/media\u0000/x']]] },
  'media:freeSpace': { valid: ['/media/op/AIRLOCK'], malformed: [['a relative path', ['.']], ['nothing', []]] },
  'jobs:start': {
    valid: [{ kind: 'verify', dir: '/media/op/AIRLOCK', deep: true }],
    malformed: [
      ['an unknown job', [{ kind: 'format-disk' }]],
      ['a relative workspace', [{ kind: 'export', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, workspace: 'drive' }]],
      ['a missing TLS choice', [{ kind: 'export-plan', configYaml: YAML, configName: 'isc.yaml' }]],
      ['a tiny archive size', [{ kind: 'export', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, workspace: '/media/x', archiveSizeBytes: 10 }]],
      ['a target with a scheme', [{ kind: 'import', from: '/media/x', target: 'https://registry.example', tlsVerify: true, insecureAcceptUntrusted: false }]],
      ['a target with credentials', [{ kind: 'import', from: '/media/x', target: 'user:pw@registry.example', tlsVerify: true, insecureAcceptUntrusted: false }]],
      ['a password smuggled into an import', [{ kind: 'import', from: '/media/x', target: 'registry.example', tlsVerify: true, insecureAcceptUntrusted: false, password: 'x' }]],
      ['a relative CA file', [{ kind: 'import', from: '/media/x', target: 'registry.example', tlsVerify: true, insecureAcceptUntrusted: false, caFile: 'ca.pem' }]],
      ['a string for deep', [{ kind: 'verify', dir: '/media/x', deep: 'yes' }]],
      ['a string for the signature choice of an export', [{ kind: 'export', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, workspace: '/media/x', carrySignatures: 'false' }]],
      ['a number for the signature choice of a plan', [{ kind: 'export-plan', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, carrySignatures: 1 }]],
      ['a signature choice on a verification', [{ kind: 'verify', dir: '/media/x', deep: true, carrySignatures: true }]],
      ['a null signature choice on an import', [{ kind: 'import', from: '/media/x', target: 'registry.example', tlsVerify: true, insecureAcceptUntrusted: false, carrySignatures: null }]],
      ['registries.d settings smuggled into an import', [{ kind: 'import', from: '/media/x', target: 'registry.example', tlsVerify: true, insecureAcceptUntrusted: false, carrySignatures: true, registriesD: { docker: [] } }]],
      ['the engine\'s flag instead of the app\'s', [{ kind: 'export', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, workspace: '/media/x', removeSignatures: false }]],
      ['an array', [['verify']]],
    ],
  },
  'jobs:cancel': { valid: [JOB_ID], malformed: [['a path', ['../../x']], ['an empty id', ['']], ['nothing', []]] },
  'jobs:get': { valid: [JOB_ID], malformed: [['spaces', ['a b']], ['a number', [7]]] },
  'history:list': { valid: [{ kind: 'import', text: 'alice' }], malformed: [['an unknown kind', [{ kind: 'delete' }]], ['no filter', []], ['a huge filter text', [{ text: 'x'.repeat(300) }]]] },
  'history:detail': { valid: ['event:12'], malformed: [['an SQL fragment', ["event:1 OR 1=1"]], ['an unknown prefix', ['set:abc']], ['a number', [12]]] },
  'history:export': { valid: ['csv', {}], malformed: [['an unknown format', ['xlsx', {}]], ['a missing filter', ['csv']]] },
  'keys:station': NONE,
  'keys:exportStation': NONE,
  'keys:listTrusted': NONE,
  'keys:trust': { valid: ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n', 'connected station'], malformed: [['an empty key', ['', 'x']], ['a missing label', ['pem']], ['a control character in the label', ['pem', 'a\u0007b']]] },
  'keys:untrust': { valid: ['SHA256:abc'], malformed: [['spaces', ['SHA256: abc']], ['an empty fingerprint', ['']]] },
  'credentials:list': NONE,
  'credentials:save': {
    valid: [{ registry: 'registry.example:5000', username: 'admin', password: 'pw', persist: false }],
    malformed: [
      ['a registry with a path', [{ registry: 'registry.example/mirror', username: 'admin', password: 'pw', persist: false }]],
      ['an empty password', [{ registry: 'registry.example', username: 'admin', password: '', persist: false }]],
      ['a missing persist choice', [{ registry: 'registry.example', username: 'admin', password: 'pw' }]],
      ['an extra field', [{ registry: 'registry.example', username: 'admin', password: 'pw', persist: false, scope: 'all' }]],
    ],
  },
  'credentials:forget': { valid: ['registry.example:5000'], malformed: [['a URL', ['https://registry.example']], ['nothing', []]] },
  'registry:test': { valid: [{ target: 'registry.example:5000/mirror', tlsVerify: true }], malformed: [['a URL', [{ target: 'http://registry.example', tlsVerify: true }]], ['a missing TLS choice', [{ target: 'registry.example' }]]] },
  'receipt:save': { valid: [{ kind: 'export', setId: 'a1b2' }], malformed: [['a path as set id', [{ kind: 'export', setId: '../etc/passwd' }]], ['an unknown kind', [{ kind: 'verify', setId: 'a' }]]] },
  'resources:read': { valid: [JOB_ID, 0], malformed: [['a path instead of an index', [JOB_ID, '/etc/passwd']], ['a negative index', [JOB_ID, -1]], ['a fractional index', [JOB_ID, 0.5]]] },
  'resources:save': { valid: [JOB_ID, 0], malformed: [['a missing index', [JOB_ID]]] },
  'clipboard:write': { valid: ['oc apply -f /x'], malformed: [['an empty text', ['']], ['an object', [{ text: 'x' }]]] },
  'catalog:summary': {
    // An OCI layout that is not there: fails fast, never reaches a registry.
    valid: [{ catalog: 'oci:///nonexistent/airlock-catalog', tlsVerify: true }],
    malformed: [
      ['no request', []],
      ['an empty catalog', [{ catalog: '' }]],
      ['a catalog URL with a scheme', [{ catalog: 'https://registry.example/index:v4.19' }]],
      ['a catalog with spaces', [{ catalog: 'registry.example/index v4.19' }]],
      ['a string for tlsVerify', [{ catalog: 'registry.example/index:v4.19', tlsVerify: 'no' }]],
      ['credentials smuggled in', [{ catalog: 'registry.example/index:v4.19', password: 'x' }]],
      ['credentials in the reference', [{ catalog: 'user:pw@registry.example/index:v4.19' }]],
      ['a bare string', ['registry.example/index:v4.19']],
    ],
  },
  'releases:channel': {
    valid: [{ channel: 'stable-4.19', type: 'ocp', architecture: 'amd64' }],
    malformed: [
      ['no request', []],
      ['an empty channel', [{ channel: '' }]],
      ['a channel with a query', [{ channel: 'stable-4.19&arch=s390x' }]],
      ['an unknown type', [{ channel: 'stable-4.19', type: 'rhel' }]],
      ['an unknown architecture', [{ channel: 'stable-4.19', architecture: 'x86_64' }]],
      ['a URL smuggled in', [{ channel: 'stable-4.19', url: 'http://evil.example/graph' }]],
    ],
  },
};
