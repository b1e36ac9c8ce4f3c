/**
 * The layering fence of docs/architecture.md holds: ESLint refuses each forbidden import below, and still
 * accepts the allowed ones beside them (so a rule that refused everything would fail here too); and the renderer's and
 * protocol/'s TypeScript projects know nothing of Node.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function fenceErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** [file the import is written in, the import, why it must be refused] */
const FORBIDDEN: Array<[string, string, string]> = [
  ['renderer/src/app/x.ts', `import fs from 'fs';`, 'a bare Node built-in in the renderer'],
  ['renderer/src/app/x.ts', `import { readFile } from 'node:fs/promises';`, 'node: in the renderer'],
  ['renderer/src/app/x.tsx', `import { ipcRenderer } from 'electron';`, 'electron in the renderer'],
  ['renderer/src/app/x.ts', `import { IPC_CHANNELS } from '../../../preload/contract';`, 'a value from preload/ beyond api-types'],
  ['renderer/src/app/x.ts', `import { buildApi } from '../../../preload/build-api.js';`, 'preload internals in the renderer'],
  ['renderer/src/app/x.ts', `import { ClientCore } from '../../../main/src/core/client-core.js';`, 'main/ from the renderer'],
  ['renderer/src/app/x.ts', `import { startServer } from '../../../server/src/app.js';`, 'server/ from the renderer'],
  ['renderer/src/app/x.ts', `import { groupConvId } from '../../../protocol/index.js';`, 'protocol/index (compiled validators) in the renderer'],
  ['renderer/src/app/x.ts', `import { compile } from '../../../protocol/validate.js';`, 'protocol/validate (new Function) in the renderer'],
  ['renderer/src/app/x.ts', `import type { GroupInfo } from '../../../protocol/ops.js';`, 'protocol/ beyond pure in the renderer'],
  ['renderer/src/app/x.ts', `import { groupConvId } from '../../../protocol';`, 'the protocol/ folder itself in the renderer'],
  ['protocol/x.ts', `import fs from 'node:fs';`, 'node: in protocol/'],
  ['protocol/x.ts', `import { createHash } from 'crypto';`, 'a bare Node built-in in protocol/'],
  ['protocol/x.ts', `import { useState } from 'react';`, 'react in protocol/'],
  ['protocol/x.ts', `import { app } from 'electron';`, 'electron in protocol/'],
  ['protocol/x.ts', `import type { Account } from '../main/src/core/account.js';`, 'our code in protocol/'],
  ['main/src/core/x.ts', `import { app } from 'electron';`, 'electron in the core'],
  ['main/src/store/x.ts', `import { autoUpdater } from 'electron-updater';`, 'electron-updater outside the Electron layer'],
  ['main/src/core/x.test.ts', `import { app } from 'electron';`, 'electron in a core test'],
  ['main/src/core/x.ts', `import { Shell } from '../../../renderer/src/app/Shell.js';`, 'renderer/ from main/'],
  ['main/src/core/x.ts', `import { startServer } from '../../../server/src/app.js';`, 'server/ from shipped main/ code'],
  ['server/src/x.ts', `import { app } from 'electron';`, 'electron in the server'],
  ['server/src/x.ts', `import { Account } from '../../main/src/core/account.js';`, 'main/ from the server'],
  ['preload/x.ts', `import { Account } from '../main/src/core/account.js';`, 'main/ from preload/'],
];

/** Their allowed neighbours. */
const ALLOWED: Array<[string, string]> = [
  ['renderer/src/app/x.ts', `import type { Api } from '../../../preload/api-types';`],
  ['renderer/src/app/x.ts', `import { isApiError } from '../../../preload/api-types.js';`],
  ['renderer/src/app/x.ts', `import { groupConvId } from '../../../protocol/pure.js';`],
  ['renderer/src/app/x.ts', `import type { SystemEventName } from '../../../protocol/pure';`],
  ['renderer/src/app/x.tsx', `import { useState } from 'react';`],
  ['protocol/x.ts', `import { Type } from '@sinclair/typebox';`],
  ['main/src/electron/x.ts', `import { app } from 'electron';`],
  ['main/src/electron/x.test.ts', `import { app } from 'electron';`],
  ['main/src/core/x.ts', `import fs from 'node:fs';`],
  ['main/src/core/x.test.ts', `import { startServer } from '../../../server/src/app.js';`],
  ['preload/x.ts', `import { contextBridge } from 'electron';`],
];

describe('the lint fence', () => {
  it.each(FORBIDDEN)('refuses in %s: %s (%s)', async (file, code) => {
    expect(await fenceErrors(file, `${code}\nexport {};\n`)).not.toEqual([]);
  });

  it.each(ALLOWED)('allows in %s: %s', async (file, code) => {
    expect(await fenceErrors(file, `${code}\nexport {};\n`)).toEqual([]);
  });
});

/** Compiles one probe file with a folder's tsconfig options (its lib and types), nothing else. */
function probeDiagnostics(tsconfig: string, source: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  const probe = path.join(path.dirname(path.resolve(tsconfig)), '__probe__.ts');
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === probe ? source : readFile(file));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => path.resolve(file) === probe || fileExists(file);
  const program = ts.createProgram([probe], parsed.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the type-check fence', () => {
  it('the renderer and protocol/ compile without Node’s globals; protocol/ without the DOM too', () => {
    const nodeGlobals = `export const a = process.env.HOME; export const b = Buffer.from('x'); export const c = require('fs');\n`;
    for (const tsconfig of ['renderer/tsconfig.json', 'protocol/tsconfig.json']) {
      const errors = probeDiagnostics(tsconfig, nodeGlobals);
      for (const name of ['process', 'Buffer', 'require']) expect(errors.some((e) => e.includes(`'${name}'`))).toBe(true);
    }
    expect(probeDiagnostics('protocol/tsconfig.json', `export const d = document.title;\n`).some((e) => e.includes(`'document'`))).toBe(true);
    expect(probeDiagnostics('renderer/tsconfig.json', `export const d: string = document.title;\n`)).toEqual([]);
  });

  it('the renderer’s project holds no Node-side file (vite.config.ts would bring Node’s types in)', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile('renderer/tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    expect(parsed?.fileNames.some((f) => f.endsWith('vite.config.ts'))).toBe(false);
    expect(parsed?.options.types).toEqual([]);
  });
});
