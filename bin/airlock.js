#!/usr/bin/env node
// Runs the built CLI; in a source checkout without a build it runs the TypeScript through tsx.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
const entry = existsSync(built) ? built : (require('tsx/cjs/api').register(), join(__dirname, '..', 'src', 'cli', 'main.ts'));
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
