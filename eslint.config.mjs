// @ts-check
// typescript-eslint's recommended rules, plus the dependency direction of STYLE.md enforced with
// @typescript-eslint/no-restricted-imports (no-restricted-imports that understands `import type`):
//   src/       the engine: never electron, react, react-dom, main/ or renderer/
//   renderer/  a sandboxed page: no electron, no Node built-ins, nothing from src/ or main/ except
//              `import type` from main/ipc/contract
//   raw IPC    ipcMain only in main/ipc/, ipcRenderer only in main/preload/ (a sandboxed preload
//              cannot require our own files, so its typed invoke has to live in the preload itself)
// In flat config a later block replaces a rule's options, so each block lists everything it bans.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const RULE = '@typescript-eslint/no-restricted-imports';
const CODE = '{ts,tsx,mts,cts,js,mjs,cjs}';

// Relative import paths depend on how deep the importing file sits, so src/ and renderer/ get one
// block per depth, each with regexes that recognise a climb of exactly that many levels to the root.
const MAX_DEPTH = 8;
const depths = Array.from({ length: MAX_DEPTH }, (_, i) => i + 1);
const climb = (depth) => `^(\\./)?(\\.\\./){${depth}}`;
const filesAtDepth = (top, depth) => [`${top}/${'*/'.repeat(depth - 1)}*.${CODE}`];

const RAW_IPC_MESSAGE = 'Raw IPC lives only in main/ipc/ (ipcMain) and main/preload/ (ipcRenderer); use the typed wrappers.';
const rawIpc = (...importNames) => ({ name: 'electron', importNames, message: RAW_IPC_MESSAGE });

const REACT_MESSAGE = 'Only renderer/ uses React.';
const noReact = {
  paths: ['react', 'react-dom'].map((name) => ({ name, message: REACT_MESSAGE })),
  patterns: [{ regex: '^react(-dom)?/', message: REACT_MESSAGE }],
};

function engineRules(depth) {
  return {
    [RULE]: [
      'error',
      {
        paths: [{ name: 'electron', message: 'src/ is the Electron-free engine; Electron belongs in main/.' }, ...noReact.paths],
        patterns: [
          ...noReact.patterns,
          {
            regex: `${climb(depth)}(main|renderer)(/|$)`,
            message: 'src/ must not depend on main/ or renderer/; dependencies run main -> src.',
          },
        ],
      },
    ],
  };
}

const NODE_MESSAGE = 'renderer/ is a sandboxed page without Node; ask main through window.airlock (renderer/api.ts).';

function rendererRules(depth) {
  return {
    [RULE]: [
      'error',
      {
        paths: [
          { name: 'electron', message: 'renderer/ never imports electron; use window.airlock (renderer/api.ts).' },
          ...builtinModules.filter((name) => !name.startsWith('_')).map((name) => ({ name, message: NODE_MESSAGE })),
        ],
        patterns: [
          { regex: '^node:', message: NODE_MESSAGE },
          {
            regex: `${climb(depth)}main/ipc/contract$`,
            allowTypeImports: true,
            message: 'renderer/ may only `import type` from main/ipc/contract.',
          },
          {
            regex: `${climb(depth)}(?!main/ipc/contract$)(src|main)(/|$)`,
            message: 'renderer/ must not import src/ or main/; use `import type` from main/ipc/contract.',
          },
        ],
      },
    ],
    'no-restricted-globals': [
      'error',
      ...['process', 'require', 'module', 'exports', 'Buffer', 'global', '__dirname', '__filename'].map((name) => ({
        name,
        message: NODE_MESSAGE,
      })),
    ],
  };
}

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'renderer/dist/', 'test-results/', 'playwright-report/', 'release/', '.tmp/'] },
  tseslint.configs.recommended,
  {
    files: [`**/*.${CODE}`],
    ignores: ['renderer/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // CommonJS entry points such as bin/airlock.js.
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // Raw IPC: banned everywhere, then allowed half by half in the two places that wrap it.
  { files: [`**/*.${CODE}`], rules: { [RULE]: ['error', { paths: [rawIpc('ipcMain', 'ipcRenderer')] }] } },
  {
    files: [`main/**/*.${CODE}`],
    rules: { [RULE]: ['error', { paths: [rawIpc('ipcMain', 'ipcRenderer'), ...noReact.paths], patterns: noReact.patterns }] },
  },
  {
    files: [`main/ipc/**/*.${CODE}`],
    rules: { [RULE]: ['error', { paths: [rawIpc('ipcRenderer'), ...noReact.paths], patterns: noReact.patterns }] },
  },
  {
    files: [`main/preload/**/*.${CODE}`],
    rules: { [RULE]: ['error', { paths: [rawIpc('ipcMain'), ...noReact.paths], patterns: noReact.patterns }] },
  },

  ...depths.map((depth) => ({ files: filesAtDepth('src', depth), rules: engineRules(depth) })),

  ...depths.map((depth) => ({
    files: filesAtDepth('renderer', depth),
    languageOptions: { globals: globals.browser },
    rules: rendererRules(depth),
  })),
  {
    // Build tooling that runs in Node, not renderer code.
    files: ['renderer/vite.config.ts'],
    languageOptions: { globals: globals.node },
    rules: { [RULE]: 'off', 'no-restricted-globals': 'off' },
  },
);
