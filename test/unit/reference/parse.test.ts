import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReference, parseReference } from '../../../src/reference';
import { isAirlockError } from '../../../src/errors';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  const valid: Array<[string, string, { registry: string; repository: string; tag?: string; digest?: string }]> = [
    ['official image', 'ubuntu', { registry: 'docker.io', repository: 'library/ubuntu' }],
    ['hub namespace', 'bitnami/redis:7', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' }],
    ['index.docker.io alias', 'index.docker.io/library/busybox:1', { registry: 'docker.io', repository: 'library/busybox', tag: '1' }],
    ['host with port', '127.0.0.1:5000/a/b:v1', { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'v1' }],
    ['localhost', 'localhost/x', { registry: 'localhost', repository: 'x' }],
    ['digest', `quay.io/org/app@${D}`, { registry: 'quay.io', repository: 'org/app', digest: D }],
    ['tag and digest', `quay.io/org/app:1.0@${D}`, { registry: 'quay.io', repository: 'org/app', tag: '1.0', digest: D }],
    ['docker:// prefix', 'docker://registry.redhat.io/ubi9/ubi:latest', { registry: 'registry.redhat.io', repository: 'ubi9/ubi', tag: 'latest' }],
    ['upper-case host', 'Quay.IO/org/app', { registry: 'quay.io', repository: 'org/app' }],
    ['separators', 'r.io/a__b/c-d--e/f.g_h', { registry: 'r.io', repository: 'a__b/c-d--e/f.g_h' }],
    ['ipv6', '[::1]:5000/a:b', { registry: '[::1]:5000', repository: 'a', tag: 'b' }],
  ];
  for (const [name, input, expected] of valid) {
    it(`parses ${name}`, () => {
      assert.deepEqual(parseReference(input), expected);
    });
  }

  const invalid: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['upper-case path', 'quay.io/Org/app', /lower case/],
    ['bad tag', 'quay.io/org/app:-x', /not a valid tag/],
    ['short digest', 'quay.io/org/app@sha256:abc', /not a digest/],
    ['uppercase sha256', `quay.io/org/app@sha256:${'A'.repeat(64)}`, /not a sha256 digest/],
    ['bad port', 'quay.io:abc/org/app', /not a valid tag|not a number/],
    ['empty component', 'quay.io//app', /empty component/],
    ['space', 'quay.io/org/app :1', /white space/],
  ];
  for (const [name, input, message] of invalid) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseReference(input), (err: unknown) => isAirlockError(err, 'REFERENCE_INVALID') && message.test(err.message) && err.context.image === input);
    });
  }

  it('requires a registry host when asked', () => {
    assert.throws(() => parseReference('ubi9/ubi:latest', { requireRegistry: true }), /does not name a registry host/);
    assert.equal(parseReference('registry.access.redhat.com/ubi9/ubi:latest', { requireRegistry: true }).registry, 'registry.access.redhat.com');
  });

  it('formats back to the canonical form', () => {
    assert.equal(formatReference(parseReference('redis')), 'docker.io/library/redis');
    assert.equal(formatReference(parseReference(`quay.io/a/b:1@${D}`)), `quay.io/a/b:1@${D}`);
  });
});
