// The layer boundaries in eslint.config.mjs, checked through ESLint's Node API: each probe is linted
// as if it lived at filePath, and must (or must not) trip the import restrictions.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: repoRoot });

const BOUNDARY_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-globals']);

async function lint(filePath: string, code: string): Promise<ESLint.LintResult> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath) });
  assert.ok(result, `no lint result for ${filePath}`);
  return result;
}

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const result = await lint(filePath, code);
  return result.messages.filter((m) => m.severity === 2 && BOUNDARY_RULES.has(m.ruleId ?? '')).map((m) => m.message);
}

const ELECTRON_APP = "import { app } from 'electron';\n\nexport const ready = app.whenReady();\n";

describe('layer boundaries', () => {
  it('refuses electron in src/ and allows the same text in main/', async () => {
    const inSrc = await lint('src/lint-probe.ts', ELECTRON_APP);
    assert.ok(
      inSrc.messages.some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' && m.severity === 2),
      JSON.stringify(inSrc.messages),
    );
    const inMain = await lint('main/lint-probe.ts', ELECTRON_APP);
    assert.equal(inMain.errorCount, 0, JSON.stringify(inMain.messages));
  });

  const cases: readonly (readonly [filePath: string, code: string, refused: boolean])[] = [
    // The engine.
    ['src/registry/lint-probe.ts', "import type { WebContents } from 'electron';\nexport type W = WebContents;\n", true],
    ['src/lint-probe.ts', "import { useState } from 'react';\nexport const u = useState;\n", true],
    ['src/lint-probe.ts', "import { createRoot } from 'react-dom/client';\nexport const c = createRoot;\n", true],
    ['src/cli/lint-probe.ts', "import { createMainWindow } from '../../main/window';\nexport const w = createMainWindow;\n", true],
    ['src/lint-probe.ts', "import type { AirlockApi } from '../renderer/api';\nexport type A = AirlockApi;\n", true],
    ['src/cli/lint-probe.ts', "import { main } from './main';\nexport const m = main;\n", false],
    ['src/lint-probe.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n", false],
    // Raw IPC.
    ['main/lint-probe.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n", true],
    ['main/services/lint-probe.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n", true],
    ['main/ipc/lint-probe.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n", false],
    ['main/ipc/lint-probe.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n", true],
    ['main/preload/lint-probe.ts', "import { contextBridge, ipcRenderer } from 'electron';\nexport const i = [contextBridge, ipcRenderer];\n", false],
    ['main/preload/lint-probe.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n", true],
    ['test/unit/lint-probe.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n", true],
    ['main/lint-probe.ts', "import { AirlockError } from '../src/errors';\nexport const e = AirlockError;\n", false],
    // The renderer.
    ['renderer/lint-probe.ts', "import { shell } from 'electron';\nexport const s = shell;\n", true],
    ['renderer/lint-probe.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n", true],
    ['renderer/lint-probe.ts', "import fs from 'fs';\nexport const f = fs;\n", true],
    ['renderer/lint-probe.ts', "import path from 'path';\nexport const p = path;\n", true],
    ['renderer/lint-probe.ts', "import { spawn } from 'child_process';\nexport const s = spawn;\n", true],
    ['renderer/lint-probe.ts', 'export const argv = process.argv;\n', true],
    ['renderer/lint-probe.ts', "import type { AirlockApi } from '../main/ipc/contract';\nexport type A = AirlockApi;\n", false],
    [
      'renderer/wizards/export/LintProbe.tsx',
      "import type { Result } from '../../../main/ipc/contract';\nexport type R = Result<string>;\n",
      false,
    ],
    ['renderer/lint-probe.ts', "import { type AirlockApi } from '../main/ipc/contract';\nexport type A = AirlockApi;\n", false],
    ['renderer/lint-probe.ts', "import * as contract from '../main/ipc/contract';\nexport const c = contract;\n", true],
    ['renderer/lint-probe.ts', "import { isAppUrl } from '../main/app-scheme';\nexport const i = isAppUrl;\n", true],
    ['renderer/lint-probe.ts', "import type { AirlockError } from '../src/errors';\nexport type E = AirlockError;\n", true],
    ['renderer/lint-probe.ts', "import { App } from './App';\nexport const a = App;\n", false],
    ['renderer/lint-probe.ts', "import { useState } from 'react';\nexport const u = useState;\n", false],
  ];

  for (const [filePath, code, refused] of cases) {
    const firstLine = code.split('\n')[0];
    it(`${refused ? 'refuses' : 'allows'} in ${filePath}: ${firstLine}`, async () => {
      const errors = await boundaryErrors(filePath, code);
      if (refused) assert.notEqual(errors.length, 0, 'expected a boundary error');
      else assert.deepEqual(errors, []);
    });
  }
});
