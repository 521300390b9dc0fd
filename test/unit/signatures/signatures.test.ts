import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseReference } from '../../../src/reference';
import { mergeRegistriesD, parseRegistriesDFile } from '../../../src/registry/registries-d';
import { attachmentOf, attachmentTag, parseAttachmentTag, signaturePolicy, signaturesToPush, subjectReference } from '../../../src/signatures';

const HEX = 'c'.repeat(64);
const D = `sha256:${HEX}`;
const CHILD = `sha256:${'d'.repeat(64)}`;

function dir(text: string): ReturnType<typeof mergeRegistriesD> {
  return mergeRegistriesD('/d', [{ file: '/d/a.yaml', parsed: parseRegistriesDFile(text, '/d/a.yaml') }]);
}

describe('cosign tag scheme', () => {
  it('names and parses attachment tags', () => {
    assert.equal(attachmentTag(D, 'sig'), `sha256-${HEX}.sig`);
    assert.deepEqual(parseAttachmentTag(`sha256-${HEX}.att`), { digest: D, kind: 'att' });
    for (const tag of [`sha256-${HEX}`, `sha256-${HEX}.sig2`, `sha256-${HEX.slice(1)}.sig`, 'latest', `sha512-${HEX}.sig`]) assert.equal(parseAttachmentTag(tag), undefined, tag);
    assert.deepEqual(attachmentOf(`org/app:sha256-${HEX}.sbom`), { repository: 'org/app', digest: D, kind: 'sbom' });
    assert.equal(attachmentOf(`org/app:v1`), undefined);
  });
});

describe('--remove-signatures combined with registries.d', () => {
  const quay = parseReference('quay.io/org/app:1');
  const ghcr = parseReference('ghcr.io/org/app:1');
  const table: ReadonlyArray<readonly [string, Parameters<typeof signaturePolicy>[0], boolean | undefined, boolean | undefined]> = [
    ['the default removes them, whatever registries.d says', { registriesD: dir('default-docker:\n  use-sigstore-attachments: true\n') }, undefined, undefined],
    ['--remove-signatures=true removes them', { removeSignatures: true }, undefined, undefined],
    ['false without any configuration keeps all', { removeSignatures: false }, true, true],
    ['false with a scope turned off keeps the rest', { removeSignatures: false, registriesD: dir('docker:\n  quay.io:\n    use-sigstore-attachments: false\n') }, false, true],
    ['false with default-docker off keeps only the scopes turned on', { removeSignatures: false, registriesD: dir('default-docker:\n  use-sigstore-attachments: false\ndocker:\n  ghcr.io/org:\n    use-sigstore-attachments: true\n') }, false, true],
    ['false with a default-docker that does not set the key: containers/image default (off)', { removeSignatures: false, registriesD: dir('default-docker:\n  lookaside: https://x\n') }, false, false],
  ];
  for (const [what, settings, forQuay, forGhcr] of table) {
    it(what, () => {
      const policy = signaturePolicy(settings);
      assert.equal(policy?.(quay), forQuay);
      assert.equal(policy?.(ghcr), forGhcr);
    });
  }
});

describe('which attachments of a set are pushed on import', () => {
  const sigs = [
    { source: `quay.io/org/app:sha256-${HEX}.sig`, name: `org/app:sha256-${HEX}.sig` },
    { source: `quay.io/org/app:sha256-${'d'.repeat(64)}.att`, name: `org/app:sha256-${'d'.repeat(64)}.att` },
    { source: `quay.io/org/other:sha256-${HEX}.sig`, name: `org/other:sha256-${HEX}.sig` },
  ];
  const subjects = [{ name: 'org/app:1.0', digests: [D, CHILD] }];

  it('those of the images pushed (their own digest or a child), when kept', () => {
    assert.deepEqual(signaturesToPush(sigs, subjects, signaturePolicy({ removeSignatures: false })).map((s) => s.name), [sigs[0]?.name, sigs[1]?.name]);
    assert.deepEqual(signaturesToPush(sigs, subjects, undefined), []);
    const off = signaturePolicy({ removeSignatures: false, registriesD: dir(`docker:\n  quay.io/org/app@${D}:\n    use-sigstore-attachments: false\n`) });
    assert.deepEqual(signaturesToPush(sigs, subjects, off).map((s) => s.name), [sigs[1]?.name]);
  });

  it('asks registries.d about the image the attachment belongs to', () => {
    assert.deepEqual(subjectReference({ source: `quay.io/org/app:sha256-${HEX}.sig`, name: `org/app:sha256-${HEX}.sig` }), { registry: 'quay.io', repository: 'org/app', digest: D });
    assert.equal(subjectReference({ source: 'quay.io/org/app:1', name: 'org/app:1' }), undefined);
  });
});
