#!/usr/bin/env node
// Writes release/SHA256SUMS for the installers electron-builder produced (AppImage, deb, rpm, exe,
// dmg), in the format `sha256sum -c` reads, and prints it so the hashes can also be read out or
// written down: the enclave side checks the copy it received against them.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'release';
const INSTALLER = /\.(AppImage|deb|rpm|exe|dmg)$/;

function sha256(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

const names = (await readdir(dir).catch(() => [])).filter((n) => INSTALLER.test(n)).sort();
if (names.length === 0) {
  process.stderr.write(`no installers in ${dir}; run \`npm run build && npx electron-builder\` first\n`);
  process.exit(1);
}
const lines = [];
for (const name of names) lines.push(`${await sha256(join(dir, name))}  ${name}`);
const text = `${lines.join('\n')}\n`;
await writeFile(join(dir, 'SHA256SUMS'), text);
process.stdout.write(text);
