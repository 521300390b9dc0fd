import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultSettings, mergeSettings, SettingsStore } from '../../../../main/services/settings';
import { isAirlockError } from '../../../../src/errors';

describe('settings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-settings-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('starts from defaults and persists updates as JSON in the data directory', async () => {
    const station = join(dir, 'a');
    const store = await SettingsStore.open(station, '/cache');
    assert.deepEqual(store.get(), defaultSettings(station, '/cache'));
    await store.update({ parallelImages: 8, operator: 'alice', retryTimes: undefined });
    const onDisk = JSON.parse(await readFile(join(station, 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(onDisk.parallelImages, 8);
    assert.equal(onDisk.retryTimes, 2);
    assert.equal((await SettingsStore.open(station, '/cache')).get().operator, 'alice');
  });

  it('keeps only well-formed values of a hand-edited file', () => {
    const base = defaultSettings('/data', '/cache');
    assert.deepEqual(mergeSettings(base, { parallelImages: 0, parallelLayers: 6, dataDir: 'relative', cacheDir: '/big/cache', operator: 7, extra: true }), { ...base, parallelLayers: 6, cacheDir: '/big/cache' });
    assert.deepEqual(mergeSettings(base, ['not', 'an', 'object']), base);
  });

  it('keeps a registries.d folder, or empty for where containers tools look, and drops a relative one', () => {
    const base = defaultSettings('/data', '/cache');
    assert.equal(base.registriesDir, '');
    assert.equal(mergeSettings(base, { registriesDir: '/etc/airlock/registries.d' }).registriesDir, '/etc/airlock/registries.d');
    const chosen = { ...base, registriesDir: '/etc/airlock/registries.d' };
    assert.equal(mergeSettings(chosen, { registriesDir: '' }).registriesDir, '');
    assert.equal(mergeSettings(chosen, { registriesDir: 'relative/registries.d' }).registriesDir, '/etc/airlock/registries.d');
    assert.equal(mergeSettings(base, {}).registriesDir, '', 'an older settings.json without the field');
  });

  it('reports a settings file that is not JSON instead of silently resetting it', async () => {
    const station = join(dir, 'b');
    await mkdir(station);
    await writeFile(join(station, 'settings.json'), '{ oops');
    await assert.rejects(SettingsStore.open(station, '/cache'), (err: unknown) => isAirlockError(err, 'SETTINGS_INVALID'));
  });
});
