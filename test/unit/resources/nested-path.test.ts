import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { nestedPath } from '../../../src/resources';

describe('nestedPath', () => {
  const cases: readonly (readonly [string, number, string])[] = [
    ['a/b/c', 0, 'a/b/c'],
    ['a/b/c', 3, 'a/b/c'],
    ['a/b/c', 10, 'a/b/c'],
    ['a/b/c', 2, 'a/b-c'],
    ['a/b/c/d', 2, 'a/b-c-d'],
    ['a/b/c/d', 3, 'a/b/c-d'],
    ['a/b/c', 1, 'a-b-c'],
    ['app', 1, 'app'],
    ['mirror/openshift/release-images', 2, 'mirror/openshift-release-images'],
    ['mirror/openshift-release-dev/ocp-v4.0-art-dev', 2, 'mirror/openshift-release-dev-ocp-v4.0-art-dev'],
    ['mirror/redhat/redhat-operator-index', 1, 'mirror-redhat-redhat-operator-index'],
  ];
  for (const [path, max, expected] of cases) {
    it(`${path} with ${max} -> ${expected}`, () => {
      const out = nestedPath(path, max);
      assert.equal(out, expected);
      if (max > 0) assert.ok(out.split('/').length <= max);
    });
  }

  const bad: readonly (readonly [string, number])[] = [
    ['a/b', -1],
    ['a/b', 1.5],
    ['a/b', Number.NaN],
    ['a/b', Number.POSITIVE_INFINITY],
    ['', 2],
    ['a//b', 2],
    ['/a/b', 2],
    ['a/b/', 2],
  ];
  for (const [path, max] of bad) {
    it(`refuses ${JSON.stringify(path)} with ${max}`, () => {
      assert.throws(() => nestedPath(path, max), (err: unknown) => isAirlockError(err, 'MAX_NESTED_PATHS_INVALID'));
    });
  }
});
