import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existingGraphImageReference } from '../../../src/releases/graph-image';

const D = `sha256:${'a'.repeat(64)}`;

describe('existingGraphImageReference: where an enclave finds the graph image it reuses', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['beside payloads an import put under a path', `enterprise.example:5000/mirror/openshift/release-images@${D}`, 'enterprise.example:5000/mirror/openshift/graph-image:latest'],
    ['beside payloads an import put at the root', `enterprise.example/openshift/release-images@${D}`, 'enterprise.example/openshift/graph-image:latest'],
    ['a deeper path', `r.example/a/b/openshift/release-images:4.19.0-x86_64`, 'r.example/a/b/openshift/graph-image:latest'],
    ['payloads in another layout: the registry root', `r.example/openshift-release-dev/ocp-release@${D}`, 'r.example/openshift/graph-image:latest'],
    ['a look-alike repository is not the layout', `r.example/x/myopenshift/release-images@${D}`, 'r.example/openshift/graph-image:latest'],
  ];
  for (const [name, payload, expected] of cases) it(name, () => assert.equal(existingGraphImageReference(payload), expected));
});
