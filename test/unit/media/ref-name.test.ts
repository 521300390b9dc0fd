import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidRefName } from '../../../src/media/ref-name';

// The same verdicts skopeo 1.9.3 gave for `skopeo copy oci:<dir>:<name> dir:<tmp>` on a layout
// listing each name (checked by hand; the accepted forms are also exercised by the integration test).
describe('isValidRefName', () => {
  const table: readonly (readonly [string, boolean])[] = [
    ['ubi9/ubi:latest', true],
    ['openshift/release:4.19.0-x86_64', true],
    ['registry.example.com:5000/ns/img:tag', true],
    ['Upper/Case:Tag', true],
    ['a--b/c+d@e:1', true],
    [`multi/arch@sha256:${'a'.repeat(64)}`, true],
    ['a/b/c/d/e:tag', true],
    ['a__b:1', false],
    ['a---b:1', false],
    ['x:v1-', false],
    ['x:_v1', false],
    ['sp ace:1', false],
    ['x/:1', false],
    ['/abs:1', false],
    ['', false],
    ['a'.repeat(513), false],
  ];
  for (const [name, ok] of table) {
    it(`${ok ? 'accepts' : 'refuses'} ${JSON.stringify(name.length > 40 ? `${name.slice(0, 37)}...` : name)}`, () => assert.equal(isValidRefName(name), ok));
  }
});
