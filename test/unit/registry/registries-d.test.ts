import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../../../src/errors';
import { parseReference } from '../../../src/reference';
import {
  EMPTY_REGISTRIES_D,
  findRegistriesD,
  loadRegistriesD,
  mergeRegistriesD,
  parseRegistriesDFile,
  registriesDScopes,
  sigstoreAttachmentsSetting,
  type RegistriesD,
} from '../../../src/registry/registries-d';

const D = `sha256:${'b'.repeat(64)}`;

function conf(...files: Array<readonly [string, string]>): RegistriesD {
  return mergeRegistriesD('/etc/containers/registries.d', files.map(([file, text]) => ({ file, parsed: parseRegistriesDFile(text, file) })));
}

function setting(c: RegistriesD, reference: string): string {
  const s = sigstoreAttachmentsSetting(c, parseReference(reference));
  return s === undefined ? 'unset' : `${String(s.use)} (${s.scope})`;
}

describe('registries.d scopes, as containers/image builds them', () => {
  const cases: ReadonlyArray<readonly [string, readonly string[]]> = [
    [
      'quay.io/org/team/app:v1',
      ['quay.io/org/team/app:v1', 'quay.io/org/team/app', 'quay.io/org/team', 'quay.io/org', 'quay.io', '*.io'],
    ],
    [`registry.example.com:5000/app@${D}`, [`registry.example.com:5000/app@${D}`, 'registry.example.com:5000/app', 'registry.example.com:5000', '*.example.com', '*.com']],
    // No tag means latest; Docker Hub names are expanded, never looked up short.
    ['busybox', ['docker.io/library/busybox:latest', 'docker.io/library/busybox', 'docker.io/library', 'docker.io', '*.io']],
    ['localhost:5000/x:1', ['localhost:5000/x:1', 'localhost:5000/x', 'localhost:5000']],
  ];
  for (const [reference, scopes] of cases) {
    it(reference, () => assert.deepEqual(registriesDScopes(parseReference(reference)), scopes));
  }
});

describe('use-sigstore-attachments lookup', () => {
  const c = conf(
    [
      '/d/10-quay.yaml',
      `docker:
  quay.io:
    use-sigstore-attachments: false
  quay.io/signed:
    use-sigstore-attachments: true
  quay.io/signed/but-not-this:v2:
    use-sigstore-attachments: false
  quay.io/lookaside-only:
    lookaside: https://sigstore.example.com
  "*.example.com":
    use-sigstore-attachments: false
`,
    ],
    ['/d/20-default.yaml', 'default-docker:\n  use-sigstore-attachments: true\n'],
  );
  const table: ReadonlyArray<readonly [string, string]> = [
    ['quay.io/other/app:1', 'false (quay.io)'],
    ['quay.io/signed/app:1', 'true (quay.io/signed)'],
    ['quay.io/signed/but-not-this:v2', 'false (quay.io/signed/but-not-this:v2)'],
    ['quay.io/signed/but-not-this:v3', 'true (quay.io/signed)'],
    // A scope that does not set the key is passed over for the next broader one.
    ['quay.io/lookaside-only/app:1', 'false (quay.io)'],
    ['registry.example.com/a/b:1', 'false (*.example.com)'],
    ['registry.example.com:8443/a/b:1', 'false (*.example.com)'],
    ['ghcr.io/x/y:1', 'true (default-docker)'],
  ];
  for (const [reference, expected] of table) {
    it(`${reference} -> ${expected}`, () => assert.equal(setting(c, reference), expected));
  }

  it('says nothing when no scope and no default-docker set the key', () => {
    assert.equal(setting(EMPTY_REGISTRIES_D, 'quay.io/a/b:1'), 'unset');
    const lookasideOnly = conf(['/d/a.yaml', 'default-docker:\n  lookaside: file:///var/lib/sigstore\n']);
    assert.equal(setting(lookasideOnly, 'quay.io/a/b:1'), 'unset');
    assert.equal(lookasideOnly.defaultDocker?.file, '/d/a.yaml');
  });

  it('a host with a port is not the port-less host', () => {
    const c2 = conf(['/d/a.yaml', 'docker:\n  registry.local:\n    use-sigstore-attachments: false\n']);
    assert.equal(setting(c2, 'registry.local:5000/a:1'), 'unset');
    assert.equal(setting(c2, 'registry.local/a:1'), 'false (registry.local)');
  });
});

describe('registries.d files', () => {
  it('accepts empty files, empty sections and the lookaside keys', () => {
    assert.deepEqual(parseRegistriesDFile('', '/d/empty.yaml'), { docker: [], warnings: [] });
    assert.deepEqual(parseRegistriesDFile('# only a comment\n', '/d/c.yaml'), { docker: [], warnings: [] });
    const parsed = parseRegistriesDFile('default-docker:\ndocker:\n  quay.io:\n    sigstore: https://x\n', '/d/s.yaml');
    assert.equal(parsed.defaultDocker, undefined);
    assert.deepEqual(parsed.docker, [{ scope: 'quay.io', file: '/d/s.yaml', line: 3 }]);
  });

  it('warns about what containers tools ignore', () => {
    const parsed = parseRegistriesDFile('docker:\n  docker://quay.io:\n    use-sigstore-attachment: true\nsigstore-attachments: true\n', '/d/w.yaml');
    assert.deepEqual(parsed.warnings, [
      '/d/w.yaml:2: scope "docker://quay.io" never matches an image: write it without the URL scheme',
      '/d/w.yaml:3: unknown key "use-sigstore-attachment" in the settings of "docker://quay.io" is ignored',
      '/d/w.yaml:4: unknown top-level key "sigstore-attachments" is ignored',
    ]);
  });

  const bad: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['bad YAML', 'docker:\n  quay.io:\n    use-sigstore-attachments: [true\n', /^\/d\/bad\.yaml:\d+:\d+: not valid YAML/],
    ['a tab for indentation', 'docker:\n\tquay.io: {}\n', /^\/d\/bad\.yaml:2:\d+: not valid YAML/],
    ['a duplicate key', 'docker:\n  quay.io:\n    use-sigstore-attachments: true\n  quay.io:\n    use-sigstore-attachments: false\n', /^\/d\/bad\.yaml:4:\d+: not valid YAML.*[Uu]nique/],
    ['a list at the top', '- docker\n', /^\/d\/bad\.yaml:1: the file must be a YAML mapping/],
    ['docker as a list', 'docker:\n  - quay.io\n', /^\/d\/bad\.yaml:1: `docker` must be a mapping/],
    ['settings that are not a mapping', 'docker:\n  quay.io: true\n', /^\/d\/bad\.yaml:2: the settings of "quay\.io" must be a mapping/],
    ['a string for the boolean', 'default-docker:\n  use-sigstore-attachments: "yes"\n', /^\/d\/bad\.yaml:2: use-sigstore-attachments of "default-docker" must be true or false, not "yes"/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what}, naming the file and line`, () => {
      assert.throws(
        () => parseRegistriesDFile(text, '/d/bad.yaml'),
        (err: unknown) => isAirlockError(err, 'REGISTRIES_D_INVALID') && message.test(err.message) && err.context.file === '/d/bad.yaml' && typeof err.context.line === 'number',
      );
    });
  }

  it('refuses a second default-docker or the same scope in two files, naming both', () => {
    assert.throws(
      () => conf(['/d/a.yaml', 'default-docker:\n  use-sigstore-attachments: true\n'], ['/d/b.yaml', '\ndefault-docker:\n  use-sigstore-attachments: false\n']),
      (err: unknown) => isAirlockError(err, 'REGISTRIES_D_INVALID') && err.message === '/d/b.yaml:2: "default-docker" is already defined in /d/a.yaml:1',
    );
    assert.throws(
      () => conf(['/d/a.yaml', 'docker:\n  quay.io:\n    lookaside: https://x\n'], ['/d/b.yaml', 'docker:\n  quay.io:\n    use-sigstore-attachments: true\n']),
      (err: unknown) => isAirlockError(err, 'REGISTRIES_D_INVALID') && /"docker" scope "quay\.io" is already defined in \/d\/a\.yaml:2/.test(err.message),
    );
  });
});

describe('finding and loading the registries.d directory', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'airlock-registries-d-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads the user directory when it exists, else the system one, never both', async () => {
    const home = join(root, 'home');
    const system = join(root, 'etc-registries.d');
    mkdirSync(system, { recursive: true });
    writeFileSync(join(system, 'default.yaml'), 'default-docker:\n  use-sigstore-attachments: false\n');
    assert.deepEqual(findRegistriesD({ env: { HOME: home }, systemDir: system }), { dir: system, explicit: false });
    const fromSystem = await loadRegistriesD({ env: { HOME: home }, systemDir: system });
    assert.equal(fromSystem.defaultDocker?.useSigstoreAttachments, false);

    const user = join(home, '.config', 'containers', 'registries.d');
    mkdirSync(user, { recursive: true });
    writeFileSync(join(user, 'b.yaml'), 'docker:\n  quay.io:\n    use-sigstore-attachments: false\n');
    writeFileSync(join(user, 'a.yaml'), 'docker:\n  ghcr.io:\n    use-sigstore-attachments: true\n');
    writeFileSync(join(user, 'notes.txt'), 'not yaml: [');
    writeFileSync(join(user, 'old.yml'), 'not read either: [');
    const fromUser = await loadRegistriesD({ env: { HOME: home }, systemDir: system });
    assert.equal(fromUser.dir, user);
    assert.deepEqual(fromUser.files, [join(user, 'a.yaml'), join(user, 'b.yaml')]);
    assert.equal(fromUser.defaultDocker, undefined);
    assert.deepEqual(fromUser.docker.map((s) => `${s.scope}=${String(s.useSigstoreAttachments)}`), ['ghcr.io=true', 'quay.io=false']);
  });

  it('no directory at all is an empty configuration; a missing --registries.d is an error', async () => {
    assert.deepEqual(await loadRegistriesD({ env: { HOME: join(root, 'nobody') }, systemDir: join(root, 'none') }), EMPTY_REGISTRIES_D);
    await assert.rejects(loadRegistriesD({ dir: join(root, 'typo') }), (err: unknown) => isAirlockError(err, 'REGISTRIES_D_UNREADABLE') && /--registries\.d/.test(err.hint ?? ''));
  });

  it('a bad file in an explicit directory names the file and line', async () => {
    const dir = join(root, 'explicit');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'broken.yaml'), 'docker:\n  quay.io:\n    use-sigstore-attachments: maybe\n');
    await assert.rejects(loadRegistriesD({ dir }), (err: unknown) => isAirlockError(err, 'REGISTRIES_D_INVALID') && err.message.startsWith(`${join(dir, 'broken.yaml')}:3:`));
  });
});
