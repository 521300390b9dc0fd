import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../../../src/errors';
import {
  EMPTY_REGISTRIES_CONF,
  findRegistriesConf,
  findRegistry,
  loadRegistriesConf,
  parseRegistriesConf,
  pullSources,
  type PullSource,
} from '../../../src/registry/registries-conf';

const D = `sha256:${'a'.repeat(64)}`;
const FILE = '/etc/containers/registries.conf';

const mirror = (reference: string, insecure = false): PullSource => ({ reference, insecure, mirror: true });
const primary = (reference: string, insecure = false): PullSource => ({ reference, insecure, mirror: false });

type Expected = readonly PullSource[] | RegExp;

interface Scenario {
  readonly name: string;
  readonly conf: string;
  readonly cases: ReadonlyArray<readonly [string, Expected]>;
}

const scenarios: readonly Scenario[] = [
  {
    name: 'enclave chaining: quay.io mirrored into the enclave registry by digest only',
    conf: `
[[registry]]
location = "quay.io"
mirror-by-digest-only = true

[[registry.mirror]]
location = "registry.enclave.local:5000/quay"
`,
    cases: [
      [`quay.io/org/app@${D}`, [mirror(`registry.enclave.local:5000/quay/org/app@${D}`), primary(`quay.io/org/app@${D}`)]],
      [`docker://quay.io/org/app:1.0@${D}`, [mirror(`registry.enclave.local:5000/quay/org/app:1.0@${D}`), primary(`quay.io/org/app:1.0@${D}`)]],
      ['quay.io/org/app:1.0', [primary('quay.io/org/app:1.0')]],
      ['quay.io/org/app', [primary('quay.io/org/app')]],
      // Not quay.io: another port, another host that merely starts with the same letters.
      [`quay.io:8443/org/app@${D}`, [primary(`quay.io:8443/org/app@${D}`)]],
      [`quay.iox/org/app@${D}`, [primary(`quay.iox/org/app@${D}`)]],
      ['registry.redhat.io/ubi9/ubi:latest', [primary('registry.redhat.io/ubi9/ubi:latest')]],
    ],
  },
  {
    name: 'OpenShift NeverContactSource: blocked source with a digest-only mirror',
    conf: `
[[registry]]
prefix = ""
location = "quay.io/openshift-release-dev/ocp-release"
blocked = true

  [[registry.mirror]]
  location = "mirror.local:8443/ocp/release"
  pull-from-mirror = "digest-only"

[[registry]]
prefix = ""
location = "quay.io/openshift-release-dev/ocp-v4.0-art-dev"
mirror-by-digest-only = true

  [[registry.mirror]]
  location = "mirror.local:8443/ocp/art"
  insecure = true
`,
    cases: [
      [`quay.io/openshift-release-dev/ocp-release@${D}`, [mirror(`mirror.local:8443/ocp/release@${D}`)]],
      ['quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64', /blocked by \/etc\/containers\/registries\.conf/],
      [`quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, [mirror(`mirror.local:8443/ocp/art@${D}`, true), primary(`quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`)]],
      // A prefix only matches whole path components.
      [`quay.io/openshift-release-dev/ocp-release-nightly@${D}`, [primary(`quay.io/openshift-release-dev/ocp-release-nightly@${D}`)]],
    ],
  },
  {
    name: 'the example of containers-registries.conf(5): remapped location with two mirrors',
    conf: `
unqualified-search-registries = ["example.com"]

[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"

[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true

[[registry]]
location = "registry.com"

[[registry.mirror]]
location = "mirror.registry.com"
`,
    cases: [
      [
        'example.com/foo/image:latest',
        [
          mirror('example-mirror-0.local/mirror-for-foo/image:latest'),
          mirror('example-mirror-1.local/mirrors/foo/image:latest', true),
          primary('internal-registry-for-example.com/bar/image:latest'),
        ],
      ],
      ['example.com/foobar/image:latest', [primary('example.com/foobar/image:latest')]],
      ['registry.com/image:latest', [mirror('mirror.registry.com/image:latest'), primary('registry.com/image:latest')]],
    ],
  },
  {
    name: 'wildcards, longest prefix, per-mirror tag-only and digest-only',
    conf: `
[[registry]]
prefix = "*.example.com"
insecure = true

[[registry]]
prefix = "*.internal.example.com"
blocked = true

[[registry]]
prefix = "registry.example.com"
location = "registry.example.com"

[[registry]]
location = "docker.io"

[[registry.mirror]]
location = "hub-cache.local/dockerhub"
pull-from-mirror = "tag-only"

[[registry.mirror]]
location = "hub-digest.local/dockerhub"
pull-from-mirror = "digest-only"

[[registry]]
location = "docker.io/library/alpine"
blocked = true
`,
    cases: [
      ['a.example.com/x/y:1', [primary('a.example.com/x/y:1', true)]],
      ['b.c.example.com/x:1', [primary('b.c.example.com/x:1', true)]],
      // * stands for at least one subdomain, and never for a port.
      ['example.com/x:1', [primary('example.com/x:1')]],
      ['a.example.com:5000/x:1', [primary('a.example.com:5000/x:1')]],
      ['h.internal.example.com/x:1', /blocked.*prefix "\*\.internal\.example\.com"/],
      // Equal length: the exact prefix beats the wildcard.
      ['registry.example.com/x:1', [primary('registry.example.com/x:1')]],
      ['docker.io/library/redis:7', [mirror('hub-cache.local/dockerhub/library/redis:7'), primary('docker.io/library/redis:7')]],
      [`docker.io/library/redis@${D}`, [mirror(`hub-digest.local/dockerhub/library/redis@${D}`), primary(`docker.io/library/redis@${D}`)]],
      ['docker.io/library/alpine:3', /blocked/],
      ['docker.io/library/alpinefoo:3', [mirror('hub-cache.local/dockerhub/library/alpinefoo:3'), primary('docker.io/library/alpinefoo:3')]],
    ],
  },
  {
    name: 'a mirror under a blocked prefix is skipped',
    conf: `
[[registry]]
location = "quay.io"
[[registry.mirror]]
location = "old-mirror.local/quay"
[[registry.mirror]]
location = "new-mirror.local/quay"

[[registry]]
location = "old-mirror.local"
blocked = true
`,
    cases: [['quay.io/a/b:1', [mirror('new-mirror.local/quay/a/b:1'), primary('quay.io/a/b:1')]]],
  },
];

describe('pullSources', () => {
  for (const scenario of scenarios) {
    describe(scenario.name, () => {
      const conf = parseRegistriesConf(scenario.conf, FILE);
      for (const [reference, expected] of scenario.cases) {
        it(reference, () => {
          if (expected instanceof RegExp) {
            assert.throws(
              () => pullSources(conf, reference),
              (err: unknown) => isAirlockError(err, 'REGISTRY_BLOCKED') && expected.test(err.message) && err.context.file === FILE && err.hint !== undefined,
            );
          } else {
            assert.deepEqual(pullSources(conf, reference), expected);
          }
        });
      }
    });
  }

  it('tells the operator to use a digest when only digest mirrors could serve a blocked source', () => {
    const conf = parseRegistriesConf(scenarios[1]?.conf ?? '', FILE);
    assert.throws(() => pullSources(conf, 'quay.io/openshift-release-dev/ocp-release:4.16.0'), (err: unknown) => isAirlockError(err) && /by digest/.test(err.hint ?? ''));
  });

  it('pulls from where the name says when there is no configuration', () => {
    assert.deepEqual(pullSources(EMPTY_REGISTRIES_CONF, 'quay.io/a/b:1'), [primary('quay.io/a/b:1')]);
  });

  it('refuses a short name, which would be ambiguous', () => {
    assert.throws(() => pullSources(EMPTY_REGISTRIES_CONF, 'redis'), (err: unknown) => isAirlockError(err, 'REFERENCE_INVALID'));
  });

  it('findRegistry returns the governing entry', () => {
    const conf = parseRegistriesConf(scenarios[3]?.conf ?? '', FILE);
    assert.equal(findRegistry(conf, 'docker.io/library/alpine:3')?.prefix, 'docker.io/library/alpine');
    assert.equal(findRegistry(conf, 'x.example.com/a:1')?.prefix, '*.example.com');
    assert.equal(findRegistry(conf, 'ghcr.io/a:1'), undefined);
  });
});

describe('parseRegistriesConf', () => {
  it('reads every field, with defaults', () => {
    const conf = parseRegistriesConf(scenarios[0]?.conf ?? '', FILE);
    assert.deepEqual(conf, {
      files: [FILE],
      registries: [
        {
          prefix: 'quay.io',
          location: 'quay.io',
          insecure: false,
          blocked: false,
          mirrorByDigestOnly: true,
          mirrors: [{ location: 'registry.enclave.local:5000/quay', insecure: false, pullFromMirror: 'all' }],
          file: FILE,
        },
      ],
      unqualifiedSearchRegistries: [],
      warnings: [],
    });
  });

  it('normalises trailing slashes and upper-case hosts', () => {
    const conf = parseRegistriesConf('[[registry]]\nprefix = "Quay.IO/org/"\nlocation = "Mirror.Local:5000/org/"\n', FILE);
    assert.equal(conf.registries[0]?.prefix, 'quay.io/org');
    assert.equal(conf.registries[0]?.location, 'mirror.local:5000/org');
    assert.deepEqual(pullSources(conf, 'quay.io/org/app:1'), [primary('mirror.local:5000/org/app:1')]);
  });

  it('converts the deprecated version 1 lists', () => {
    const conf = parseRegistriesConf(
      "[registries.search]\nregistries = ['registry1.com']\n[registries.insecure]\nregistries = ['registry3.com:5000']\n[registries.block]\nregistries = ['registry.untrusted.com']\n",
      FILE,
    );
    assert.deepEqual(conf.unqualifiedSearchRegistries, ['registry1.com']);
    assert.deepEqual(pullSources(conf, 'registry3.com:5000/a:1'), [primary('registry3.com:5000/a:1', true)]);
    assert.throws(() => pullSources(conf, 'registry.untrusted.com/a:1'), (err: unknown) => isAirlockError(err, 'REGISTRY_BLOCKED'));
  });

  it('warns about keys containers tools would ignore', () => {
    const conf = parseRegistriesConf('[[registry]]\nlocation = "quay.io"\nmirror-by-digest = true\n[[registry.mirror]]\nlocation = "m.local"\npull-from = "x"\n', FILE);
    assert.deepEqual(conf.warnings, [
      `${FILE}:1: the 1st [[registry]] table: unknown key "mirror-by-digest" in [[registry]] is ignored`,
      `${FILE}:1: the 1st [[registry]] table: unknown key "pull-from" in [[registry.mirror]] is ignored`,
    ]);
  });

  const invalid: ReadonlyArray<readonly [string, string, RegExp, number?]> = [
    ['malformed TOML', '[[registry]]\nlocation = "quay.io"\ninsecure = tru\n', /registries\.conf:3:\d+: not valid TOML: invalid value/, 3],
    ['an unterminated string', '[[registry]]\nlocation = "quay.io\n', /registries\.conf:2:\d+: not valid TOML/, 2],
    ['a bad pull-from-mirror', '[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "m.local"\npull-from-mirror = "sometimes"\n', /pull-from-mirror = "sometimes" is not one of/, 1],
    [
      'pull-from-mirror with mirror-by-digest-only',
      'unqualified-search-registries = []\n\n[[registry]]\nlocation = "a.io"\n\n[[registry]]\nlocation = "quay.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.local"\npull-from-mirror = "digest-only"\n',
      /:6: the 2nd \[\[registry\]\] table: pull-from-mirror cannot be set/,
      6,
    ],
    ['a URL', '[[registry]]\nlocation = "https://quay.io"\n', /URL schemes are not supported/],
    ['neither prefix nor location', '[[registry]]\ninsecure = true\n', /neither "prefix" nor "location"/],
    ['a prefix without location', '[[registry]]\nprefix = "quay.io/org"\n', /has no "location"/],
    ['a wildcard in the middle', '[[registry]]\nprefix = "example.*.com"\nlocation = "x.io"\n', /wildcard may only open the prefix/],
    ['a wildcard with a path', '[[registry]]\nprefix = "*.example.com/foo"\n', /no port or path/],
    ['a wildcard location', '[[registry]]\nprefix = "*.example.com"\n[[registry.mirror]]\nlocation = "*.mirror.local"\n', /only a prefix may use/],
    ['the same prefix twice', '[[registry]]\nlocation = "quay.io"\n[[registry]]\nprefix = "quay.io"\nlocation = "m.local"\n', /:3: the 2nd .*already used by the 1st/, 3],
    ['a string for a boolean', '[[registry]]\nlocation = "quay.io"\ninsecure = "yes"\n', /"insecure" must be true or false/],
    ['a location without a registry host', '[[registry]]\nlocation = "library/redis"\n', /does not start with a registry host/],
    ['an invalid repository path', '[[registry]]\nlocation = "quay.io/Org"\n', /not a valid registry location: .*lower case/],
    ['version 1 mixed with version 2', "[registries.search]\nregistries = ['a.io']\n[[registry]]\nlocation = 'quay.io'\n", /mixes the version 1/],
  ];
  for (const [name, text, message, line] of invalid) {
    it(`refuses ${name}, naming the file${line === undefined ? '' : ' and line'}`, () => {
      assert.throws(
        () => parseRegistriesConf(text, FILE),
        (err: unknown) =>
          isAirlockError(err, 'REGISTRIES_CONF_INVALID') && message.test(err.message) && err.message.startsWith(FILE) && err.context.file === FILE && (line === undefined || err.context.line === line),
      );
    });
  }
});

describe('finding and loading registries.conf', () => {
  const HOME = '/home/op';
  const USER_CONF = '/home/op/.config/containers/registries.conf';
  const searches: ReadonlyArray<readonly [string, NodeJS.ProcessEnv, readonly string[], { file: string; explicit: boolean } | undefined]> = [
    ['the environment first, even if absent', { HOME, CONTAINERS_REGISTRIES_CONF: '/tmp/r.conf' }, [USER_CONF, FILE], { file: '/tmp/r.conf', explicit: true }],
    ['the older REGISTRIES_CONFIG_PATH', { HOME, REGISTRIES_CONFIG_PATH: '/tmp/old.conf' }, [FILE], { file: '/tmp/old.conf', explicit: true }],
    ['the user file before the system file', { HOME }, [USER_CONF, FILE], { file: USER_CONF, explicit: false }],
    ['the system file', { HOME }, [FILE], { file: FILE, explicit: false }],
    ['nothing', { HOME }, [], undefined],
  ];
  for (const [name, env, present, expected] of searches) {
    it(`finds ${name}`, () => {
      assert.deepEqual(findRegistriesConf({ env, exists: (p) => present.includes(p) }), expected);
    });
  }

  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-regconf-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the drop-ins next to the file in name order', async () => {
    const file = join(dir, 'registries.conf');
    writeFileSync(file, 'unqualified-search-registries = ["a.io"]\n[[registry]]\nlocation = "quay.io"\n[[registry]]\nlocation = "ghcr.io"\ninsecure = true\n');
    mkdirSync(`${file}.d`);
    writeFileSync(join(`${file}.d`, '20-enclave.conf'), '[[registry]]\nlocation = "quay.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "registry.enclave.local:5000/quay"\n');
    writeFileSync(join(`${file}.d`, '10-search.conf'), 'unqualified-search-registries = ["b.io"]\n[[registry]]\nlocation = "gcr.io"\nblocked = true\n');
    writeFileSync(join(`${file}.d`, 'README.txt'), 'not a drop-in');
    const conf = await loadRegistriesConf({ env: { CONTAINERS_REGISTRIES_CONF: file } });
    assert.deepEqual(conf.files, [file, join(`${file}.d`, '10-search.conf'), join(`${file}.d`, '20-enclave.conf')]);
    assert.deepEqual(conf.unqualifiedSearchRegistries, ['b.io']);
    assert.deepEqual(conf.registries.map((r) => [r.prefix, r.file]), [
      ['quay.io', join(`${file}.d`, '20-enclave.conf')],
      ['ghcr.io', file],
      ['gcr.io', join(`${file}.d`, '10-search.conf')],
    ]);
    assert.deepEqual(pullSources(conf, `quay.io/a/b@${D}`), [mirror(`registry.enclave.local:5000/quay/a/b@${D}`), primary(`quay.io/a/b@${D}`)]);
    assert.throws(() => pullSources(conf, 'gcr.io/a/b:1'), (err: unknown) => isAirlockError(err, 'REGISTRY_BLOCKED') && err.context.file === join(`${file}.d`, '10-search.conf'));
  });

  it('names the drop-in that is malformed', async () => {
    const file = join(dir, 'broken.conf');
    writeFileSync(file, '[[registry]]\nlocation = "quay.io"\n');
    mkdirSync(`${file}.d`);
    const dropIn = join(`${file}.d`, '50-bad.conf');
    writeFileSync(dropIn, '\n\n[[registry]\n');
    await assert.rejects(loadRegistriesConf({ file }), (err: unknown) => isAirlockError(err, 'REGISTRIES_CONF_INVALID') && err.context.file === dropIn && err.context.line === 3);
  });

  it('refuses version 1 drop-ins', async () => {
    const file = join(dir, 'v1.conf');
    writeFileSync(file, '');
    mkdirSync(`${file}.d`);
    writeFileSync(join(`${file}.d`, 'old.conf'), "[registries.block]\nregistries = ['a.io']\n");
    await assert.rejects(loadRegistriesConf({ file }), /drop-in files must use the version 2 format/);
  });

  it('refuses a file the environment names but that is missing', async () => {
    const missing = join(dir, 'missing.conf');
    await assert.rejects(loadRegistriesConf({ env: { CONTAINERS_REGISTRIES_CONF: missing } }), (err: unknown) => isAirlockError(err, 'REGISTRIES_CONF_UNREADABLE') && err.context.file === missing);
  });

  it('is empty when no file exists', async () => {
    assert.deepEqual(await loadRegistriesConf({ env: { HOME: dir }, exists: () => false }), EMPTY_REGISTRIES_CONF);
  });
});
