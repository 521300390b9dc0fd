import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type RegistryFixture } from '../../fixtures/registry';
import { seedRegistry, type PushedImage, type SeedEntry } from '../../fixtures/images';
import { runExport } from '../../../src/jobs/export';
import { runImport, type ImportOptions } from '../../../src/jobs/import';
import { runVerify, type VerifyJobReport } from '../../../src/jobs/verify';
import { loadOrCreateStationKey, publicKeyPem, trustKey } from '../../../src/keys';
import { blobEntryName, MAX_TRANSFER_MANIFEST_BYTES, readTransferManifest, type TransferManifest } from '../../../src/media';
import { AirlockError, isAirlockError } from '../../../src/errors';
import { iscLines, writeConfig } from '../export/helpers';
import { blobEntry, digestOf, fileEntry, ForgedSet, header, packTar, paxRecords, retype, snapshotTree, specialEntry, treeChanges, type TarEntry } from './forge';

// Media is untrusted input. Every set below is made from one real exported set and then made hostile,
// most of them as a compromised exporting station would: parts rewritten, transfer.json updated to
// match and signed with the station's own (trusted) key, SHA256SUMS rewritten. Only the structural
// checks of the importing side can catch those. Each import must be refused with an error that names
// the problem, push nothing, and write nothing outside the set's working-dir.

const KiB = 1024;
const ENTRIES: SeedEntry[] = [
  { repo: 'hostile/oci', tag: '1.0', spec: { seed: 'hostile-oci', format: 'oci', layers: [40 * KiB, 20 * KiB] } },
  { repo: 'hostile/docker', tag: '2.0', spec: { seed: 'hostile-docker', format: 'docker', layers: [30 * KiB] } },
];
/** Small parts, so that the set has more than one. */
const ARCHIVE_SIZE = 64 * KiB;
const MAX_SUMS_BYTES = 16 * 1024 * 1024;

type Blob = TransferManifest['blobs'][number];

interface CaseDirs {
  /** The case's own directory: the set's parent, snapshotted around the import. */
  readonly root: string;
  /** `root/set`: a copy of the exported set, made hostile. */
  readonly set: string;
  /** `root/outside`: what the set may point at but must never write to or read through. */
  readonly outside: string;
  forge(): Promise<ForgedSet>;
}

interface Expected {
  /** The error runImport throws; IMPORT_REFUSED (verification failed) unless said otherwise. */
  readonly error?: string;
  /** For IMPORT_REFUSED: a problem of the verification report that must be among the problems. */
  readonly problem?: { readonly code: string; readonly part?: string; readonly blob?: string; readonly file?: string; readonly message?: RegExp };
  /** The error's message must match this. */
  readonly message?: RegExp;
}

interface HostileCase {
  readonly name: string;
  readonly make: (dirs: CaseDirs) => Promise<void>;
  readonly expected: () => Expected;
  /** Import with --insecure-accept-untrusted. */
  readonly insecure?: boolean;
  /** What --from names, relative to the case root (default `set`). */
  readonly from?: string;
}

async function catalog(registry: RegistryFixture): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/_catalog`);
  return ((await res.json()) as { repositories: string[] }).repositories;
}

/** Every file under the registry's storage: none at all means nothing was ever uploaded. */
async function storedFiles(registry: RegistryFixture): Promise<string[]> {
  const entries = await readdir(registry.storageDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}

describe('import refuses hostile transfer sets', () => {
  let source: RegistryFixture;
  let target: RegistryFixture;
  let work: string;
  let golden: string;
  let manifest: TransferManifest;
  let exportData: string;
  let enclaveData: string;
  let pushed: PushedImage[];

  // Known once the set is exported.
  const firstPart = (): string => manifest.parts[0]?.name ?? '';
  const lastPart = (): string => manifest.parts[manifest.parts.length - 1]?.name ?? '';
  /** The blob with the highest offset in a part (a layer here): changing it moves no other entry. */
  const lastBlob = (part: string): Blob => {
    const blob = [...manifest.blobs].filter((b) => b.part === part).sort((a, b) => b.offset - a.offset)[0];
    assert.ok(blob, `no blob in ${part}`);
    return blob;
  };

  before(async () => {
    source = await startRegistry();
    target = await startRegistry();
    pushed = await seedRegistry(source, ENTRIES);
    work = await mkdtemp(join(tmpdir(), 'airlock-hostile-'));
    exportData = join(work, 'connected-data');
    enclaveData = join(work, 'enclave-data');
    await trustKey(enclaveData, publicKeyPem(await loadOrCreateStationKey(exportData)), 'connected station');
    const config = await writeConfig(join(work, 'config'), 'isc.yaml', iscLines(pushed.map((p) => p.reference)));
    golden = join(work, 'golden');
    await runExport({ configFile: config, workspace: golden, cacheDir: join(work, 'cache'), dataDir: exportData, srcTlsVerify: false, archiveSizeBytes: ARCHIVE_SIZE });
    await rm(join(golden, 'working-dir'), { recursive: true, force: true });
    manifest = await readTransferManifest(golden);
    assert.ok(manifest.parts.length >= 2, 'the set spans several parts');
    for (const part of manifest.parts) assert.equal(lastBlob(part.name).kind, 'layer');
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  let caseNumber = 0;
  async function caseDirs(name: string): Promise<CaseDirs> {
    const root = join(work, 'cases', `${String(++caseNumber).padStart(2, '0')}-${name}`);
    const set = join(root, 'set');
    const outside = join(root, 'outside');
    await cp(golden, set, { recursive: true });
    await mkdir(outside);
    await writeFile(join(outside, 'canary.txt'), 'must stay as it is\n');
    return { root, set, outside, forge: () => ForgedSet.open(set, exportData) };
  }

  /**
   * Imports from the case's set and checks the refusal: the error, the problem named, nothing in the
   * target registry, and nothing changed under the whole work directory but the set's working-dir and
   * the enclave's history.
   */
  async function importRefused(t: TestContext, dirs: CaseDirs, c: HostileCase, registry: RegistryFixture = target): Promise<AirlockError> {
    const before = await snapshotTree(work);
    const options: ImportOptions = { from: join(dirs.root, c.from ?? 'set'), target: `${registry.host}/enclave`, dataDir: enclaveData, destTlsVerify: false, ...(c.insecure ? { insecureAcceptUntrusted: true } : {}) };
    const error = await runImport(options).then(
      (report) => assert.fail(`the import of a hostile set succeeded: ${JSON.stringify(report.images)}`),
      (err: unknown) => err,
    );
    const expected = c.expected();
    assert.ok(isAirlockError(error), `not an AirlockError: ${String(error)}`);
    assert.equal(error.code, expected.error ?? 'IMPORT_REFUSED', error.message);
    if (expected.message) assert.match(error.message, expected.message);
    if (expected.problem) {
      const want = expected.problem;
      const report = (error as AirlockError & { report?: VerifyJobReport }).report;
      assert.ok(report, 'IMPORT_REFUSED carries the verification report');
      const hit = report.problems.find(
        (p) =>
          p.code === want.code &&
          (want.part === undefined || p.part === want.part) &&
          (want.blob === undefined || p.blob === want.blob) &&
          (want.file === undefined || p.file === want.file) &&
          (want.message === undefined || want.message.test(p.message)),
      );
      assert.ok(hit, `expected ${JSON.stringify({ ...want, message: want.message?.source })} among:\n${report.problems.map((p) => JSON.stringify(p)).join('\n')}`);
      // Clear: the operator sees that problem in the error itself.
      assert.ok(error.message.includes(hit.message), `the error does not show "${hit.message}":\n${error.message}`);
      t.diagnostic(`${error.code} / ${hit.code}: ${hit.message}`);
    } else {
      t.diagnostic(`${error.code}: ${error.message.split('\n')[0]}`);
    }

    assert.deepEqual(await catalog(registry), [], 'nothing was pushed');
    assert.deepEqual(await storedFiles(registry), [], 'nothing was uploaded');
    const changes = treeChanges(before, await snapshotTree(work), [`${join(dirs.root, 'set', 'working-dir').slice(work.length + 1)}`, 'enclave-data']);
    assert.deepEqual(changes, [], 'nothing changed outside the workspace');
    return error;
  }

  /** Appends entries to a part, after its legitimate entries and before its end marker. */
  const append = (part: () => string, ...entries: Array<(dirs: CaseDirs) => TarEntry>) => async (dirs: CaseDirs): Promise<void> => {
    const forged = await dirs.forge();
    (await forged.entries(part())).push(...entries.map((e) => e(dirs)));
    await forged.seal();
  };
  /** Replaces the entry of a blob in its part. */
  const replaceBlobEntry = (blob: () => Blob, make: (old: TarEntry) => TarEntry) => async (dirs: CaseDirs): Promise<void> => {
    const forged = await dirs.forge();
    const entries = await forged.entries(blob().part);
    const index = entries.findIndex((e) => e.header.name === blobEntryName(blob().digest));
    assert.ok(index >= 0);
    entries[index] = make(entries[index] as TarEntry);
    await forged.seal();
  };
  const editManifest = (edit: (forged: ForgedSet) => void) => async (dirs: CaseDirs): Promise<void> => {
    const forged = await dirs.forge();
    edit(forged);
    await forged.seal();
  };
  const forbidden = (part: () => string, message: RegExp) => (): Expected => ({ problem: { code: 'TAR_ENTRY_FORBIDDEN', part: part(), message } });
  const invalidManifest = (message: RegExp) => (): Expected => ({ problem: { code: 'MANIFEST_INVALID', file: 'transfer.json', message } });
  const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const evil = Buffer.from('#!/bin/sh\necho owned\n');

  const cases: HostileCase[] = [
    {
      name: 'an absolute path entry',
      make: append(firstPart, (d) => {
        const name = join(d.outside, 'absolute-owned');
        assert.ok(name.length <= 100, `${name} fits a ustar name field`);
        return fileEntry(name, evil);
      }),
      expected: forbidden(firstPart, /has an absolute path/),
    },
    {
      name: 'a ../ entry',
      make: append(firstPart, () => fileEntry('../evil', evil), () => fileEntry('blobs/sha256/../../../evil2', evil)),
      expected: forbidden(firstPart, /"\.\.\/evil" has a "\.\." component/),
    },
    {
      // What an extracting tar would turn into a write to /etc/passwd.
      name: "a symlink at a blob's name, followed by the blob (offsets updated to match)",
      make: async (dirs) => {
        const forged = await dirs.forge();
        const entries = await forged.entries(firstPart());
        const name = blobEntryName(lastBlob(firstPart()).digest);
        entries.splice(entries.findIndex((e) => e.header.name === name), 0, specialEntry(name, 'symlink', { linkname: '/etc/passwd' }));
        await forged.seal({ relocate: true });
      },
      expected: () => ({ problem: { code: 'TAR_ENTRY_FORBIDDEN', part: firstPart(), message: new RegExp(`"${escaped(blobEntryName(lastBlob(firstPart()).digest))}" -> "/etc/passwd" is a symlink`) } }),
    },
    {
      name: 'a symlink under a new name, then a file written through it',
      make: append(lastPart, () => specialEntry('blobs/sha256/escape', 'symlink', { linkname: '../../../outside' }), () => fileEntry('blobs/sha256/escape/canary.txt', evil)),
      expected: forbidden(lastPart, /"blobs\/sha256\/escape" -> "\.\.\/\.\.\/\.\.\/outside" is a symlink/),
    },
    {
      name: 'a hardlink',
      make: append(firstPart, () => specialEntry(blobEntryName(digestOf(Buffer.from('hardlink'))), 'link', { linkname: '/etc/passwd' })),
      expected: forbidden(firstPart, /-> "\/etc\/passwd" is a link/),
    },
    {
      name: 'a character device',
      make: append(firstPart, () => specialEntry('blobs/sha256/null', 'character-device', { devmajor: 1, devminor: 3 })),
      expected: forbidden(firstPart, /"blobs\/sha256\/null" is a character-device/),
    },
    {
      name: 'a block device',
      make: append(lastPart, () => specialEntry('blobs/sha256/sda', 'block-device', { devmajor: 8, devminor: 0 })),
      expected: forbidden(lastPart, /"blobs\/sha256\/sda" is a block-device/),
    },
    {
      name: 'a FIFO',
      make: append(firstPart, () => specialEntry('blobs/sha256/pipe', 'fifo')),
      expected: forbidden(firstPart, /"blobs\/sha256\/pipe" is a fifo/),
    },
    {
      name: 'a second copy of a blob with different content',
      make: append(firstPart, () => fileEntry(blobEntryName(lastBlob(firstPart()).digest), Buffer.alloc(lastBlob(firstPart()).size, 0x41))),
      expected: () => ({ problem: { code: 'TAR_ENTRY_DUPLICATE', part: firstPart(), blob: lastBlob(firstPart()).digest, message: /appears more than once/ } }),
    },
    {
      name: 'a blob entry longer in the tar than transfer.json says',
      make: replaceBlobEntry(() => lastBlob(lastPart()), (old) => fileEntry(old.header.name, Buffer.concat([old.data, evil]))),
      expected: () => {
        const blob = lastBlob(lastPart());
        return { problem: { code: 'TAR_ENTRY_SIZE', part: lastPart(), blob: blob.digest, message: new RegExp(`has ${blob.size + evil.byteLength} bytes, transfer.json says ${blob.size}`) } };
      },
    },
    {
      name: 'a blob size in transfer.json that disagrees with its tar entry',
      make: editManifest((f) => {
        f.blob(lastBlob(firstPart()).digest).size -= 1;
      }),
      expected: () => {
        const blob = lastBlob(firstPart());
        return { problem: { code: 'TAR_ENTRY_SIZE', part: firstPart(), blob: blob.digest, message: new RegExp(`has ${blob.size} bytes, transfer.json says ${blob.size - 1}`) } };
      },
    },
    {
      name: 'a blob in a part that is not in the set',
      make: editManifest((f) => {
        f.blob(lastBlob(lastPart()).digest).part = 'mirror_000009.tar';
      }),
      expected: invalidManifest(/"mirror_000009\.tar" is not one of the parts listed/),
    },
    {
      name: 'a blob in a file outside the set directory',
      make: async (dirs) => {
        await copyFile(join(dirs.set, firstPart()), join(dirs.root, 'decoy.tar'));
        await editManifest((f) => {
          f.blob(lastBlob(firstPart()).digest).part = '../decoy.tar';
        })(dirs);
      },
      expected: invalidManifest(/"\.\.\/decoy\.tar" is not one of the parts listed/),
    },
    {
      name: 'a blob offset beyond the end of its part',
      make: editManifest((f) => {
        const blob = f.blob(lastBlob(firstPart()).digest);
        blob.offset = (manifest.parts[0]?.size ?? 0) + 4096;
      }),
      expected: invalidManifest(/\.blobs\[\d+\]\.offset \d+ \(size \d+\) does not lie inside mirror_000001\.tar/),
    },
    {
      name: 'an image whose manifest is not among the blobs',
      make: editManifest((f) => {
        const image = f.manifest.images.find((i) => i.name === 'hostile/oci:1.0');
        assert.ok(image);
        image.digest = digestOf(Buffer.from('a manifest that is not in the set'));
      }),
      expected: invalidManifest(/\.images\[\d+\]\.digest sha256:[a-f0-9]{64} is not among the blobs of the set/),
    },
    {
      name: 'index.json that disagrees with transfer.json',
      make: async (dirs) => {
        const forged = await dirs.forge();
        const index = (await forged.entries(firstPart())).find((e) => e.header.name === 'index.json');
        assert.ok(index);
        // Same length, so nothing moves: only the content check can see it.
        index.data = Buffer.from(index.data.toString('utf8').replace('hostile/oci:1.0', 'hostile/xyz:1.0'));
        await forged.seal();
      },
      expected: () => ({ problem: { code: 'LAYOUT_MISMATCH', part: firstPart(), message: /index\.json does not have the content transfer\.json implies/ } }),
    },
    {
      name: 'a part that ends inside an entry (its blob dropped from transfer.json, every checksum and the signature updated)',
      make: async (dirs) => {
        const forged = await dirs.forge();
        const blob = lastBlob(lastPart());
        const bytes = await forged.partBytes(lastPart());
        forged.setPartBytes(lastPart(), bytes.subarray(0, blob.offset + 8 * KiB));
        forged.manifest.blobs = forged.manifest.blobs.filter((b) => b.digest !== blob.digest);
        await forged.seal();
      },
      expected: () => ({ problem: { code: 'TAR_INVALID', part: lastPart(), message: /is not a readable tar archive/ } }),
    },
    {
      name: 'a part that ends inside an entry (transfer.json still lists the blob)',
      make: async (dirs) => {
        const forged = await dirs.forge();
        const bytes = await forged.partBytes(lastPart());
        forged.setPartBytes(lastPart(), bytes.subarray(0, lastBlob(lastPart()).offset + 8 * KiB));
        await forged.seal();
      },
      expected: invalidManifest(/does not lie inside mirror_\d{6}\.tar/),
    },
    {
      name: 'data hidden after the end-of-archive marker',
      make: async (dirs) => {
        const forged = await dirs.forge();
        const tar = Buffer.concat([await packTar(await forged.entries(lastPart())), await packTar([fileEntry('../hidden', evil)])]);
        forged.setPartBytes(lastPart(), tar);
        await forged.seal();
      },
      expected: () => ({ problem: { code: 'TAR_ENTRY_MISPLACED', part: lastPart(), message: /"\.\.\/hidden" does not directly follow the previous entry/ } }),
    },
    {
      name: 'a pax header that renames an entry to a blob',
      make: append(firstPart, () => ({ header: header('innocent', { pax: { path: blobEntryName(lastBlob(firstPart()).digest) }, size: evil.byteLength }), data: evil })),
      expected: () => ({ problem: { code: 'TAR_ENTRY_FORBIDDEN', part: firstPart(), message: new RegExp(`"${escaped(blobEntryName(lastBlob(firstPart()).digest))}" comes with a pax extended header`) } }),
    },
    {
      name: 'a pax global header that renames the entries after it (offsets updated to match)',
      make: async (dirs) => {
        const forged = await dirs.forge();
        const entries = await forged.entries(firstPart());
        const at = entries.findIndex((e) => e.header.name === blobEntryName(lastBlob(firstPart()).digest));
        const before = await packTar(entries.slice(0, at), { trailer: false });
        const global = await packTar([fileEntry('pax_global_header', paxRecords({ path: '../../pwned' }))], { trailer: false });
        retype(global, 0, 'g');
        forged.setPartBytes(firstPart(), Buffer.concat([before, global, await packTar(entries.slice(at))]));
        // transfer.json follows the blob to its new offset: only the layout check can tell.
        await forged.seal({ relocate: true });
      },
      expected: () => ({ problem: { code: 'TAR_ENTRY_MISPLACED', part: firstPart(), message: /does not directly follow the previous entry/ } }),
    },
    {
      name: 'transfer.json changed and re-signed, SHA256SUMS not updated',
      make: async (dirs) => {
        const forged = await dirs.forge();
        forged.manifest.config += '# changed after SHA256SUMS was written\n';
        await forged.seal({ sums: false });
      },
      expected: () => ({ problem: { code: 'HASH_MISMATCH', file: 'transfer.json', message: /transfer\.json does not match SHA256SUMS/ } }),
    },
    {
      name: 'transfer.json and SHA256SUMS changed, signature not (with --insecure-accept-untrusted)',
      make: async (dirs) => {
        const forged = await dirs.forge();
        forged.manifest.config += '# changed after signing\n';
        await forged.seal({ sign: false });
      },
      insecure: true,
      expected: () => ({ problem: { code: 'SIGNATURE_UNTRUSTED', file: 'transfer.json.sig', message: /does not match trusted key .*: the signed data or the signature was changed/ } }),
    },
    {
      name: 'an unexpected file and directory in the set directory',
      make: async (dirs) => {
        await writeFile(join(dirs.set, 'install.sh'), evil);
        await mkdir(join(dirs.set, 'blobs'));
        await writeFile(join(dirs.set, 'blobs', 'x'), evil);
      },
      expected: () => ({ problem: { code: 'FILE_EXTRA', file: 'install.sh', message: /install\.sh is in the set directory but not part of the set/ } }),
    },
    {
      name: 'a part that is a symlink to an identical file elsewhere',
      make: async (dirs) => {
        await copyFile(join(dirs.set, firstPart()), join(dirs.outside, firstPart()));
        await rm(join(dirs.set, firstPart()));
        await symlink(join(dirs.outside, firstPart()), join(dirs.set, firstPart()));
      },
      expected: () => ({ problem: { code: 'FILE_NOT_REGULAR', part: firstPart(), message: /is not a regular file/ } }),
    },
    {
      name: 'a transfer.json that is a symlink to an identical file elsewhere',
      make: async (dirs) => {
        await copyFile(join(dirs.set, 'transfer.json'), join(dirs.outside, 'transfer.json'));
        await rm(join(dirs.set, 'transfer.json'));
        await symlink(join(dirs.outside, 'transfer.json'), join(dirs.set, 'transfer.json'));
      },
      expected: () => ({ problem: { code: 'FILE_NOT_REGULAR', file: 'transfer.json', message: /is a symbolic link/ } }),
    },
    {
      name: 'a set directory that is a symlink to somewhere else',
      make: async (dirs) => {
        await symlink(dirs.outside, join(dirs.root, 'set-link'));
      },
      from: 'set-link',
      expected: () => ({ problem: { code: 'MANIFEST_MISSING', file: 'transfer.json' } }),
    },
    {
      name: 'a transfer.json over the size limit (sparse)',
      make: async (dirs) => {
        await truncate(join(dirs.set, 'transfer.json'), MAX_TRANSFER_MANIFEST_BYTES + 1);
      },
      expected: () => ({ problem: { code: 'FILE_UNREADABLE', file: 'transfer.json', message: new RegExp(`has ${MAX_TRANSFER_MANIFEST_BYTES + 1} bytes, more than the ${MAX_TRANSFER_MANIFEST_BYTES}`) } }),
    },
    {
      name: 'a SHA256SUMS over the size limit (sparse)',
      make: async (dirs) => {
        await truncate(join(dirs.set, 'SHA256SUMS'), MAX_SUMS_BYTES + 1);
      },
      expected: () => ({ problem: { code: 'FILE_UNREADABLE', file: 'SHA256SUMS', message: /more than the \d+ a transfer set's SHA256SUMS may have/ } }),
    },
    {
      name: 'a manifest that names a layer the set does not carry',
      make: async (dirs) => {
        const forged = await dirs.forge();
        const missing = Buffer.from('a layer nobody shipped');
        await addManifestLayer(forged, 'hostile/oci:1.0', { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(missing), size: missing.byteLength });
      },
      expected: () => ({ error: 'IMPORT_BASE_MISSING', message: new RegExp(`does not carry 1 blob\\(s\\) its images need \\(e\\.g\\. ${digestOf(Buffer.from('a layer nobody shipped'))}\\) and .* does not have them; nothing was pushed`) }),
    },
    {
      name: "a working-dir/cluster-resources symlink pointing outside the set (valid set otherwise)",
      make: async (dirs) => {
        await mkdir(join(dirs.outside, 'precious'));
        await writeFile(join(dirs.outside, 'precious', 'keep.txt'), 'keep me\n');
        await mkdir(join(dirs.set, 'working-dir'));
        await symlink(join(dirs.outside, 'precious'), join(dirs.set, 'working-dir', 'cluster-resources'));
      },
      expected: () => ({ error: 'IMPORT_REFUSED', message: /working-dir\/cluster-resources is a symbolic link; .*; nothing was pushed/ }),
    },
    {
      name: 'a working-dir symlink pointing outside the set (valid set otherwise)',
      make: async (dirs) => {
        await symlink('../outside', join(dirs.set, 'working-dir'));
      },
      expected: () => ({ error: 'IMPORT_REFUSED', message: /working-dir is a symbolic link; .*; nothing was pushed/ }),
    },
  ];

  /**
   * Adds a layer descriptor to an image's manifest, as a buggy station would: the new manifest
   * becomes a blob of the first part, the image points at it, index.json is rebuilt, every offset is
   * recomputed, and the set is sealed. A set that verifies, then.
   */
  async function addManifestLayer(forged: ForgedSet, name: string, layer: { mediaType: string; digest: string; size: number; urls?: string[] }): Promise<string> {
    const image = forged.manifest.images.find((i) => i.name === name);
    assert.ok(image?.status === 'ok' && image.digest);
    const blob = forged.blob(image.digest);
    const bytes = (await forged.partBytes(blob.part)).subarray(blob.offset, blob.offset + blob.size);
    const json = JSON.parse(bytes.toString('utf8')) as { layers: unknown[] };
    json.layers.push(layer);
    const next = Buffer.from(JSON.stringify(json));
    const digest = digestOf(next);
    (await forged.entries(firstPart())).push(blobEntry(next));
    forged.manifest.blobs.push({ digest, size: next.byteLength, part: firstPart(), offset: 0, kind: 'manifest', mediaType: image.mediaType });
    image.digest = digest;
    image.size = next.byteLength;
    await forged.rebuildIndexJson();
    await forged.seal({ relocate: true });
    return digest;
  }

  it('the forge alone (every part repacked by tar-stream, re-signed, re-summed) keeps the set valid', async () => {
    const dirs = await caseDirs('baseline');
    const forged = await dirs.forge();
    for (const part of manifest.parts) await forged.entries(part.name);
    await forged.seal();
    const report = await runVerify({ dir: dirs.set, dataDir: enclaveData, record: false });
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    await rm(dirs.root, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`refuses ${c.name}`, async (t) => {
      const dirs = await caseDirs(c.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 40));
      await c.make(dirs);
      await importRefused(t, dirs, c);
      await rm(dirs.root, { recursive: true, force: true });
    });
  }

  it('does not fetch a foreign layer a manifest points at by URL', async (t) => {
    const connections: string[] = [];
    const listener: Server = createServer((socket) => {
      connections.push(String(socket.remoteAddress));
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const own = await startRegistry();
    try {
      const port = (listener.address() as { port: number }).port;
      const dirs = await caseDirs('foreign-layer');
      const forged = await dirs.forge();
      const foreign = Buffer.from('a non-distributable layer');
      const url = `http://127.0.0.1:${port}/foreign/layer.tar.gz`;
      // Docker's foreign layer: the registry accepts the manifest without the blob, clients fetch it from the URL.
      const manifestDigest = await addManifestLayer(forged, 'hostile/docker:2.0', { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: digestOf(foreign), size: foreign.byteLength, urls: [url] });
      assert.equal((await runVerify({ dir: dirs.set, dataDir: enclaveData, record: false })).ok, true, 'the forged set is valid');

      const before = await snapshotTree(work);
      const report = await runImport({ from: dirs.set, target: `${own.host}/enclave`, dataDir: enclaveData, destTlsVerify: false, retry: { times: 0, delayMs: 0 } });
      const image = report.images.find((i) => i.destination.endsWith('hostile/docker:2.0'));
      t.diagnostic(`foreign layer: image ${image?.status}${image?.error ? ` (${image.error})` : ''}; ${connections.length} connection(s) to ${url}`);
      assert.deepEqual(connections, [], 'nothing connected to the foreign URL');
      // Skipped, not fetched: the registry never received that layer.
      const head = await fetch(`${own.url}/v2/enclave/hostile/docker/blobs/${digestOf(foreign)}`, { method: 'HEAD' });
      assert.equal(head.status, 404);
      // Whether the registry takes a manifest with a foreign URL is its own policy (distribution 2.8
      // as packaged refuses it: "invalid URL on layer"); either way the image names what happened.
      if (image?.status === 'pushed') assert.equal(image.digest, manifestDigest);
      else assert.match(image?.error ?? '', new RegExp(`PUT manifest ${escaped(own.host)}/enclave/hostile/docker@${manifestDigest}`));
      assert.equal(report.images.find((i) => i.destination.endsWith('hostile/oci:1.0'))?.status, 'pushed');
      assert.deepEqual(treeChanges(before, await snapshotTree(work), [join(dirs.root, 'set', 'working-dir').slice(work.length + 1), 'enclave-data']), []);
      await rm(dirs.root, { recursive: true, force: true });
    } finally {
      await own.stop();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });

  it('still imports a set whose working-dir is an ordinary directory left by an earlier run', async () => {
    const own = await startRegistry();
    try {
      const dirs = await caseDirs('working-dir-ok');
      await mkdir(join(dirs.set, 'working-dir', 'cluster-resources'), { recursive: true });
      await writeFile(join(dirs.set, 'working-dir', 'cluster-resources', 'old.yaml'), 'kind: Old\n');
      const report = await runImport({ from: dirs.set, target: `${own.host}/enclave`, dataDir: enclaveData, destTlsVerify: false });
      assert.deepEqual(report.images.map((i) => i.status), ['pushed', 'pushed']);
      assert.deepEqual((await readdir(join(dirs.set, 'working-dir', 'cluster-resources'))).sort(), ['itms-airlock.yaml']);
      assert.ok((await readFile(join(dirs.outside, 'canary.txt'), 'utf8')).startsWith('must stay'));
    } finally {
      await own.stop();
    }
  });
});
