import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isAirlockError } from '../../../src/errors';
import { workingDir } from '../../../src/paths';
import { generateClusterResources, IDMS_FILE, ITMS_FILE, renderClusterResourceFiles, writeClusterResources, type ClusterResource } from '../../../src/resources';
import { META, sampleImages, shuffled } from './fixtures';

describe('writeClusterResources', () => {
  let workspace: string;
  let dir: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'airlock-resources-'));
    dir = workingDir(workspace).clusterResources;
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  const resources = (): ClusterResource[] => generateClusterResources({ images: sampleImages(), meta: META });

  it('creates working-dir/cluster-resources and returns the files it wrote, sorted', async () => {
    const written = await writeClusterResources(dir, resources());
    assert.equal(dir, join(workspace, 'working-dir', 'cluster-resources'));
    assert.deepEqual(written, [join(dir, IDMS_FILE), join(dir, ITMS_FILE)]);
    assert.deepEqual(readdirSync(dir).sort(), [IDMS_FILE, ITMS_FILE]);
    for (const file of renderClusterResourceFiles(resources())) {
      assert.equal(readFileSync(join(dir, file.name), 'utf8'), file.content);
    }
  });

  it('writes byte-identical files for the same set in another order, in another workspace', async () => {
    const other = mkdtempSync(join(tmpdir(), 'airlock-resources-'));
    try {
      const first = await writeClusterResources(dir, resources());
      const again = generateClusterResources({ images: shuffled(sampleImages(), 7), meta: META });
      const second = await writeClusterResources(workingDir(other).clusterResources, shuffled(again, 3));
      assert.equal(first.length, second.length);
      first.forEach((file, i) => assert.ok(readFileSync(file).equals(readFileSync(second[i] as string)), file));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('replaces the files of an earlier run and removes the ones this run does not write', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, IDMS_FILE), 'old\n');
    writeFileSync(join(dir, `.${IDMS_FILE}.0123abcd.airlock-tmp`), 'half');
    writeFileSync(join(dir, 'cs-redhat-operator-index-v4-19.yaml'), 'from an earlier run\n');
    await writeClusterResources(dir, resources());
    // oc apply -f <dir> must apply exactly this run's resources.
    assert.deepEqual(readdirSync(dir).sort(), [IDMS_FILE, ITMS_FILE]);
    assert.notEqual(readFileSync(join(dir, IDMS_FILE), 'utf8'), 'old\n');
  });

  it('leaves an empty directory for no resources, clearing an earlier run', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ITMS_FILE), 'old\n');
    assert.deepEqual(await writeClusterResources(dir, []), []);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('refuses an invalid resource before writing anything', async () => {
    const list = resources();
    const [first] = list;
    assert.ok(first);
    const bad = { ...first, metadata: { ...first.metadata, name: 'Bad Name' } } as ClusterResource;
    await assert.rejects(writeClusterResources(dir, [...list.slice(1), bad]), (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCE_INVALID'));
    assert.deepEqual(readdirSync(workspace), []);
  });

  it('reports a failed write with the file and leaves no temp file behind', async () => {
    mkdirSync(join(dir, ITMS_FILE), { recursive: true }); // a directory where the file should go: rename fails
    await assert.rejects(
      writeClusterResources(dir, resources()),
      (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCES_WRITE_FAILED') && err.context.file === join(dir, ITMS_FILE),
    );
    assert.deepEqual(readdirSync(dir).sort(), [IDMS_FILE, ITMS_FILE]);
  });

  it('reports a workspace it cannot create', async () => {
    const blocked = join(workspace, 'file');
    writeFileSync(blocked, '');
    await assert.rejects(writeClusterResources(join(blocked, 'cluster-resources'), resources()), (err: unknown) => isAirlockError(err, 'CLUSTER_RESOURCES_WRITE_FAILED'));
  });
});
