import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge } from '../../../src/registry/challenge';

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
    });
  });
  it('reads Basic', () => {
    assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
  });
  it('handles unquoted tokens, escapes and odd spacing', () => {
    assert.deepEqual(parseChallenge('bearer  realm=https://a/t , service="s\\"x"'), { scheme: 'bearer', params: { realm: 'https://a/t', service: 's"x' } });
  });
  it('skips schemes it does not speak', () => {
    assert.deepEqual(parseChallenge(['Negotiate abc', 'Basic realm="r"'])?.scheme, 'basic');
    assert.equal(parseChallenge('Negotiate'), undefined);
    assert.equal(parseChallenge(undefined), undefined);
  });
});
