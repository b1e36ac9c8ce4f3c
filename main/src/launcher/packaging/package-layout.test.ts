/**
 * electron-builder's real file collection, offline: a Linux `--dir` build against a stand-in Electron
 * distribution (electronDist), so no download happens. Checks what lands in app.asar, what is unpacked,
 * the extra resources, the app-update.yml written from PARLEY_UPDATE_URL, and the fuses flipped in the
 * executable (the stand-in carries a fuse wire as Electron's binary does). Installers themselves (and a
 * real Electron) need the network and are not built here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleElectron } from '../build-steps.js';
import { loadBaseConfig, packagingConfig } from './packaging-config.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const require = createRequire(import.meta.url);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-pack-'));
const staged = path.join(root, 'out', 'native', 'package', 'better_sqlite3.node');

// Electron's fuse wire as @electron/fuses finds it in the binary: a sentinel, the wire's version (1), its
// length, then one byte per fuse ('1' on, '0' off), here with Electron's defaults: RunAsNode, NODE_OPTIONS,
// --inspect and the file protocol's privileges on; cookie encryption, asar integrity, asar only and the
// browser-process snapshot off.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const DEFAULT_FUSES = '10110001';
const standInElectron = Buffer.concat([Buffer.from('#!/bin/sh\n# '), Buffer.from(FUSE_SENTINEL), Buffer.from([1, DEFAULT_FUSES.length]), Buffer.from(`${DEFAULT_FUSES}\n`)]);

function fuses(binary: string): string {
  const bytes = fs.readFileSync(binary);
  const at = bytes.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
  expect(at).toBeGreaterThanOrEqual(FUSE_SENTINEL.length);
  return bytes.subarray(at + 2, at + 2 + bytes[at + 1]!).toString('latin1');
}

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
  // The stand-in has Node's ABI: never leave it where a real packaging run could pick it up.
  fs.rmSync(staged, { force: true });
});

describe.runIf(process.platform === 'linux')('the packaged app (linux --dir, stand-in Electron)', () => {
  it('holds the bundles, the renderer, better-sqlite3 unpacked, and nothing else', async () => {
    await bundleElectron(root); // what `npm run dist` packs; a fresh checkout has no out/ yet
    const dist = path.join(work, 'electron');
    fs.mkdirSync(path.join(dist, 'locales'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'electron'), standInElectron, { mode: 0o755 });
    const config = { ...packagingConfig(loadBaseConfig(path.join(root, 'electron-builder.yml')), { PARLEY_UPDATE_URL: 'https://updates.example.com/parley' }) };
    Object.assign(config, { electronDist: dist, directories: { output: path.join(work, 'out'), buildResources: 'build' } });
    const configFile = path.join(work, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify(config));
    const binding = require.resolve('better-sqlite3/build/Release/better_sqlite3.node');
    const result = spawnSync(process.execPath, [require.resolve('electron-builder/cli.js'), '--config', configFile, '--publish', 'never', '--linux', 'dir', '--x64'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PARLEY_PACKAGE_SQLITE_BINDING: binding, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
      timeout: 120_000,
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);

    // The fuses, flipped in the packaged executable: RunAsNode, NODE_OPTIONS and --inspect off; asar integrity
    // and asar only on; the rest as Electron ships them. By position: RunAsNode, cookie encryption,
    // NODE_OPTIONS, --inspect, asar integrity, asar only, browser-process snapshot, file protocol privileges.
    expect(fuses(path.join(work, 'out', 'linux-unpacked', 'parley'))).toBe('00001101');

    const resources = path.join(work, 'out', 'linux-unpacked', 'resources');
    const asar = require('@electron/asar') as { listPackage(file: string): string[]; extractFile(file: string, inner: string): Buffer };
    const files = asar.listPackage(path.join(resources, 'app.asar')).map((f) => f.replace(/\\/g, '/').slice(1));
    const modules = new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]));
    expect([...modules].sort()).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path']);
    expect(files).toEqual(expect.arrayContaining(['out/main/main.cjs', 'out/preload/electron-preload.cjs', 'package.json', 'node_modules/better-sqlite3/lib/index.js']));
    expect(files.filter((f) => /^(server|main|renderer|e2e|bench|docs|scripts|protocol|preload)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') || /\.test\./.test(f) || (f.endsWith('.map') && f !== 'out/main/main.cjs.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('node_modules/better-sqlite3/') && !/^node_modules\/better-sqlite3\/(lib(\/|$)|package\.json$)/.test(f))).toEqual([]);
    expect(JSON.parse(asar.extractFile(path.join(resources, 'app.asar'), 'package.json').toString())).toMatchObject({ main: 'out/main/main.cjs' });

    expect(fs.existsSync(path.join(resources, 'app.asar.unpacked', 'out', 'native', 'package', 'better_sqlite3.node'))).toBe(true);
    expect(fs.readdirSync(path.join(resources, 'icons')).sort()).toEqual(['icon.png', 'tray.png', 'tray@2x.png']);
    expect(fs.readFileSync(path.join(resources, 'app-update.yml'), 'utf8')).toContain('url: https://updates.example.com/parley');
    expect(fs.existsSync(path.join(work, 'out', 'linux-unpacked', 'parley'))).toBe(true);
  });
});
