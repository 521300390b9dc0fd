/**
 * The deterministic tar entries a transfer-set part is made of. Every header is a plain POSIX ustar
 * header: fixed mtime, uid/gid 0, no user or group names, mode 0644 for files and 0755 for
 * directories, no pax or GNU extension records. Sizes that do not fit ustar's 11 octal digits
 * (8 GiB and up) use the base-256 encoding GNU tar, bsdtar and tar-stream all read. So an entry is
 * always exactly one 512-byte header, its data, and zero padding to the next 512-byte boundary,
 * which is what lets the planner compute every offset ahead of writing.
 */
export const TAR_BLOCK = 512;
/** The end-of-archive marker: two zero blocks. */
export const TAR_TRAILER = 2 * TAR_BLOCK;
/** The trailer's bytes, and a source of padding (read only). */
export const TAR_ZEROS: Buffer = Buffer.alloc(TAR_TRAILER);
/** 2000-01-01T00:00:00Z: a fixed, unremarkable timestamp that every filesystem (FAT included) can store. */
export const TAR_MTIME = 946_684_800;
export const TAR_FILE_MODE = 0o644;
export const TAR_DIR_MODE = 0o755;
/** ustar name field; longer names would need the prefix field or a pax header, neither of which we write. */
const NAME_FIELD = 100;
const MAX_OCTAL_SIZE = 0o77777777777;

export type TarEntryType = 'file' | 'directory';

export function tarPadding(size: number): number {
  const rest = size % TAR_BLOCK;
  return rest === 0 ? 0 : TAR_BLOCK - rest;
}

/** Header plus data plus padding. */
export function tarEntrySize(size: number): number {
  return TAR_BLOCK + size + tarPadding(size);
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  // width - 1 octal digits and a NUL, as POSIX ustar writes them.
  block.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'ascii');
  block[offset + width - 1] = 0;
}

function writeSize(block: Buffer, size: number): void {
  if (size <= MAX_OCTAL_SIZE) {
    writeOctal(block, 124, 12, size);
    return;
  }
  // base-256: 0x80 marker byte, then the size big-endian in the remaining 11 bytes.
  block[124] = 0x80;
  let rest = size;
  for (let i = 135; i > 124; i--) {
    block[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

export function tarHeader(name: string, type: TarEntryType, size: number): Buffer {
  if (Buffer.byteLength(name) > NAME_FIELD || !/^[\x21-\x7e]+$/.test(name)) {
    throw new RangeError(`tar entry name "${name}" does not fit a plain ustar header`);
  }
  if (!Number.isSafeInteger(size) || size < 0 || (type === 'directory' && size !== 0)) {
    throw new RangeError(`tar entry ${name} has an invalid size ${size}`);
  }
  const block = Buffer.alloc(TAR_BLOCK);
  block.write(name, 0, NAME_FIELD, 'ascii');
  writeOctal(block, 100, 8, type === 'directory' ? TAR_DIR_MODE : TAR_FILE_MODE);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeSize(block, size);
  writeOctal(block, 136, 12, TAR_MTIME);
  block[156] = type === 'directory' ? 0x35 : 0x30; // '5' | '0'
  block.write('ustar\x0000', 257, 8, 'ascii');
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += block[i] ?? 0;
  block.write(sum.toString(8).padStart(6, '0'), 148, 6, 'ascii');
  block[154] = 0;
  block[155] = 0x20;
  return block;
}
