import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startRegistry, type RegistryFixture } from '../test/fixtures/registry';
import { buildArtifact, pushImage, type PushedImage } from '../test/fixtures/images';
import { skopeoEndpointFor, skopeoInspectRawDigest } from '../test/fixtures/skopeo';
import { isLayerMode, isScale, workload, type LayerMode, type Scale, type WorkloadImage } from './workload';

/**
 * `npm run bench`: Airlock's mirror-to-disk against `skopeo copy --all docker://… oci:…` on the same
 * generated image set, served by a real registry on 127.0.0.1; then Airlock's import of that set
 * (disk to mirror, verify first) into a second fresh registry against `skopeo copy --all oci:…
 * docker://…` of skopeo's layout into a third; then the deep verify against sha256sum. Prints a
 * table and writes bench-results/bench-<time>.json. See the Benchmark section of README.md.
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
  --tmp <dir>          where the registries, cache, transfer set and skopeo layout go (default $BENCH_TMPDIR
                       or the system temp dir): this is the disk being measured
  --profile            also write V8 CPU profiles of the Airlock export and import processes to bench-results/
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
  /** `elapsed()` is seconds since spawn, on the same clock as `at` and `seconds`. */
  readonly onSpawn?: (child: ChildProcess, elapsed: () => number) => void;
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
    child.once('spawn', () => options.onSpawn?.(child, () => (performance.now() - started) / 1000));
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

/**
 * A fresh registry whose storage is under `dir` (the disk being measured), not the system temp dir:
 * the fixture makes its directory in os.tmpdir() before its first await, so TMPDIR is only changed
 * for that synchronous start.
 */
function startRegistryIn(dir: string): Promise<RegistryFixture> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return startRegistry({ logLevel: 'error' });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
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

/** One timed `airlock` process: wall time, phases from its --json events, memory and CPU. */
interface AirlockRun {
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
  readonly profileDir?: string;
}

interface AirlockResult extends AirlockRun {
  readonly setDir: string;
  readonly dataDir: string;
  readonly parts: number;
  readonly partBytes: number;
  readonly reportBytes: number;
  readonly imagesOk: number;
  readonly digestsChanged: number;
  readonly changed: string[];
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

/** A line of `airlock … --json` output (the events of src/jobs/events.ts, then the report). */
interface EventLine {
  readonly type?: string;
  readonly phase?: string;
  readonly done?: number;
  readonly total?: number;
  readonly status?: string;
  readonly report?: unknown;
}

interface TimedEvent {
  /** Seconds since spawn when the line arrived. */
  readonly at: number;
  readonly event: EventLine;
}

interface AirlockProcess {
  readonly result: Finished;
  readonly events: TimedEvent[];
  readonly samples: Array<{ at: number; sample: ProcSample }>;
  readonly peakRssBytes: number;
  readonly peakRssSource: AirlockRun['peakRssSource'];
  readonly cpuSeconds?: number;
  readonly registryCpuSeconds?: number;
}

/**
 * Runs the CLI as a separate process under the RSS probe, timed from spawn to exit. Every JSON line
 * it prints is kept with its arrival time, and /proc is sampled every 100 ms, so phases can be cut
 * afterwards from the events and each sample attributed to its phase.
 */
async function runAirlockProcess(what: string, args: readonly string[], env: NodeJS.ProcessEnv, rssFile: string, registryPid: number): Promise<AirlockProcess> {
  const events: TimedEvent[] = [];
  const samples: Array<{ at: number; sample: ProcSample }> = [];
  let polledHwmBytes = 0;
  let poller: NodeJS.Timeout | undefined;
  const registryCpuBefore = cpuOf(registryPid);
  const result = await runTimed(process.execPath, ['--require', join(REPO, 'bench', 'rss-probe.cjs'), ...args], {
    env: { ...env, AIRLOCK_BENCH_RSS_FILE: rssFile },
    onStdoutLine: (line, at) => {
      try {
        events.push({ at, event: JSON.parse(line) as EventLine });
      } catch {
        // Not an event line.
      }
    },
    onSpawn: (child, elapsed) => {
      const pid = child.pid;
      if (pid === undefined) return;
      samples.push({ at: 0, sample: { cpuSeconds: 0, readBytes: 0, writeBytes: 0 } });
      poller = setInterval(() => {
        const now = sampleProcess(pid);
        if (now.hwmBytes === undefined) return;
        polledHwmBytes = Math.max(polledHwmBytes, now.hwmBytes);
        samples.push({ at: elapsed(), sample: now });
      }, 100);
    },
  });
  clearInterval(poller);
  const registryCpuAfter = cpuOf(registryPid);
  if (result.code !== 0) throw failed(what, result);
  let peakRssBytes = polledHwmBytes;
  let peakRssSource: AirlockRun['peakRssSource'] = 'polled';
  let cpuSeconds: number | undefined;
  try {
    const probe = JSON.parse(await readFile(rssFile, 'utf8')) as { vmHwmKiB: number; cpuSeconds?: number };
    peakRssBytes = probe.vmHwmKiB * 1024;
    peakRssSource = 'VmHWM at exit';
    cpuSeconds = probe.cpuSeconds;
  } catch {
    // The probe did not write (process killed?): keep the polled high-water mark.
  }
  return {
    result,
    events,
    samples,
    peakRssBytes,
    peakRssSource,
    ...(cpuSeconds !== undefined ? { cpuSeconds } : {}),
    ...(registryCpuBefore !== undefined && registryCpuAfter !== undefined ? { registryCpuSeconds: registryCpuAfter - registryCpuBefore } : {}),
  };
}

/**
 * Phases from their start markers (the first, `startup`, is Node start-up and module loading up to
 * the first event), and what the samples say each used: a sample's change since the previous one
 * counts for the phase the sample fell in.
 */
function phasesOf(run: AirlockProcess, markers: ReadonlyArray<{ phase: string; start: number }>): Pick<AirlockRun, 'phases' | 'usageByPhase'> {
  const starts = [{ phase: 'startup', start: 0 }, ...markers];
  const seconds = run.result.seconds;
  const phases = starts.map((p, i) => ({ phase: p.phase, start: p.start, seconds: (starts[i + 1]?.start ?? seconds) - p.start }));
  const phaseAt = (at: number): string => [...phases].reverse().find((p) => p.start <= at)?.phase ?? 'startup';
  const usageByPhase: Record<string, PhaseUsage> = {};
  for (let i = 1; i < run.samples.length; i++) {
    const { at, sample: now } = run.samples[i] as { at: number; sample: ProcSample };
    const last = (run.samples[i - 1] as { sample: ProcSample }).sample;
    const usage = (usageByPhase[phaseAt(at)] ??= { cpuSeconds: 0, diskReadBytes: 0, diskWriteBytes: 0, peakRssBytes: 0 });
    usage.peakRssBytes = Math.max(usage.peakRssBytes, now.rssBytes ?? 0);
    usage.cpuSeconds += (now.cpuSeconds ?? 0) - (last.cpuSeconds ?? 0);
    usage.diskReadBytes += (now.readBytes ?? 0) - (last.readBytes ?? 0);
    usage.diskWriteBytes += (now.writeBytes ?? 0) - (last.writeBytes ?? 0);
  }
  return { phases, usageByPhase };
}

/** Export phases are the engine's own phase events (resolve, pull, write, verify, record). */
function exportMarkers(events: readonly TimedEvent[]): Array<{ phase: string; start: number }> {
  const markers: Array<{ phase: string; start: number }> = [];
  for (const { at, event } of events) {
    if (event.type === 'phase' && event.phase && event.phase !== markers.at(-1)?.phase) markers.push({ phase: event.phase, start: at });
  }
  return markers;
}

/**
 * The import emits only `verify` and `push` phase events; the rest is cut from progress and image
 * events: `verify` ends with its last byte (done == total always passes the progress throttle),
 * `plan` is the signature check, reading the manifests out of the set and the base-blob check,
 * `push` runs from its phase event to the last image's result (blobs, manifests, tag, digest
 * check), and `finish` is the cluster resources, the history and the process exit.
 */
function importMarkers(events: readonly TimedEvent[]): Array<{ phase: string; start: number }> {
  const markers: Array<{ phase: string; start: number }> = [];
  const mark = (phase: string, start: number): void => {
    if (!markers.some((m) => m.phase === phase)) markers.push({ phase, start });
  };
  let lastImage: number | undefined;
  for (const { at, event } of events) {
    if (event.type === 'phase' && event.phase === 'verify') mark('verify', at);
    else if (event.type === 'progress' && event.phase === 'verify' && event.total !== undefined && (event.done ?? 0) >= event.total) mark('plan', at);
    else if (event.type === 'phase' && event.phase === 'push') mark('push', at);
    else if (event.type === 'image') lastImage = at;
  }
  if (lastImage !== undefined && markers.some((m) => m.phase === 'push')) mark('finish', lastImage);
  return markers;
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
  const dataDir = join(root, 'airlock-data');
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...engine.cli,
    'mirror',
    '-c',
    isc,
    `file://${setDir}`,
    '--cache-dir',
    join(root, 'airlock-cache'),
    '--data-dir',
    dataDir,
    '--src-tls-verify=false',
    '--archive-size',
    archiveSize,
    '--json',
  ];
  const run = await runAirlockProcess('airlock mirror', args, cleanEnv(home, join(root, 'registries.conf')), join(root, 'airlock-rss.json'), registryPid);
  const report = run.events.find((e) => e.event.type === 'report')?.event.report as { totals?: { bytes?: number } } | undefined;

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
    seconds: run.result.seconds,
    ...phasesOf(run, exportMarkers(run.events)),
    peakRssBytes: run.peakRssBytes,
    peakRssSource: run.peakRssSource,
    ...(run.cpuSeconds !== undefined ? { cpuSeconds: run.cpuSeconds } : {}),
    ...(run.registryCpuSeconds !== undefined ? { registryCpuSeconds: run.registryCpuSeconds } : {}),
    setDir,
    dataDir,
    parts: transfer.parts.length,
    partBytes: transfer.parts.reduce((n, p) => n + p.size, 0),
    reportBytes: report?.totals?.bytes ?? 0,
    imagesOk,
    digestsChanged: changed.length,
    changed,
    ...(profileDir ? { profileDir } : {}),
  };
}

/** The digest each image resolves to in a registry, as skopeo reads it (`inspect --raw`, hashed). */
async function servedDigests(registry: RegistryFixture, refs: readonly string[]): Promise<Array<string | undefined>> {
  return mapLimited(refs, 4, (ref) => skopeoInspectRawDigest(`docker://${ref}`, skopeoEndpointFor(registry)).catch(() => undefined));
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Where an image lands in an import target: `<registry>/bench/<repo>:<tag>`, as `airlock mirror --from … docker://<registry>/bench` puts it. */
const IMPORT_PREFIX = 'bench';

function importedRef(registry: RegistryFixture, image: PushedImage): string {
  return `${registry.host}/${IMPORT_PREFIX}/${image.repo}:${image.tag}`;
}

/** Counts images whose digest in the registry differs from the source's. */
function compareDigests(images: readonly PushedImage[], served: ReadonlyArray<string | undefined>): { changed: string[]; changedDocker: number; changedOci: number } {
  const changed: string[] = [];
  let changedDocker = 0;
  let changedOci = 0;
  images.forEach((image, i) => {
    if (served[i] === image.digest) return;
    changed.push(`${image.reference}: ${image.digest} -> ${served[i] ?? '(missing)'}`);
    if (image.mediaType.includes('docker')) changedDocker++;
    else changedOci++;
  });
  return { changed, changedDocker, changedOci };
}

interface ImportResult extends AirlockRun {
  /** How the exporting station's key was accepted: trusted beforehand, or --insecure-accept-untrusted. */
  readonly trust: 'keys trust' | 'insecure-accept-untrusted';
  readonly imagesOk: number;
  readonly bytesPushed: number;
  readonly blobsPushed: number;
  readonly blobsSkipped: number;
  readonly bytesVerified: number;
  /** Seconds from start at which each image's push finished (its `image` event), in order. */
  readonly imagesDoneAt: number[];
  readonly digestsChanged: number;
  readonly changed: string[];
}

/**
 * The enclave side, as an operator runs it: a fresh data dir that trusts the exporting station's
 * key (`airlock keys export` / `airlock keys trust`, not timed), then `airlock mirror --from
 * file://<set> docker://<registry>/bench`, which verifies every byte and the signature before it
 * pushes. The cluster resources go to a workspace beside the set, not into it.
 */
async function runAirlockImport(engine: Engine, root: string, setDir: string, exportDataDir: string, images: readonly PushedImage[], registry: RegistryFixture, profileDir: string | undefined): Promise<ImportResult> {
  const home = join(root, 'import-home');
  await mkdir(home, { recursive: true });
  const env = cleanEnv(home, join(root, 'registries.conf'));
  const dataDir = join(root, 'import-data');
  const keyFile = join(root, 'station.pem');
  const keysRun = (args: readonly string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, [...engine.cli, 'keys', ...args], { cwd: REPO, env, encoding: 'utf8' });
  const exported = keysRun(['export', '--data-dir', exportDataDir]);
  let trusted = exported.status === 0 && exported.stdout.includes('PUBLIC KEY');
  let problem = exported.stderr;
  if (trusted) {
    await writeFile(keyFile, exported.stdout);
    const trustRun = keysRun(['trust', keyFile, '--label', 'bench export station', '--data-dir', dataDir]);
    trusted = trustRun.status === 0;
    problem = trustRun.stderr;
  }
  if (!trusted) log(`  (could not trust the exporting station's key: ${problem.trim().split('\n')[0] ?? ''}; importing with --insecure-accept-untrusted)`);
  const trust: ImportResult['trust'] = trusted ? 'keys trust' : 'insecure-accept-untrusted';
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...engine.cli,
    'mirror',
    '--from',
    `file://${setDir}`,
    `docker://${registry.host}/${IMPORT_PREFIX}`,
    '--workspace',
    `file://${join(root, 'import-workspace')}`,
    '--data-dir',
    dataDir,
    '--dest-tls-verify=false',
    ...(trusted ? [] : ['--insecure-accept-untrusted']),
    '--json',
  ];
  const run = await runAirlockProcess('airlock mirror --from', args, env, join(root, 'import-rss.json'), registry.pid);
  const report = run.events.find((e) => e.event.type === 'report')?.event.report as
    | { images?: Array<{ status: string }>; bytesPushed?: number; blobsPushed?: number; blobsSkipped?: number; verify?: { bytesVerified?: number } }
    | undefined;
  const { changed } = compareDigests(images, await servedDigests(registry, images.map((i) => importedRef(registry, i))));
  return {
    engine: engine.kind,
    seconds: run.result.seconds,
    ...phasesOf(run, importMarkers(run.events)),
    peakRssBytes: run.peakRssBytes,
    peakRssSource: run.peakRssSource,
    ...(run.cpuSeconds !== undefined ? { cpuSeconds: run.cpuSeconds } : {}),
    ...(run.registryCpuSeconds !== undefined ? { registryCpuSeconds: run.registryCpuSeconds } : {}),
    trust,
    imagesOk: report?.images?.filter((i) => i.status === 'pushed').length ?? 0,
    bytesPushed: report?.bytesPushed ?? 0,
    blobsPushed: report?.blobsPushed ?? 0,
    blobsSkipped: report?.blobsSkipped ?? 0,
    bytesVerified: report?.verify?.bytesVerified ?? 0,
    imagesDoneAt: run.events.filter((e) => e.event.type === 'image').map((e) => Math.round(e.at * 100) / 100),
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

interface SkopeoImportResult extends SkopeoResult {
  /** Images whose digest in the registry differs from the one in skopeo's own layout (changed by the import itself). */
  readonly changedByImport: number;
}

const GNU_TIME = '/usr/bin/time';

interface CopiesTimed {
  readonly seconds: number;
  readonly cpuSeconds?: number;
  readonly peakRssBytes?: number;
  readonly registryCpuSeconds?: number;
}

/** Runs `skopeo copy` once per image, one after the other, and sums the wall times (and CPU, peak RSS). */
async function skopeoCopies(root: string, home: string, copies: ReadonlyArray<{ what: string; args: readonly string[] }>, registryPid: number): Promise<CopiesTimed> {
  await mkdir(home, { recursive: true });
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
  for (const copy of copies) {
    const args = [...policy, 'copy', ...copy.args];
    const result = timed ? await runTimed(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, 'skopeo', ...args], { env }) : await runTimed('skopeo', args, { env });
    if (result.code !== 0) throw failed(`skopeo copy of ${copy.what}`, result);
    seconds += result.seconds;
    if (timed) {
      const [user, system, maxKiB] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
      cpuSeconds += (user ?? 0) + (system ?? 0);
      peakRssBytes = Math.max(peakRssBytes, (maxKiB ?? 0) * 1024);
    }
  }
  const registryCpuAfter = cpuOf(registryPid);
  return {
    seconds,
    ...(timed ? { cpuSeconds, peakRssBytes } : {}),
    ...(registryCpuBefore !== undefined && registryCpuAfter !== undefined ? { registryCpuSeconds: registryCpuAfter - registryCpuBefore } : {}),
  };
}

interface LayoutIndex {
  readonly manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
}

function layoutDigest(index: LayoutIndex, image: PushedImage): string | undefined {
  const name = `${image.repo}:${image.tag}`;
  return index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === name)?.digest;
}

function skopeoLayout(root: string): string {
  return join(root, 'skopeo-layout');
}

async function runSkopeo(root: string, images: readonly PushedImage[], registryPid: number): Promise<SkopeoResult> {
  const layout = skopeoLayout(root);
  const copies = images.map((image) => ({ what: image.reference, args: ['--all', '--src-tls-verify=false', `docker://${image.reference}`, `oci:${layout}:${image.repo}:${image.tag}`] }));
  const timed = await skopeoCopies(root, join(root, 'skopeo-home'), copies, registryPid);
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as LayoutIndex;
  const { changed, changedDocker, changedOci } = compareDigests(
    images,
    images.map((image) => layoutDigest(index, image)),
  );
  return { ...timed, digestsChanged: changed.length, changed, changedDocker, changedOci };
}

/**
 * skopeo's import: each image of the export step's OCI layout into the registry, one at a time
 * (`skopeo copy --all oci:<layout>:<repo>:<tag> docker://<registry>/bench/<repo>:<tag>`). skopeo 1.9
 * cannot read a Docker-typed image out of an OCI layout by name, but the export step already
 * converted every image to OCI, so each one copies as it is in the layout.
 */
async function runSkopeoImport(root: string, images: readonly PushedImage[], registry: RegistryFixture): Promise<SkopeoImportResult> {
  const layout = skopeoLayout(root);
  const copies = images.map((image) => ({ what: `oci:${layout}:${image.repo}:${image.tag}`, args: ['--all', '--dest-tls-verify=false', `oci:${layout}:${image.repo}:${image.tag}`, `docker://${importedRef(registry, image)}`] }));
  const timed = await skopeoCopies(root, join(root, 'skopeo-import-home'), copies, registry.pid);
  const served = await servedDigests(registry, images.map((i) => importedRef(registry, i)));
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as LayoutIndex;
  const changedByImport = images.filter((image, i) => served[i] !== layoutDigest(index, image)).length;
  const { changed, changedDocker, changedOci } = compareDigests(images, served);
  return { ...timed, digestsChanged: changed.length, changed, changedDocker, changedOci, changedByImport };
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
  /** Whether each run started with the parts out of memory (dropped caches) or in it. */
  readonly pageCache: 'cold' | 'warm';
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
  // A drive that comes in is read from the device, not from memory: where the page cache can be
  // dropped (root), every run starts cold; otherwise all read from the warm cache. Alternated, best of two.
  const cold = canDropCaches();
  const before = (): void => {
    if (cold) dropCaches();
  };
  for (let i = 0; i < runs; i++) {
    before();
    const s = await runTimed('sha256sum', ['--', ...parts], { cwd: setDir, env, onStdoutLine: () => undefined });
    if (s.code !== 0) throw failed('sha256sum', s);
    sums = Math.min(sums, s.seconds);
    if (cliVerify) {
      before();
      const v = await runTimed(process.execPath, cliArgs, { env, onStdoutLine: () => undefined });
      if (v.code !== 0) throw failed('airlock verify', v);
      ours = Math.min(ours, v.seconds);
    }
    let line = '';
    before();
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
    pageCache: cold ? 'cold' : 'warm',
  };
}

const DROP_CACHES = '/proc/sys/vm/drop_caches';

function canDropCaches(): boolean {
  try {
    accessSync(DROP_CACHES, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function dropCaches(): void {
  spawnSync('sync');
  writeFileSync(DROP_CACHES, '3\n');
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
  // Three registries' storage, Airlock's cache and set, skopeo's layout, two build directories in flight.
  const needed = estimate * 6 + 2 * 1.2e9 * (options.scale === 'full' ? 1 : 0.15);
  const space = await statfs(options.tmp);
  const free = space.bavail * space.bsize;
  if (free < needed) throw new UsageError(`${options.tmp} has ${mb(free)} free; the ${options.scale} benchmark needs about ${mb(needed)} (use --tmp <dir> on a larger disk)`);

  const root = await mkdtemp(join(options.tmp, 'airlock-bench-'));
  let registry: RegistryFixture | undefined;
  let importRegistry: RegistryFixture | undefined;
  let skopeoRegistry: RegistryFixture | undefined;
  let engine: Engine | undefined;
  const cleanup = async (): Promise<void> => {
    for (const child of children) child.kill('SIGKILL');
    for (const r of [registry, importRegistry, skopeoRegistry]) await r?.stop().catch(() => undefined);
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
    registry = await startRegistryIn(root);
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

    importRegistry = await startRegistryIn(root);
    skopeoRegistry = await startRegistryIn(root);
    log(`airlock mirror --from file://<set> docker://${importRegistry.host}/${IMPORT_PREFIX} (verify every byte and the signature, then push)`);
    const imported = await runAirlockImport(engine, root, airlock.setDir, airlock.dataDir, pushed, importRegistry, profileDir ? join(profileDir, 'import') : undefined);
    log(`  ${secs(imported.seconds)}`);
    syncDisks();

    log(`skopeo copy --all oci:<layout>:<name> docker://${skopeoRegistry.host}/${IMPORT_PREFIX}/…, one image at a time`);
    const skopeoImport = await runSkopeoImport(root, pushed, skopeoRegistry);
    log(`  ${secs(skopeoImport.seconds)}`);
    syncDisks();

    log('verify: sha256sum over the parts against the engine\'s deep verifier (page cache dropped before each run where allowed)');
    const transfer = JSON.parse(await readFile(join(airlock.setDir, 'transfer.json'), 'utf8')) as TransferJson;
    const verify = await compareVerify(
      engine,
      airlock.setDir,
      airlock.dataDir,
      transfer.parts.map((p) => p.name),
      airlock.partBytes,
      cleanEnv(join(root, 'airlock-home'), join(root, 'registries.conf')),
    );

    const unique = generated.uniqueBytes;
    const airlockRate = rate(unique, airlock.seconds);
    const skopeoRate = rate(unique, skopeo.seconds);
    const ratio = airlockRate / skopeoRate;
    const importRate = rate(unique, imported.seconds);
    const skopeoImportRate = rate(unique, skopeoImport.seconds);
    const importRatio = importRate / skopeoImportRate;
    const goals = {
      throughputRatio: { goal: `>= ${GOALS.throughputRatio}`, value: ratio, pass: ratio >= GOALS.throughputRatio },
      airlockDigestsChanged: { goal: '== 0', value: airlock.digestsChanged, pass: airlock.digestsChanged === 0 && airlock.imagesOk === pushed.length },
      airlockPeakRss: { goal: `< ${GOALS.peakRssBytes / MB} MB`, value: airlock.peakRssBytes, pass: airlock.peakRssBytes < GOALS.peakRssBytes },
      importThroughputRatio: { goal: `>= ${GOALS.throughputRatio}`, value: importRatio, pass: importRatio >= GOALS.throughputRatio },
      importDigestsChanged: { goal: '== 0', value: imported.digestsChanged, pass: imported.digestsChanged === 0 && imported.imagesOk === pushed.length },
      verifyRatio: { goal: `>= ${GOALS.verifyRatio} (extra)`, value: verify.ratio, pass: verify.ratio >= GOALS.verifyRatio },
    };
    const passExport = goals.throughputRatio.pass && goals.airlockDigestsChanged.pass && goals.airlockPeakRss.pass;
    const passImport = goals.importThroughputRatio.pass && goals.importDigestsChanged.pass;
    const pass = passExport && passImport;
    const indexes = pushed.filter((p) => p.children !== undefined).length;
    const docker = pushed.filter((p) => p.mediaType.includes('docker')).length;

    const results = {
      benchmark: 'airlock mirror-to-disk and disk-to-mirror vs skopeo copy --all',
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
      import: {
        airlock: {
          command: `airlock mirror --from file://<set> docker://HOST/${IMPORT_PREFIX} --dest-tls-verify=false --data-dir <fresh> --json${imported.trust === 'keys trust' ? ' (exporting station trusted with airlock keys trust, not timed)' : ' --insecure-accept-untrusted'}`,
          engine: imported.engine,
          seconds: imported.seconds,
          mbPerSecond: importRate,
          phases: imported.phases,
          peakRssBytes: imported.peakRssBytes,
          peakRssSource: imported.peakRssSource,
          cpuSeconds: imported.cpuSeconds,
          registryCpuSeconds: imported.registryCpuSeconds,
          usageByPhase: imported.usageByPhase,
          trust: imported.trust,
          bytesVerified: imported.bytesVerified,
          imagesDoneAt: imported.imagesDoneAt,
          bytesPushed: imported.bytesPushed,
          blobsPushed: imported.blobsPushed,
          blobsSkipped: imported.blobsSkipped,
          imagesOk: imported.imagesOk,
          digestsChanged: imported.digestsChanged,
          changed: imported.changed,
          ...(imported.profileDir ? { cpuProfiles: relative(REPO, imported.profileDir) } : {}),
        },
        skopeo: {
          command: `skopeo copy --all --dest-tls-verify=false oci:<layout>:repo:tag docker://HOST/${IMPORT_PREFIX}/repo:tag (one process per image, from the export step's layout)`,
          seconds: skopeoImport.seconds,
          mbPerSecond: skopeoImportRate,
          cpuSeconds: skopeoImport.cpuSeconds,
          peakRssBytes: skopeoImport.peakRssBytes,
          registryCpuSeconds: skopeoImport.registryCpuSeconds,
          digestsChanged: skopeoImport.digestsChanged,
          digestsChangedDocker: skopeoImport.changedDocker,
          digestsChangedOci: skopeoImport.changedOci,
          digestsChangedByImport: skopeoImport.changedByImport,
          changed: skopeoImport.changed,
        },
        ratio: importRatio,
      },
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
        pageCache: verify.pageCache,
      },
      goals,
      passExport,
      passImport,
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
    const phaseLines = (run: AirlockRun): void => {
      for (const p of run.phases) {
        const u = run.usageByPhase[p.phase];
        lines.push(`    ${pad(p.phase, 9)}${pad(secs(p.seconds), 9)}${u ? `cpu ${pad(secs(u.cpuSeconds), 9)}read ${pad(mb(u.diskReadBytes), 10)}written ${pad(mb(u.diskWriteBytes), 10)}rss ${mb(u.peakRssBytes)}` : ''}`);
      }
    };
    lines.push(`  airlock phases (wall; CPU of all threads; disk read/written by the process):`);
    phaseLines(airlock);
    lines.push(`  import: the set into a second registry; skopeo its OCI layout into a third`);
    lines.push(
      row([
        `airlock mirror --from`,
        secs(imported.seconds),
        `${importRate.toFixed(0)} MB/s`,
        `${imported.digestsChanged} of ${pushed.length}`,
        mb(imported.peakRssBytes),
        cpu(imported.cpuSeconds, imported.registryCpuSeconds),
      ]),
    );
    lines.push(
      row([
        'skopeo copy --all oci:',
        secs(skopeoImport.seconds),
        `${skopeoImportRate.toFixed(0)} MB/s`,
        `${skopeoImport.digestsChanged} of ${pushed.length}`,
        skopeoImport.peakRssBytes === undefined ? '-' : mb(skopeoImport.peakRssBytes),
        cpu(skopeoImport.cpuSeconds, skopeoImport.registryCpuSeconds),
      ]),
    );
    lines.push(
      `  import ratio ${importRatio.toFixed(2)}x (goal >= ${GOALS.throughputRatio}x); ${imported.trust === 'keys trust' ? 'station key trusted beforehand' : 'accepted with --insecure-accept-untrusted'}; ${imported.imagesOk} of ${pushed.length} pushed, ${mb(imported.bytesPushed)} in ${imported.blobsPushed} blobs, ${imported.blobsSkipped} mounted or present; skopeo changed ${skopeoImport.changedByImport} digest(s) in the import itself`,
    );
    const phaseRate = (phase: string, bytes: number): string => {
      const p = imported.phases.find((x) => x.phase === phase);
      return p && p.seconds > 0 ? `${phase} ${rate(bytes, p.seconds).toFixed(0)} MB/s` : `${phase} -`;
    };
    lines.push(`  airlock import phases (${phaseRate('verify', imported.bytesVerified)}, ${phaseRate('push', imported.bytesPushed)}):`);
    phaseLines(imported);
    lines.push(
      `  verify ${mb(verify.bytes)} in ${airlock.parts} part(s): sha256sum ${secs(verify.sha256sumSeconds)} (${rate(verify.bytes, verify.sha256sumSeconds).toFixed(0)} MB/s), ${verify.verifier === 'airlock verify' ? 'airlock verify (deep)' : 'verifyTransferSet (deep)'} ${secs(verify.airlockSeconds)} (${rate(verify.bytes, verify.airlockSeconds).toFixed(0)} MB/s): ${verify.ratio.toFixed(2)}x (goal >= ${GOALS.verifyRatio}x), page cache ${verify.pageCache}`,
    );
    const mark = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    lines.push(
      `  goals: export >= 2x skopeo ${mark(goals.throughputRatio.pass)}, every digest kept ${mark(goals.airlockDigestsChanged.pass)}, peak RSS < 300 MB ${mark(goals.airlockPeakRss.pass)}; import >= 2x skopeo ${mark(goals.importThroughputRatio.pass)}, every digest kept ${mark(goals.importDigestsChanged.pass)}; verify >= 2.5x sha256sum ${mark(goals.verifyRatio.pass)}`,
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
