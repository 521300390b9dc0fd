import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileBlockPattern, isBlocked } from '../../../src/config';
import { isAirlockError } from '../../../src/errors';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

// [pattern, reference, blocked?]
const table: readonly (readonly [string, string, boolean])[] = [
  // plain reference without tag: the repository and everything under it, any tag or digest
  ['quay.io/acme', 'quay.io/acme/app:1.0', true],
  ['quay.io/acme', `quay.io/acme/tools/x@${D1}`, true],
  ['quay.io/acme/app', 'quay.io/acme/app', true],
  ['quay.io/acme/app', 'docker://quay.io/acme/app:2', true],
  ['quay.io/acme', 'quay.io/acme-labs/app:1', false],
  ['quay.io/acme/app', 'quay.io/acme/app-debug:1', false],
  ['quay.io/acme/app', 'registry.example:5000/acme/app:1', false],
  ['QUAY.IO/acme/app', 'quay.io/acme/app:1', true],
  ['registry.example:5000/acme', 'registry.example:5000/acme/app:1', true],
  ['registry.example:5000/acme', 'registry.example:5001/acme/app:1', false],
  // Docker Hub is normalised on both sides
  ['docker.io/library/alpine', 'alpine', true],
  ['docker.io/library/alpine', 'docker.io/alpine:3.19', true],
  ['docker.io/alpine', 'index.docker.io/library/alpine:3.19', true],
  ['docker.io/library/alpine', 'docker.io/library/alpine-extra:1', false],
  // with a tag: that tag only
  ['docker.io/library/alpine:3.19', 'docker.io/library/alpine:3.19', true],
  ['docker.io/library/alpine:3.19', `docker.io/library/alpine:3.19@${D1}`, true],
  ['docker.io/library/alpine:3.19', 'docker.io/library/alpine:3.20', false],
  ['docker.io/library/alpine:3.19', `docker.io/library/alpine@${D1}`, false],
  ['docker.io/library/alpine:3.19', 'docker.io/library/alpine/sub:3.19', false],
  // with a digest: that digest only, whatever the tag
  [`quay.io/acme/app@${D1}`, `quay.io/acme/app@${D1}`, true],
  [`quay.io/acme/app@${D1}`, `quay.io/acme/app:1.0@${D1}`, true],
  [`quay.io/acme/app:ignored@${D1}`, `quay.io/acme/app@${D1}`, true],
  [`quay.io/acme/app@${D1}`, `quay.io/acme/app@${D2}`, false],
  [`quay.io/acme/app@${D1}`, `quay.io/acme/other@${D1}`, false],
  [`quay.io/acme/app@${D1}`, 'quay.io/acme/app:1.0', false],
  // globs: whole reference, * within a component, ** across
  ['quay.io/acme/*', 'quay.io/acme/app:1.0', true],
  ['quay.io/acme/*', `quay.io/acme/app@${D1}`, true],
  ['quay.io/acme/*', 'quay.io/acme/tools/x:1', false],
  ['quay.io/acme/**', 'quay.io/acme/tools/x:1', true],
  ['quay.io/acme/**', 'quay.io/acmes/x:1', false],
  ['**:latest', 'registry.redhat.io/ubi9/ubi:latest', true],
  ['**:latest', `registry.redhat.io/ubi9/ubi:latest@${D1}`, true],
  ['**:latest', 'registry.redhat.io/ubi9/ubi:latest-1', false],
  ['**:latest', `registry.redhat.io/ubi9/ubi@${D1}`, false],
  ['docker.io/library/alpine:3.*', 'alpine:3.19', true],
  ['docker.io/library/alpine:3.*', 'alpine:4.0', false],
  ['mirror-*.example.com/**', 'mirror-eu.example.com/a/b:1', true],
  ['mirror-*.example.com/**', 'mirror.example.com/a/b:1', false],
  ['*.example.com/*', 'registryXexample.com/a:1', false], // "." is literal in a glob
  // regular expressions: searched for, unanchored unless anchored
  ['/-debug(:|@|$)/', 'quay.io/acme/app-debug:1', true],
  ['/-debug(:|@|$)/', 'quay.io/acme/app-debugger:1', false],
  ['/alpine/', 'alpine:3', true],
  ['/^docker\\.io\\/library\\//', 'alpine', true],
  ['/^docker\\.io\\/library\\//', 'quay.io/library/alpine', false],
  ['/:latest$/', `quay.io/a/b:latest@${D1}`, true],
];

describe('isBlocked', () => {
  for (const [pattern, reference, blocked] of table) {
    it(`${pattern} ${blocked ? 'blocks' : 'does not block'} ${reference}`, () => {
      assert.deepEqual(isBlocked(reference, [pattern]), blocked ? { blocked: true, by: pattern } : { blocked: false });
    });
  }

  it('names the first pattern that matched', () => {
    assert.deepEqual(isBlocked('quay.io/acme/app:1', ['quay.io/other', 'quay.io/acme/*', 'quay.io/acme']), { blocked: true, by: 'quay.io/acme/*' });
  });

  it('accepts compiled patterns and config entries', () => {
    const pattern = compileBlockPattern('quay.io/acme');
    assert.equal(isBlocked('quay.io/acme/app:1', [pattern]).blocked, true);
    assert.equal(isBlocked('quay.io/acme/app:1', [{ name: 'quay.io/acme', pattern }]).by, 'quay.io/acme');
  });

  it('blocks nothing with no patterns', () => {
    assert.deepEqual(isBlocked('quay.io/acme/app:1', []), { blocked: false });
  });

  it('tests an unparsable reference with globs and regular expressions only', () => {
    assert.equal(isBlocked('Quay.io/Acme/App', ['/Acme/']).blocked, true);
    assert.equal(isBlocked('Quay.io/Acme/App', ['quay.io/acme']).blocked, false);
  });
});

describe('compileBlockPattern', () => {
  const invalid: readonly (readonly [string, RegExp])[] = [
    ['', /is empty/],
    ['alpine', /does not name a registry host/],
    ['ubi9/ubi:latest', /does not name a registry host/],
    ['/foo(/', /is not a valid regular expression: Unterminated group/],
    ['//', /is an empty regular expression/],
    ['/foo/i', /starts with "\/" but does not end with one/],
    ['quay.io/acme/***', /has "\*\*\*"/],
    ['quay.io/acme/{a,b}*', /contains characters no image reference has/],
    ['quay.io/Acme/app', /repository names must be lower case/],
  ];
  for (const [pattern, message] of invalid) {
    it(`refuses ${JSON.stringify(pattern)}`, () => {
      assert.throws(
        () => compileBlockPattern(pattern),
        (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && message.test(err.message) && err.hint !== undefined,
      );
    });
  }

  it('tells the three forms apart', () => {
    assert.equal(compileBlockPattern('quay.io/acme').kind, 'reference');
    assert.equal(compileBlockPattern('quay.io/acme/*').kind, 'glob');
    assert.equal(compileBlockPattern('/acme/').kind, 'regex');
  });
});
