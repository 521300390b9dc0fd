/**
 * Which mounted volumes are removable drives, from what Linux reports: `lsblk --json -b -o
 * NAME,LABEL,MOUNTPOINT,FSTYPE,SIZE,RM,HOTPLUG,TRAN`, /sys/block/<disk>/removable and /proc/mounts.
 * Pure: the caller runs the commands and reads the files, so every lsblk variant is table-tested.
 *
 * lsblk output differs between util-linux versions: before 2.33 every value is a string ("1",
 * "32015679488"), later booleans and numbers; 2.37 added `mountpoints` (an array) beside
 * `mountpoint`. All of these are accepted.
 */

export interface MountEntry {
  readonly device: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly readOnly: boolean;
}

export interface VolumeCandidate {
  readonly device: string;
  readonly disk: string;
  readonly label: string;
  readonly mountPoint: string;
  readonly fsType: string;
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  readonly transport: string;
}

/** Mount points that belong to the running system: a drive mounted there is never offered. */
const SYSTEM_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/efi', '/usr', '/var', '/home', '/opt', '/srv', '/tmp', '/nix', '/etc']);
/** Block devices that are never drives an operator plugs in. */
const VIRTUAL_DISK = /^(loop|zram|ram|sr|md|dm-|nbd|fd)\d*/;

/** /proc/mounts escapes space, tab, newline and backslash as octal (\040 ...). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseProcMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const [device, mountPoint, fsType, options] = fields as [string, string, string, string];
    entries.push({
      device: unescapeMountField(device),
      mountPoint: unescapeMountField(mountPoint),
      fsType,
      readOnly: options.split(',').includes('ro'),
    });
  }
  return entries;
}

interface LsblkNode {
  readonly name?: unknown;
  readonly label?: unknown;
  readonly mountpoint?: unknown;
  readonly mountpoints?: unknown;
  readonly fstype?: unknown;
  readonly size?: unknown;
  readonly rm?: unknown;
  readonly hotplug?: unknown;
  readonly tran?: unknown;
  readonly children?: unknown;
}

function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function bytes(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return 0;
}

function mountPointsOf(node: LsblkNode): string[] {
  const list: string[] = [];
  if (Array.isArray(node.mountpoints)) for (const m of node.mountpoints) if (typeof m === 'string' && m !== '') list.push(m);
  if (typeof node.mountpoint === 'string' && node.mountpoint !== '' && !list.includes(node.mountpoint)) list.push(node.mountpoint);
  return list.filter((m) => m.startsWith('/'));
}

function children(node: LsblkNode): LsblkNode[] {
  return Array.isArray(node.children) ? (node.children.filter((c) => typeof c === 'object' && c !== null) as LsblkNode[]) : [];
}

export interface ParseOptions {
  /** /sys/block/<disk>/removable, by disk name. */
  readonly sysRemovable?: ReadonlyMap<string, boolean>;
  readonly mounts?: readonly MountEntry[];
}

/**
 * The mounted volumes of removable disks. A disk counts as removable when lsblk says RM or HOTPLUG,
 * its transport is usb, or /sys/block says so. Volumes mounted where the system lives are left out,
 * whatever the flags say.
 */
export function parseLsblk(json: string, options: ParseOptions = {}): VolumeCandidate[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  const devices = (parsed as { blockdevices?: unknown }).blockdevices;
  if (!Array.isArray(devices)) return [];
  const mounts = options.mounts ?? [];
  const out: VolumeCandidate[] = [];

  for (const disk of devices as LsblkNode[]) {
    const diskName = text(disk.name);
    if (diskName === '' || VIRTUAL_DISK.test(diskName)) continue;
    const transport = text(disk.tran);
    const removable = flag(disk.rm) || flag(disk.hotplug) || transport === 'usb' || options.sysRemovable?.get(diskName) === true;
    if (!removable) continue;

    const volumes: LsblkNode[] = [];
    const walk = (node: LsblkNode): void => {
      volumes.push(node);
      for (const child of children(node)) walk(child);
    };
    walk(disk);

    const candidates: VolumeCandidate[] = [];
    let touchesSystem = false;
    for (const node of volumes) {
      const name = text(node.name);
      const device = `/dev/${name}`;
      const points = mountPointsOf(node);
      const fromProc = mounts.filter((m) => m.device === device);
      for (const m of fromProc) if (!points.includes(m.mountPoint)) points.push(m.mountPoint);
      for (const mountPoint of points) {
        if (SYSTEM_MOUNTS.has(mountPoint)) {
          touchesSystem = true;
          continue;
        }
        const proc = fromProc.find((m) => m.mountPoint === mountPoint);
        candidates.push({
          device,
          disk: `/dev/${diskName}`,
          label: text(node.label),
          mountPoint,
          fsType: text(node.fstype) || proc?.fsType || '',
          sizeBytes: bytes(node.size),
          readOnly: proc?.readOnly ?? false,
          transport,
        });
      }
    }
    // A "removable" disk that holds the running system (a live USB, a hot-pluggable root) is not a target.
    if (!touchesSystem) out.push(...candidates);
  }
  return out;
}
