import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore } from './store.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-open-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('loads the addon from an explicit nativeBinding path (how the Electron build is picked)', () => {
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  const binding = path.join(packageDir, 'build', 'Release', 'better_sqlite3.node');
  const store = openStore({ path: path.join(dir, 'store.db'), nativeBinding: binding });
  store.settings.set('ok', true);
  expect(store.settings.get('ok')).toBe(true);
  store.close();
});

it('reports a missing addon instead of opening without it', () => {
  expect(() => openStore({ path: path.join(dir, 'store.db'), nativeBinding: path.join(dir, 'missing.node') })).toThrow();
});
