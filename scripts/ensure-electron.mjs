#!/usr/bin/env node
// Run by `npm start` before launching. package.json keeps electron's install script from running
// ("allowScripts": electron false) so that `npm ci` never fails on a machine that cannot download the
// Electron binary; this fetches the binary on first start instead, and says clearly when it cannot.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The Electron executable's path when the binary is installed, otherwise undefined. */
function electronBinary() {
  try {
    const binary = require('electron'); // the npm package exports the executable's path
    return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function fail(lines) {
  process.stderr.write(`\n${lines.join('\n')}\n\n`);
  process.exit(1);
}

if (electronBinary() === undefined) {
  let installScript;
  let version = 'unknown';
  try {
    installScript = require.resolve('electron/install.js');
    version = require('electron/package.json').version;
  } catch {
    fail([
      'The electron package is not installed (it is an optional dependency).',
      'Run `npm install` where it can be installed, or use the command line: `npm run airlock -- --help`.',
    ]);
  }

  process.stdout.write(`Electron ${version} binary not found; downloading it (node ${installScript}) ...\n`);
  const install = spawnSync(process.execPath, [installScript], { stdio: 'inherit' });

  if (install.status !== 0 || electronBinary() === undefined) {
    fail([
      `The Electron ${version} binary could not be downloaded on this machine, so the desktop app cannot start.`,
      'To proceed, do one of:',
      '  - allow access to the Electron download site (github.com), or set ELECTRON_MIRROR to a reachable',
      '    mirror of it, and run `npm start` again;',
      `  - set ELECTRON_OVERRIDE_DIST_PATH to a directory holding an unpacked Electron ${version} for`,
      `    ${process.platform}-${process.arch} (its executable named \`electron\`), and run \`npm start\` again;`,
      '  - or use the command line, which needs no Electron: `npm run airlock -- --help`.',
      ...(process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? ['(ELECTRON_SKIP_BINARY_DOWNLOAD is set, which skips the download.)'] : []),
    ]);
  }
  process.stdout.write('Electron binary installed.\n');
}
