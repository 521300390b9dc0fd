import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startRegistry, type RegistryFixture } from '../test/fixtures/registry';
import { buildArtifact, pushImage, type PushedImage } from '../test/fixtures/images';
import { isLayerMode, isScale, workload, type LayerMode, type Scale, type WorkloadImage } from './workload';

/**
 * `npm run bench`: Airlock's mirror-to-disk against `skopeo copy --all` on the same generated image
 * set, served by a real registry on 127.0.0.1. Prints a table and writes bench-results/bench-<time>.json.
 * See the Benchmark section of README.md.
 */

const REPO = resolve(__dirname, '..');
const RESULTS_DIR = join(REPO, 'bench-results');
const MB = 1e6;
const GOALS = { throughputRatio: 2, verifyRatio: 2.5, peakRssBytes: 300 * MB } as const;

const USAGE = `usage: npm run bench -- [options]
  --scale small|full   image set size: full is about 4 GB unique in 40 images (default; $BENCH_SCALE),
                       small about 0.3 GB in 16 images
  --layers gzip|mixed  gzip: every layer stored-gzip (default); mixed: some layers are uncompressed
                       tars, which skopeo recompresses into its OCI layout
  --engine auto|built|compiled|source
                       built: dist/ (only when newer than src/); compiled: src/ compiled by tsc into
                       .tmp/bench-engine first (not timed); source: src/ through tsx (slower start,
                       more memory); default auto: built when fresh, else compiled
  --tmp <dir>          where the registry, cache, transfer set and skopeo layout go (default $BENCH_TMPDIR
                       or the system temp dir): this is the disk being measured
  --profile            also write V8 CPU profiles of the Airlock process to bench-results/
  --keep               keep the temp directory (registry storage, cache, set, layout)
  --help`;

interface Options {
  readonly scale: Scale;
  readonly layers: LayerMode;
  readonly engine: 'auto' | 'built' | 'compiled' | 'source';
  readonly tmp: string;
  readonly profile: boolean;
  readonly keep: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: process.env.BENCH_SCALE ?? 'full' },
      layers: { type: 'string', default: 'gzip' },
      engine: { type: 'string', default: 'auto' },
      tmp: { type: 'string', default: process.env.BENCH_TMPDIR ?? tmpdir() },
      profile: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const scale = values.scale ?? 'full';
  if (!isScale(scale)) throw new UsageError(`--scale must be small or full, not ${JSON.stringify(scale)}`);
  const layers = values.layers ?? 'gzip';
  if (!isLayerMode(layers)) throw new UsageError(`--layers must be gzip or mixed, not ${JSON.stringify(layers)}`);
  const engine = values.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'built' && engine !== 'compiled' && engine !== 'source') {
    throw new UsageError(`--engine must be auto, built, compiled or source, not ${JSON.stringify(engine)}`);
  }
  return { scale, layers, engine, tmp: resolve(values.tmp ?? tmpdir()), profile: values.profile ?? false, keep: values.keep ?? false };
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Small helpers

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes >= 10 * MB ? 0 : 1)} MB`;
}

function secs(s: number): string {
  return `${s.toFixed(s >= 100 ? 0 : s >= 10 ? 1 : 2)} s`;
}

function rate(bytes: number, seconds: number): number {
  return bytes / MB / seconds;
}

function toolVersion(command: string, args: readonly string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0];
}

/** Fails early, with the fix, when a tool the bench needs is missing. */
function preflight(): { skopeo: string; registry: string } {
  const missing: string[] = [];
  const skopeo = toolVersion('skopeo', ['--version']);
  if (!skopeo) missing.push('skopeo');
  const registry = toolVersion('docker-registry', ['--version']);
  if (!registry) missing.push('docker-registry');
  if (!toolVersion('sha256sum', ['--version'])) missing.push('coreutils (sha256sum)');
  if (missing.length > 0) {
    throw new UsageError(
      `the benchmark needs ${missing.join(', ')} on the PATH: it runs a real registry and skopeo, like the integration tests.\n` +
        'On Debian/Ubuntu as root: apt-get install --no-install-recommends docker-registry skopeo (bash .ci/run installs them with the rest).',
    );
  }
  if (!existsSync(join(REPO, 'node_modules', 'tsx'))) throw new UsageError('node_modules/tsx is missing: run npm ci first');
  return { skopeo: skopeo ?? '', registry: registry ?? '' };
}

function listFiles(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, ext));
    else if (entry.name.endsWith(ext)) out.push(path);
  }
  return out;
}

/** dist/ counts as the engine only when every source file has a compiled file at least as new. */
function builtIsFresh(): boolean {
  if (!existsSync(join(REPO, 'dist', 'src', 'jobs', 'export.js'))) return false;
  for (const ts of listFiles(join(REPO, 'src'), '.ts')) {
    if (ts.endsWith('.d.ts')) continue;
    const js = join(REPO, 'dist', relative(REPO, ts)).replace(/\.ts$/, '.js');
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(ts).mtimeMs) return false;
  }
  return true;
}

interface Engine {
  readonly kind: 'built' | 'compiled' | 'source';
  /** Node arguments that run the CLI (before its own arguments). */
  readonly cli: readonly string[];
  readonly verifyArgs: (dir: string) => string[];
  /** Removes what preparing the engine created. */
  readonly dispose: () => Promise<void>;
}

const COMPILED_DIR = join(REPO, '.tmp', 'bench-engine');

/**
 * The engine as it ships: dist/ when it is fresh, else the sources compiled with tsc into
 * .tmp/bench-engine (gitignored; not timed), else (`--engine source`) the sources through tsx,
 * which costs start-up time and memory a user never pays.
 */
function engineFor(choice: Options['engine']): Engine {
  const tsx = ['--require', 'tsx/cjs'];
  const verifyScript = join(REPO, 'bench', 'verify-set.ts');
  const compiledEngine = (kind: 'built' | 'compiled', out: string, dispose: () => Promise<void>): Engine => ({
    kind,
    cli: [join(out, 'src', 'cli', 'main.js')],
    verifyArgs: (dir) => [...tsx, verifyScript, join(out, 'src', 'media', 'index.js'), dir],
    dispose,
  });
  const fresh = builtIsFresh();
  if (choice === 'built' && !fresh) throw new UsageError('--engine built: dist/ is missing or older than src/; run npm run build:engine first, or use --engine compiled');
  if (choice === 'built' || (choice === 'auto' && fresh)) return compiledEngine('built', join(REPO, 'dist'), async () => undefined);
  if (choice === 'source') {
    return {
      kind: 'source',
      // bin/airlock.js would prefer a stale dist/; run the sources through tsx directly.
      cli: [...tsx, join(REPO, 'src', 'cli', 'main.ts')],
      verifyArgs: (dir) => [...tsx, verifyScript, join(REPO, 'src', 'media', 'index.ts'), dir],
      dispose: async () => undefined,
    };
  }
  log(`compiling the engine into ${relative(REPO, COMPILED_DIR)} (tsc, not timed)`);
  const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', COMPILED_DIR], { cwd: REPO, encoding: 'utf8' });
  const entry = join(COMPILED_DIR, 'src', 'cli', 'main.js');
  if (!existsSync(entry)) throw new Error(`tsc did not produce ${entry}:\n${tsc.stdout}${tsc.stderr}`);
  // Type errors still emit JavaScript; others may be mid-change in src/, so only say so.
  if (tsc.status !== 0) log(`  (tsc reported type errors; the emitted JavaScript is used anyway)\n${tsc.stdout.trim().split('\n').slice(0, 5).join('\n')}`);
  return compiledEngine('compiled', COMPILED_DIR, () => rm(COMPILED_DIR, { recursive: true, force: true }));
}

// ---------------------------------------------------------------------------------------------
// Children: every one is tracked so an interrupt or a failure leaves nothing running.

const children = new Set<ChildProcess>();

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly seconds: number;
  readonly stderr: string;
}

interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly onStdoutLine?: (line: string, at: number) => void;
  readonly onSpawn?: (child: ChildProcess) => void;
}

/** Runs a command to its end; `seconds` is wall time from spawn to exit. Keeps the stderr tail. */
function runTimed(command: string, args: readonly string[], options: RunOptions = {}): Promise<Finished> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd ?? REPO, stdio: ['ignore', options.onStdoutLine ? 'pipe' : 'ignore', 'pipe'] });
    children.add(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    if (options.onStdoutLine && child.stdout) {
      let pending = '';
      const onLine = options.onStdoutLine;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const at = (performance.now() - started) / 1000;
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          onLine(pending.slice(0, nl), at);
          pending = pending.slice(nl + 1);
        }
      });
    }
    child.once('error', (err) => {
      children.delete(child);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.once('spawn', () => options.onSpawn?.(child));
    child.once('close', (code, signal) => {
      children.delete(child);
      resolvePromise({ code, signal, seconds: (performance.now() - started) / 1000, stderr });
    });
  });
}

function failed(what: string, result: Finished): Error {
  return new Error(`${what} failed (${result.signal ?? `exit code ${String(result.code)}`}):\n${result.stderr.trim().split('\n').slice(-30).join('\n')}`);
}

function syncDisks(): void {
  // Flushes dirty pages left by the previous step, so it does not slow the next measured one.
  spawnSync('sync');
}

// ---------------------------------------------------------------------------------------------
// The image set

interface Generated {
  readonly pushed: PushedImage[];
  readonly uniqueBytes: number;
  readonly uniqueBlobs: number;
  readonly seconds: number;
}

/** Every distinct blob and manifest of the images, and their total size. */
function uniqueContent(pushed: readonly PushedImage[]): { bytes: number; blobs: number } {
  const seen = new Map<string, number>();
  for (const image of pushed) {
    for (const m of [image, ...(image.children ?? [])]) {
      seen.set(m.digest, m.size);
      for (const b of m.blobs) seen.set(b.digest, b.size);
    }
  }
  return { bytes: [...seen.values()].reduce((a, b) => a + b, 0), blobs: seen.size };
}

/** An upper bound of the set's unique bytes before anything is built (shared bases counted once). */
function estimateUniqueBytes(images: readonly WorkloadImage[]): number {
  const shared = new Map<string, number>();
  let own = 0;
  for (const { spec } of images) {
    const layerLists = spec.kind === 'index' ? (spec.platforms ?? []).map((p) => p.layers ?? spec.layers ?? []) : [spec.layers ?? []];
    for (const layers of layerLists) {
      for (const layer of layers) {
        if (typeof layer === 'number') own += layer + 4096;
        else if (layer.seed !== undefined) shared.set(`${layer.seed}/${layer.size}`, layer.size + 4096);
        else own += layer.size + 4096;
      }
    }
  }
  return own + [...shared.values()].reduce((a, b) => a + b, 0);
}

/**
 * Builds each image with the fixtures' deterministic builder and pushes it with skopeo, two at a
 * time; each build directory is removed once pushed, so the disk holds at most two of them.
 */
async function generate(registry: RegistryFixture, images: readonly WorkloadImage[], buildRoot: string): Promise<Generated> {
  const started = performance.now();
  const pushed = new Array<PushedImage>(images.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < images.length) {
      const index = next++;
      const image = images[index] as WorkloadImage;
      const dir = join(buildRoot, `image-${index}`);
      try {
        const artifact = await buildArtifact(image.spec, dir);
        pushed[index] = await pushImage(registry, artifact, image.repo, image.tag);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      done++;
      if (done % 5 === 0 || done === images.length) log(`  generated ${done} of ${images.length} images (${secs((performance.now() - started) / 1000)})`);
    }
  };
  await Promise.all([worker(), worker()]);
  const { bytes, blobs } = uniqueContent(pushed);
  return { pushed, uniqueBytes: bytes, uniqueBlobs: blobs, seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// Airlock

interface AirlockResult {
  readonly engine: Engine['kind'];
  readonly seconds: number;
  /** Seconds from start at which each phase began, in order, and how long it lasted. */
  readonly phases: Array<{ phase: string; start: number; seconds: number }>;
  readonly peakRssBytes: number;
  readonly peakRssSource: 'VmHWM at exit' | 'polled';
  /** CPU seconds of the whole process (all threads), from getrusage at exit. */
  readonly cpuSeconds?: number;
  /** CPU seconds the registry spent serving this run. */
  readonly registryCpuSeconds?: number;
  /** Polled every 100 ms; the last tenth of a second before exit is not seen. */
  readonly usageByPhase: Record<string, PhaseUsage>;
  readonly setDir: string;
  readonly parts: number;
  readonly partBytes: number;
  readonly reportBytes: number;
  readonly imagesOk: number;
  readonly digestsChanged: number;
  readonly changed: string[];
  readonly profileDir?: string;
}

/** What /proc says about a running process: memory, CPU time (all threads) and disk I/O. */
interface ProcSample {
  readonly rssBytes?: number;
  readonly hwmBytes?: number;
  readonly cpuSeconds?: number;
  readonly readBytes?: number;
  readonly writeBytes?: number;
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function sampleProcess(pid: number): ProcSample {
  const field = (text: string | undefined, name: string): number | undefined => {
    const match = text === undefined ? null : new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const status = readProc(pid, 'status');
  const rss = field(status, 'VmRSS');
  const hwm = field(status, 'VmHWM');
  // Fields 14 and 15 of stat (utime, stime), counted after the parenthesised command name.
  const stat = readProc(pid, 'stat');
  const times = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = times ? (Number(times[11]) + Number(times[12])) / CLOCK_TICKS : undefined;
  const io = readProc(pid, 'io');
  const read = field(io, 'read_bytes');
  const write = field(io, 'write_bytes');
  return {
    ...(rss !== undefined ? { rssBytes: rss * 1024 } : {}),
    ...(hwm !== undefined ? { hwmBytes: hwm * 1024 } : {}),
    ...(cpu !== undefined && Number.isFinite(cpu) ? { cpuSeconds: cpu } : {}),
    ...(read !== undefined ? { readBytes: read } : {}),
    ...(write !== undefined ? { writeBytes: write } : {}),
  };
}

/** Per phase, from 100 ms samples: CPU seconds used (all threads), bytes read from and written to disk, highest RSS. */
interface PhaseUsage {
  cpuSeconds: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  peakRssBytes: number;
}

function cleanEnv(home: string, registriesConf: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_RUNTIME_DIR: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), XDG_CACHE_HOME: join(home, '.cache'), CONTAINERS_REGISTRIES_CONF: registriesConf };
  for (const key of ['REGISTRY_AUTH_FILE', 'DOCKER_CONFIG', 'AIRLOCK_DATA_DIR', 'AIRLOCK_CACHE_DIR', 'REGISTRIES_CONFIG_PATH', 'NODE_OPTIONS']) delete env[key];
  return env;
}

interface TransferJson {
  readonly images: ReadonlyArray<{ source: string; name: string; status: string; digest?: string }>;
  readonly parts: ReadonlyArray<{ name: string; size: number; sha256: string }>;
}

/** CPU seconds a long-running process (the registry) has used so far. */
function cpuOf(pid: number): number | undefined {
  return sampleProcess(pid).cpuSeconds;
}

async function runAirlock(
  engine: Engine,
  root: string,
  images: readonly PushedImage[],
  archiveSize: string,
  profileDir: string | undefined,
  registryPid: number,
): Promise<AirlockResult> {
  const home = join(root, 'airlock-home');
  await mkdir(home, { recursive: true });
  const isc = join(root, 'isc.yaml');
  await writeFile(
    isc,
    ['kind: ImageSetConfiguration', 'apiVersion: mirror.openshift.io/v2alpha1', 'mirror:', '  additionalImages:', ...images.map((i) => `    - name: ${i.reference}`), ''].join('\n'),
  );
  const setDir = join(root, 'airlock-set');
  const rssFile = join(root, 'airlock-rss.json');
  const args = [
    '--require',
    join(REPO, 'bench', 'rss-probe.cjs'),
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...engine.cli,
    'mirror',
    '-c',
    isc,
    `file://${setDir}`,
    '--cache-dir',
    join(root, 'airlock-cache'),
    '--data-dir',
    join(root, 'airlock-data'),
    '--src-tls-verify=false',
    '--archive-size',
    archiveSize,
    '--json',
  ];
  const env = { ...cleanEnv(home, join(root, 'registries.conf')), AIRLOCK_BENCH_RSS_FILE: rssFile };

  const phaseStarts: Array<{ phase: string; start: number }> = [];
  const usageByPhase: Record<string, PhaseUsage> = {};
  let report: { totals?: { bytes?: number; images?: number } } | undefined;
  let polledHwmBytes = 0;
  let poller: NodeJS.Timeout | undefined;
  const currentPhase = (): string => phaseStarts.at(-1)?.phase ?? 'startup';
  const registryCpuBefore = cpuOf(registryPid);
  const result = await runTimed(process.execPath, args, {
    env,
    onStdoutLine: (line, at) => {
      let event: { type?: string; phase?: string; report?: typeof report };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.type === 'phase' && event.phase && event.phase !== currentPhase()) phaseStarts.push({ phase: event.phase, start: at });
      if (event.type === 'report') report = event.report;
    },
    onSpawn: (child) => {
      const pid = child.pid;
      if (pid === undefined) return;
      let last: ProcSample = { cpuSeconds: 0, readBytes: 0, writeBytes: 0 };
      poller = setInterval(() => {
        const now = sampleProcess(pid);
        if (now.hwmBytes === undefined) return;
        polledHwmBytes = Math.max(polledHwmBytes, now.hwmBytes);
        const usage = (usageByPhase[currentPhase()] ??= { cpuSeconds: 0, diskReadBytes: 0, diskWriteBytes: 0, peakRssBytes: 0 });
        usage.peakRssBytes = Math.max(usage.peakRssBytes, now.rssBytes ?? 0);
        usage.cpuSeconds += (now.cpuSeconds ?? 0) - (last.cpuSeconds ?? 0);
        usage.diskReadBytes += (now.readBytes ?? 0) - (last.readBytes ?? 0);
        usage.diskWriteBytes += (now.writeBytes ?? 0) - (last.writeBytes ?? 0);
        last = now;
      }, 100);
    },
  });
  clearInterval(poller);
  const registryCpuAfter = cpuOf(registryPid);
  if (result.code !== 0) throw failed('airlock mirror', result);

  // Node start-up and module loading, up to the first event.
  phaseStarts.unshift({ phase: 'startup', start: 0 });
  const phases = phaseStarts.map((p, i) => ({ phase: p.phase, start: p.start, seconds: (phaseStarts[i + 1]?.start ?? result.seconds) - p.start }));
  let peakRssBytes = polledHwmBytes;
  let peakRssSource: AirlockResult['peakRssSource'] = 'polled';
  let cpuSeconds: number | undefined;
  try {
    const probe = JSON.parse(await readFile(rssFile, 'utf8')) as { vmHwmKiB: number; cpuSeconds?: number };
    peakRssBytes = probe.vmHwmKiB * 1024;
    peakRssSource = 'VmHWM at exit';
    cpuSeconds = probe.cpuSeconds;
  } catch {
    // The probe did not write (process killed?): keep the polled high-water mark.
  }

  const transfer = JSON.parse(await readFile(join(setDir, 'transfer.json'), 'utf8')) as TransferJson;
  const changed: string[] = [];
  let imagesOk = 0;
  for (const image of images) {
    const name = `${image.repo}:${image.tag}`;
    const entry = transfer.images.find((e) => e.source === image.reference) ?? transfer.images.find((e) => e.name === name);
    if (entry?.status === 'ok') imagesOk++;
    if (entry?.digest !== image.digest) changed.push(`${image.reference}: ${image.digest} -> ${entry?.digest ?? '(missing)'}`);
  }
  return {
    engine: engine.kind,
    seconds: result.seconds,
    phases,
    peakRssBytes,
    peakRssSource,
    ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
    ...(registryCpuBefore !== undefined && registryCpuAfter !== undefined ? { registryCpuSeconds: registryCpuAfter - registryCpuBefore } : {}),
    usageByPhase,
    setDir,
    parts: transfer.parts.length,
    partBytes: transfer.parts.reduce((n, p) => n + p.size, 0),
    reportBytes: report?.totals?.bytes ?? 0,
    imagesOk,
    digestsChanged: changed.length,
    changed,
    ...(profileDir ? { profileDir } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// skopeo

interface SkopeoResult {
  readonly seconds: number;
  /** Summed over the skopeo processes (from /usr/bin/time, when installed). */
  readonly cpuSeconds?: number;
  readonly peakRssBytes?: number;
  readonly registryCpuSeconds?: number;
  readonly digestsChanged: number;
  readonly changed: string[];
  readonly changedDocker: number;
  readonly changedOci: number;
}

const GNU_TIME = '/usr/bin/time';

async function runSkopeo(root: string, images: readonly PushedImage[], registryPid: number): Promise<SkopeoResult> {
  const home = join(root, 'skopeo-home');
  await mkdir(home, { recursive: true });
  const layout = join(root, 'skopeo-layout');
  const env = cleanEnv(home, join(root, 'registries.conf'));
  // skopeo refuses to copy without a signature policy; the machine's is used when there is one.
  const policy = existsSync('/etc/containers/policy.json') ? [] : ['--insecure-policy'];
  // GNU time, when there, reports each skopeo's CPU time and peak RSS (it costs one fork and exec).
  const timeFile = join(root, 'skopeo-time.txt');
  const timed = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%U', '-o', timeFile, 'true']).status === 0;
  let seconds = 0;
  let cpuSeconds = 0;
  let peakRssBytes = 0;
  const registryCpuBefore = cpuOf(registryPid);
  for (const image of images) {
    const args = [...policy, 'copy', '--all', '--src-tls-verify=false', `docker://${image.reference}`, `oci:${layout}:${image.repo}:${image.tag}`];
    const result = timed ? await runTimed(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, 'skopeo', ...args], { env }) : await runTimed('skopeo', args, { env });
    if (result.code !== 0) throw failed(`skopeo copy of ${image.reference}`, result);
    seconds += result.seconds;
    if (timed) {
      const [user, system, maxKiB] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
      cpuSeconds += (user ?? 0) + (system ?? 0);
      peakRssBytes = Math.max(peakRssBytes, (maxKiB ?? 0) * 1024);
    }
  }
  const registryCpuAfter = cpuOf(registryPid);
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
  const changed: string[] = [];
  let changedDocker = 0;
  let changedOci = 0;
  for (const image of images) {
    const name = `${image.repo}:${image.tag}`;
    const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === name);
    if (entry?.digest === image.digest) continue;
    changed.push(`${image.reference}: ${image.digest} -> ${entry?.digest ?? '(missing)'}`);
    if (image.mediaType.includes('docker')) changedDocker++;
    else changedOci++;
  }
  return {
    seconds,
    ...(timed ? { cpuSeconds, peakRssBytes } : {}),
    ...(registryCpuBefore !== undefined && registryCpuAfter !== undefined ? { registryCpuSeconds: registryCpuAfter - registryCpuBefore } : {}),
    digestsChanged: changed.length,
    changed,
    changedDocker,
    changedOci,
  };
}

// ---------------------------------------------------------------------------------------------
// Verify: coreutils sha256sum over the parts against the engine's deep verifier

interface VerifyResult {
  readonly bytes: number;
  /** What was timed as Airlock's verifier. */
  readonly verifier: 'airlock verify' | 'verifyTransferSet';
  readonly sha256sumSeconds: number;
  /** Wall time of the verifier process, start-up included. */
  readonly airlockSeconds: number;
  /** verifyTransferSet(dir, {deep: true}) alone, timed inside its process. */
  readonly verifyTransferSetSeconds: number;
  readonly ratio: number;
  readonly runs: number;
}

/** True when this engine's CLI has the `verify` command (it came after the export). */
function hasVerifyCommand(engine: Engine, env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync(process.execPath, [...engine.cli, 'verify', '--help'], { cwd: REPO, env, encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('verify');
}

async function compareVerify(engine: Engine, setDir: string, dataDir: string, parts: readonly string[], bytes: number, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  const runs = 2;
  const cliVerify = hasVerifyCommand(engine, env);
  // The set is signed by this run's fresh station key, which no trust store knows: the signature is
  // still checked, and the untrusted outcome accepted.
  const cliArgs = [...engine.cli, 'verify', `file://${setDir}`, '--data-dir', dataDir, '--insecure-accept-untrusted', '--json'];
  let sums = Infinity;
  let ours = Infinity;
  let inside = Infinity;
  // Alternated, best of two: all read the parts from the page cache, none gets it warmer.
  for (let i = 0; i < runs; i++) {
    const s = await runTimed('sha256sum', ['--', ...parts], { cwd: setDir, env, onStdoutLine: () => undefined });
    if (s.code !== 0) throw failed('sha256sum', s);
    sums = Math.min(sums, s.seconds);
    if (cliVerify) {
      const v = await runTimed(process.execPath, cliArgs, { env, onStdoutLine: () => undefined });
      if (v.code !== 0) throw failed('airlock verify', v);
      ours = Math.min(ours, v.seconds);
    }
    let line = '';
    const v = await runTimed(process.execPath, engine.verifyArgs(setDir), { env, onStdoutLine: (l) => (line = l) });
    if (v.code !== 0) throw failed(`verifyTransferSet (${line})`, v);
    inside = Math.min(inside, (JSON.parse(line) as { seconds: number }).seconds);
    if (!cliVerify) ours = Math.min(ours, v.seconds);
  }
  return {
    bytes,
    verifier: cliVerify ? 'airlock verify' : 'verifyTransferSet',
    sha256sumSeconds: sums,
    airlockSeconds: ours,
    verifyTransferSetSeconds: inside,
    ratio: sums / ours,
    runs,
  };
}

// ---------------------------------------------------------------------------------------------

function timestampName(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + ' '.repeat(width - text.length);
}

async function main(): Promise<number> {
  const options = parseOptions();
  const tools = preflight();
  const plan = workload(options.scale, options.layers);
  const startedAt = new Date();
  const loadStart = loadavg();

  await mkdir(options.tmp, { recursive: true });
  const estimate = estimateUniqueBytes(plan.images);
  // Registry storage, Airlock's cache and set, skopeo's layout, two build directories in flight.
  const needed = estimate * 4 + 2 * 1.2e9 * (options.scale === 'full' ? 1 : 0.15);
  const space = await statfs(options.tmp);
  const free = space.bavail * space.bsize;
  if (free < needed) throw new UsageError(`${options.tmp} has ${mb(free)} free; the ${options.scale} benchmark needs about ${mb(needed)} (use --tmp <dir> on a larger disk)`);

  const root = await mkdtemp(join(options.tmp, 'airlock-bench-'));
  let registry: RegistryFixture | undefined;
  let engine: Engine | undefined;
  const cleanup = async (): Promise<void> => {
    for (const child of children) child.kill('SIGKILL');
    await registry?.stop().catch(() => undefined);
    if (!options.keep) {
      await engine?.dispose();
      await rm(root, { recursive: true, force: true });
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    engine = engineFor(options.engine);
    log(`airlock bench, scale ${options.scale}, ${plan.layers} layers: ${plan.images.length} images, about ${mb(estimate)} unique; engine: ${engine.kind}; work dir ${root}`);
    log(`load average at start: ${loadStart.map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores (other work on the machine skews the numbers)`);
    await writeFile(join(root, 'registries.conf'), '');
    registry = await startRegistry({ logLevel: 'error' });
    log(`registry ${registry.url}; generating images (not timed)`);
    const generated = await generate(registry, plan.images, join(root, 'build'));
    const pushed = generated.pushed;
    log(`  ${mb(generated.uniqueBytes)} unique in ${generated.uniqueBlobs} blobs and manifests, generated in ${secs(generated.seconds)}`);
    syncDisks();

    let profileDir: string | undefined;
    if (options.profile) {
      profileDir = join(RESULTS_DIR, `profile-${timestampName(startedAt)}`);
      await mkdir(profileDir, { recursive: true });
    }
    log(`airlock mirror -c isc.yaml file://… (resolve, pull into a fresh cache, write ${plan.archiveSize} parts with fsync, read back)`);
    const airlock = await runAirlock(engine, root, pushed, plan.archiveSize, profileDir, registry.pid);
    log(`  ${secs(airlock.seconds)}`);
    syncDisks();

    log(`skopeo copy --all docker://… oci:<layout>:<name>, one image at a time`);
    const skopeo = await runSkopeo(root, pushed, registry.pid);
    log(`  ${secs(skopeo.seconds)}`);
    syncDisks();

    log('verify: sha256sum over the parts against the engine\'s deep verifier (page cache warm for both)');
    const transfer = JSON.parse(await readFile(join(airlock.setDir, 'transfer.json'), 'utf8')) as TransferJson;
    const verify = await compareVerify(
      engine,
      airlock.setDir,
      join(root, 'airlock-data'),
      transfer.parts.map((p) => p.name),
      airlock.partBytes,
      cleanEnv(join(root, 'airlock-home'), join(root, 'registries.conf')),
    );

    const unique = generated.uniqueBytes;
    const airlockRate = rate(unique, airlock.seconds);
    const skopeoRate = rate(unique, skopeo.seconds);
    const ratio = airlockRate / skopeoRate;
    const goals = {
      throughputRatio: { goal: `>= ${GOALS.throughputRatio}`, value: ratio, pass: ratio >= GOALS.throughputRatio },
      airlockDigestsChanged: { goal: '== 0', value: airlock.digestsChanged, pass: airlock.digestsChanged === 0 && airlock.imagesOk === pushed.length },
      airlockPeakRss: { goal: `< ${GOALS.peakRssBytes / MB} MB`, value: airlock.peakRssBytes, pass: airlock.peakRssBytes < GOALS.peakRssBytes },
      verifyRatio: { goal: `>= ${GOALS.verifyRatio} (extra)`, value: verify.ratio, pass: verify.ratio >= GOALS.verifyRatio },
    };
    const pass = goals.throughputRatio.pass && goals.airlockDigestsChanged.pass && goals.airlockPeakRss.pass;
    const indexes = pushed.filter((p) => p.children !== undefined).length;
    const docker = pushed.filter((p) => p.mediaType.includes('docker')).length;

    const results = {
      benchmark: 'airlock mirror-to-disk vs skopeo copy --all',
      timestamp: startedAt.toISOString(),
      scale: options.scale,
      machine: {
        cores: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        kernel: release(),
        node: process.version,
        skopeo: tools.skopeo,
        registry: tools.registry,
        workDir: options.tmp,
        loadAverageStart: loadStart,
        loadAverageEnd: loadavg(),
      },
      workload: {
        images: pushed.length,
        indexes,
        dockerImages: docker,
        ociImages: pushed.length - docker,
        uniqueBytes: unique,
        uniqueBlobs: generated.uniqueBlobs,
        layers: plan.layers,
        archiveSize: plan.archiveSize,
        generateSeconds: generated.seconds,
      },
      airlock: {
        engine: airlock.engine,
        seconds: airlock.seconds,
        mbPerSecond: airlockRate,
        phases: airlock.phases,
        peakRssBytes: airlock.peakRssBytes,
        peakRssSource: airlock.peakRssSource,
        cpuSeconds: airlock.cpuSeconds,
        registryCpuSeconds: airlock.registryCpuSeconds,
        usageByPhase: airlock.usageByPhase,
        parts: airlock.parts,
        partBytes: airlock.partBytes,
        reportedUniqueBytes: airlock.reportBytes,
        imagesOk: airlock.imagesOk,
        digestsChanged: airlock.digestsChanged,
        changed: airlock.changed,
        ...(airlock.profileDir ? { cpuProfiles: relative(REPO, airlock.profileDir) } : {}),
      },
      skopeo: {
        command: 'skopeo copy --all --src-tls-verify=false docker://HOST/repo:tag oci:<layout>:repo:tag (one process per image)',
        seconds: skopeo.seconds,
        mbPerSecond: skopeoRate,
        cpuSeconds: skopeo.cpuSeconds,
        peakRssBytes: skopeo.peakRssBytes,
        registryCpuSeconds: skopeo.registryCpuSeconds,
        digestsChanged: skopeo.digestsChanged,
        digestsChangedDocker: skopeo.changedDocker,
        digestsChangedOci: skopeo.changedOci,
        changed: skopeo.changed,
      },
      ratio,
      verify: {
        bytes: verify.bytes,
        sha256sumSeconds: verify.sha256sumSeconds,
        sha256sumMbPerSecond: rate(verify.bytes, verify.sha256sumSeconds),
        airlockSeconds: verify.airlockSeconds,
        verifier: verify.verifier,
        verifyTransferSetSeconds: verify.verifyTransferSetSeconds,
        airlockMbPerSecond: rate(verify.bytes, verify.airlockSeconds),
        ratio: verify.ratio,
        bestOf: verify.runs,
      },
      goals,
      pass,
    };

    const lines: string[] = [];
    lines.push('');
    lines.push(`Airlock bench, scale ${options.scale}, ${plan.layers} layers: ${pushed.length} images (${indexes} multi-arch; ${docker} Docker, ${pushed.length - docker} OCI), ${mb(unique)} unique in ${generated.uniqueBlobs} blobs`);
    const cpu = (own: number | undefined, registryCpu: number | undefined): string =>
      own === undefined ? '-' : `${secs(own)}${registryCpu === undefined ? '' : ` + ${secs(registryCpu)}`}`;
    const row = (cells: readonly string[]): string => `  ${pad(cells[0] ?? '', 26)}${pad(cells[1] ?? '', 11)}${pad(cells[2] ?? '', 12)}${pad(cells[3] ?? '', 17)}${pad(cells[4] ?? '', 10)}${cells[5] ?? ''}`;
    lines.push(row(['', 'wall time', 'throughput', 'digests changed', 'peak RSS', 'CPU (own + registry)']));
    lines.push(
      row([
        `airlock mirror (${airlock.engine})`,
        secs(airlock.seconds),
        `${airlockRate.toFixed(0)} MB/s`,
        `${airlock.digestsChanged} of ${pushed.length}`,
        mb(airlock.peakRssBytes),
        cpu(airlock.cpuSeconds, airlock.registryCpuSeconds),
      ]),
    );
    lines.push(
      row([
        'skopeo copy --all',
        secs(skopeo.seconds),
        `${skopeoRate.toFixed(0)} MB/s`,
        `${skopeo.digestsChanged} of ${pushed.length}`,
        skopeo.peakRssBytes === undefined ? '-' : mb(skopeo.peakRssBytes),
        cpu(skopeo.cpuSeconds, skopeo.registryCpuSeconds),
      ]),
    );
    lines.push(`  ratio ${ratio.toFixed(2)}x (goal >= ${GOALS.throughputRatio}x)`);
    lines.push(`  airlock phases (wall; CPU of all threads; disk read/written by the process):`);
    for (const p of airlock.phases) {
      const u = airlock.usageByPhase[p.phase];
      lines.push(`    ${pad(p.phase, 9)}${pad(secs(p.seconds), 9)}${u ? `cpu ${pad(secs(u.cpuSeconds), 9)}read ${pad(mb(u.diskReadBytes), 10)}written ${pad(mb(u.diskWriteBytes), 10)}rss ${mb(u.peakRssBytes)}` : ''}`);
    }
    lines.push(
      `  verify ${mb(verify.bytes)} in ${airlock.parts} part(s): sha256sum ${secs(verify.sha256sumSeconds)} (${rate(verify.bytes, verify.sha256sumSeconds).toFixed(0)} MB/s), ${verify.verifier === 'airlock verify' ? 'airlock verify (deep)' : 'verifyTransferSet (deep)'} ${secs(verify.airlockSeconds)} (${rate(verify.bytes, verify.airlockSeconds).toFixed(0)} MB/s): ${verify.ratio.toFixed(2)}x (goal >= ${GOALS.verifyRatio}x)`,
    );
    const mark = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    lines.push(
      `  goals: throughput >= 2x skopeo ${mark(goals.throughputRatio.pass)}, every digest kept ${mark(goals.airlockDigestsChanged.pass)}, peak RSS < 300 MB ${mark(goals.airlockPeakRss.pass)}; verify >= 2.5x sha256sum ${mark(goals.verifyRatio.pass)}`,
    );
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `bench-${timestampName(startedAt)}.json`);
    await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
    lines.push(`  results: ${relative(REPO, file)}${options.keep ? `; work dir kept: ${root}` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(err instanceof UsageError ? `bench: ${err.message}` : `bench failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 2;
  },
);
