#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into out/native/electron/better_sqlite3.node, leaving the
// Node-ABI build in node_modules (used by tests, the server and host mode) untouched. The app loads this
// file through better-sqlite3's `nativeBinding` option (PARLEY_SQLITE_BINDING, or the packaged copy).
// Needs Electron's headers, downloaded by node-gyp from electronjs.org: run it where that host is reachable.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const electronVersion = require('electron/package.json').version;
const source = path.dirname(require.resolve('better-sqlite3/package.json'));
const work = path.join(root, 'out', 'native', 'electron-build');
const target = path.join(root, 'out', 'native', 'electron', 'better_sqlite3.node');

fs.rmSync(work, { recursive: true, force: true });
fs.cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) });
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
execFileSync(
  process.execPath,
  [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
  { cwd: work, stdio: 'inherit' },
);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target);
console.log(`built ${path.relative(root, target)} for Electron ${electronVersion}`);
