#!/usr/bin/env node
// In a source checkout (src/ present and tsx installed) the CLI runs from the TypeScript, so it is
// never a stale build; an installed package runs the build in dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'src', 'cli', 'main.ts');
const built = join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');

function entry() {
  if (existsSync(source)) {
    try {
      require('tsx/cjs/api').register();
      return source;
    } catch {
      // tsx is a dev dependency; without it fall back to the build.
    }
  }
  return built;
}

require(entry())
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
