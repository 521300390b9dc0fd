/**
 * SHA256SUMS in the format of coreutils `sha256sum`: one `<64 hex>  <name>` line per file, so that
 * `sha256sum -c SHA256SUMS` checks a set on any machine without Airlock.
 */
export interface SumEntry {
  readonly name: string;
  /** Lowercase hex. */
  readonly sha256: string;
}

/** A name SHA256SUMS may list: a plain file of the set directory, nothing that would need escaping. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/;

export function isSafeSetFileName(name: string): boolean {
  return SAFE_NAME.test(name);
}

export function formatSums(entries: readonly SumEntry[]): Buffer {
  for (const entry of entries) {
    if (!isSafeSetFileName(entry.name) || !/^[a-f0-9]{64}$/.test(entry.sha256)) {
      throw new RangeError(`cannot list ${JSON.stringify(entry.name)} in SHA256SUMS`);
    }
  }
  return Buffer.from(entries.map((e) => `${e.sha256}  ${e.name}\n`).join(''));
}

export type SumsParse =
  | { readonly ok: true; readonly entries: readonly SumEntry[] }
  | { readonly ok: false; readonly line: number; readonly reason: string };

/**
 * Reads SHA256SUMS strictly: text mode (two spaces) or binary mode (` *`), one file per line,
 * names that stay inside the set directory, each name once. Upper-case hex is accepted (sha256sum
 * accepts it too) and lowered.
 */
export function parseSums(bytes: Uint8Array): SumsParse {
  const textContent = Buffer.from(bytes).toString('utf8');
  const lines = textContent.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const entries: SumEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    const match = /^([A-Fa-f0-9]{64}) [ *](.+)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) return { ok: false, line: i + 1, reason: `"${line.slice(0, 100)}" is not "<sha256>  <file name>"` };
    const name = match[2];
    if (!isSafeSetFileName(name)) return { ok: false, line: i + 1, reason: `${JSON.stringify(name.slice(0, 100))} is not a plain file name of the set` };
    if (seen.has(name)) return { ok: false, line: i + 1, reason: `${name} is listed twice` };
    seen.add(name);
    entries.push({ name, sha256: match[1].toLowerCase() });
  }
  return { ok: true, entries };
}
