/**
 * The station's settings, persisted as settings.json in the station directory (the default data
 * directory, $AIRLOCK_DATA_DIR or the XDG one). `dataDir` may point history, keys and credentials
 * elsewhere; settings.json itself always stays where Airlock looks for it first.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AirlockError } from '../../src/errors';
import type { Settings, SettingsPatch } from '../ipc/contract';

export const SETTINGS_FILE = 'settings.json';

export function defaultSettings(stationDir: string, cacheDir: string): Settings {
  return { dataDir: stationDir, cacheDir, parallelImages: 4, parallelLayers: 5, retryTimes: 2, retryDelayMs: 1000, operator: '', registriesDir: '' };
}

const LIMITS: Readonly<Record<'parallelImages' | 'parallelLayers' | 'retryTimes' | 'retryDelayMs', readonly [number, number]>> = {
  parallelImages: [1, 32],
  parallelLayers: [1, 32],
  retryTimes: [0, 10],
  retryDelayMs: [0, 60_000],
};

/** Keeps the known, well-formed fields of a settings.json someone may have edited by hand. */
export function mergeSettings(base: Settings, raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return base;
  const r = raw as Record<string, unknown>;
  const path = (v: unknown, fallback: string): string => (typeof v === 'string' && isAbsolute(v) ? v : fallback);
  const num = (key: keyof typeof LIMITS): number => {
    const v = r[key];
    const [min, max] = LIMITS[key];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : base[key];
  };
  return {
    dataDir: path(r.dataDir, base.dataDir),
    cacheDir: path(r.cacheDir, base.cacheDir),
    parallelImages: num('parallelImages'),
    parallelLayers: num('parallelLayers'),
    retryTimes: num('retryTimes'),
    retryDelayMs: num('retryDelayMs'),
    operator: typeof r.operator === 'string' ? r.operator.slice(0, 100) : base.operator,
    // Empty is a choice here (where containers tools look), not a missing value.
    registriesDir: r.registriesDir === '' ? '' : path(r.registriesDir, base.registriesDir),
  };
}

export class SettingsStore {
  private current: Settings;

  private constructor(
    private readonly file: string,
    initial: Settings,
  ) {
    this.current = initial;
  }

  /** Reads settings.json from stationDir (absent: defaults). A corrupt file is an error, not a silent reset. */
  static async open(stationDir: string, cacheDir: string): Promise<SettingsStore> {
    const file = join(stationDir, SETTINGS_FILE);
    const defaults = defaultSettings(stationDir, cacheDir);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new AirlockError('SETTINGS_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, { context: { file }, cause: err });
      }
    }
    if (text === undefined) return new SettingsStore(file, defaults);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new AirlockError('SETTINGS_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, {
        context: { file },
        hint: `fix or remove ${file}; Airlock then starts with default settings`,
        cause: err,
      });
    }
    return new SettingsStore(file, mergeSettings(defaults, raw));
  }

  get(): Settings {
    return this.current;
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    const next: Settings = { ...this.current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    await this.write(next);
    this.current = next;
    return next;
  }

  private async write(settings: Settings): Promise<void> {
    const dir = join(this.file, '..');
    const temp = join(dir, `.settings.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(settings, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw new AirlockError('SETTINGS_UNWRITABLE', `cannot write ${this.file}: ${(err as Error).message}`, {
        context: { file: this.file },
        hint: 'check that the data directory is writable by this user',
        cause: err,
      });
    }
  }
}
