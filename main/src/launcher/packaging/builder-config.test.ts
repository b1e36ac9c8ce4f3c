/**
 * electron-builder.yml, checked without packaging (which needs downloads): its schema (electron-builder's own
 * validator), its structure (targets, arches, ids, protocol, asar, files), the files it refers to, the icons,
 * and that the main bundle needs nothing from node_modules beyond what `files` ships.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleElectron } from '../build-steps.js';
import { ICNS_TYPES, readIcns, readIco } from './icon-containers.js';
import { PNG_SIZES } from './make-icons.js';
import { hasNotarizeCredentials, loadBaseConfig, packagingConfig, type BuilderConfig } from './packaging-config.js';
import { decodePng } from './png.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const base = loadBaseConfig(path.join(root, 'electron-builder.yml'));
const require = createRequire(import.meta.url);
const builderLib = path.dirname(require.resolve('app-builder-lib/package.json'));

type Target = { target: string; arch: string[] };
const section = (name: string) => base[name] as Record<string, unknown>;
const targets = (platform: string) => section(platform).target as Target[];

async function validate(config: BuilderConfig): Promise<void> {
  const { validateConfiguration } = require(path.join(builderLib, 'out/util/config/config.js')) as {
    validateConfiguration(c: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
  };
  await validateConfiguration(config, { isEnabled: false, add: () => undefined });
}

/** electron-builder's own file filter over `files`, with the node_modules exclusion it inserts. */
function fileFilter(): (relative: string) => boolean {
  const { FileMatcher } = require(path.join(builderLib, 'out/fileMatcher.js')) as {
    FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => {
      patterns: string[];
      createFilter(): (file: string, stat: { isDirectory(): boolean; moduleFullFilePath?: string }) => boolean;
    };
  };
  const matcher = new FileMatcher(root, '/app', (s) => s, base.files as string[]);
  const first = matcher.patterns.findIndex((p) => !p.startsWith('!') && p.includes('node_modules/'));
  matcher.patterns.splice(first, 0, '!**/node_modules/**');
  const filter = matcher.createFilter();
  return (relative) => filter(path.join(root, relative), { isDirectory: () => false, moduleFullFilePath: relative.startsWith('node_modules/') ? relative : undefined });
}

describe('electron-builder.yml', () => {
  it('is valid for electron-builder, as written and with the release environment applied', async () => {
    await validate(base);
    await validate(packagingConfig(base, { PARLEY_UPDATE_URL: 'https://updates.example.com/parley', APPLE_KEYCHAIN_PROFILE: 'parley' }));
  });

  it('names the app and registers parley:// with no file associations', () => {
    expect(base.appId).toBe('chat.parley.desktop');
    expect(base.productName).toBe('Parley');
    expect(base.protocols).toEqual([{ name: 'Parley', schemes: ['parley'] }]);
    for (const key of ['fileAssociations', 'publish']) expect(base).not.toHaveProperty(key);
    for (const platform of ['win', 'mac', 'linux']) expect(section(platform)).not.toHaveProperty('fileAssociations');
    expect((base.extraMetadata as { main: string }).main).toBe('out/main/main.cjs');
  });

  it('builds NSIS per user for x64 and arm64', () => {
    expect(targets('win')).toEqual([{ target: 'nsis', arch: ['x64', 'arm64'] }]);
    expect(section('nsis')).toMatchObject({ perMachine: false, oneClick: true });
  });

  it('builds dmg and zip for both Mac arches with the hardened runtime, notarization off by default', () => {
    expect(targets('mac')).toEqual([
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] },
    ]);
    expect(section('mac')).toMatchObject({ hardenedRuntime: true, notarize: false });
    const entitlements = fs.readFileSync(path.join(root, section('mac').entitlements as string), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
    expect(entitlements).toContain('com.apple.security.device.audio-input');
  });

  it('grants the Mac app no hardened-runtime exception beyond the JIT, the microphone and the network', () => {
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const plist = fs.readFileSync(path.join(root, section('mac')[key] as string), 'utf8');
      const granted = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
      expect(granted.sort(), key).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.device.audio-input', 'com.apple.security.network.client']);
    }
  });

  it('flips the fuses that would let the packaged app run other code, as electron-builder hands them to @electron/fuses', async () => {
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>> } };
    };
    // The @electron/fuses electron-builder itself loads.
    const { FuseV1Options, FuseVersion } = createRequire(path.join(builderLib, 'package.json'))('@electron/fuses') as {
      FuseV1Options: Record<string, number>;
      FuseVersion: Record<string, string>;
    };
    const fuses = await PlatformPackager.prototype.generateFuseConfig.call(null, base.electronFuses);
    expect(fuses).toEqual({
      version: FuseVersion.V1!,
      resetAdHocDarwinSignature: true,
      [FuseV1Options.RunAsNode!]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable!]: false,
      [FuseV1Options.EnableNodeCliInspectArguments!]: false,
      [FuseV1Options.OnlyLoadAppFromAsar!]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation!]: true,
    });
    // Only app.asar can be loaded, so the app must be one (its integrity is what the fuse checks).
    expect(base.asar).toBe(true);
  });

  it('builds AppImage and deb for x64 and arm64', () => {
    expect(targets('linux')).toEqual([
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ]);
    expect(section('linux').maintainer).toMatch(/<.+@.+>/); // deb needs one; package.json has no author
  });

  it('keeps the native module out of the asar and electron-builder away from node_modules rebuilds', () => {
    expect(base.asarUnpack).toEqual(expect.arrayContaining(['out/native/package/**', '**/*.node']));
    expect(base).toMatchObject({ asar: true, npmRebuild: false, nodeGypRebuild: false });
  });

  it('ships only what the app needs', () => {
    const shipped = fileFilter();
    for (const file of [
      'out/main/main.cjs',
      'out/main/main.cjs.map',
      'out/preload/electron-preload.cjs',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc.js',
      'out/native/package/better_sqlite3.node',
      'package.json',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/better-sqlite3/package.json',
      'node_modules/bindings/bindings.js',
    ]) {
      expect(shipped(file), file).toBe(true);
    }
    for (const file of [
      'server/src/cli.ts',
      'main/src/electron/main.ts',
      'renderer/src/main.tsx',
      'e2e/chat.spec.ts',
      'bench/server-bench.ts',
      'docs/protocol.md',
      'scripts/before-pack.mjs',
      'out/main/package.json',
      'out/renderer/assets/index-abc.js.map',
      'out/native/electron/better_sqlite3.node',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/react/index.js',
      'node_modules/tsx/dist/cli.mjs',
      'node_modules/electron/index.js',
    ]) {
      expect(shipped(file), file).toBe(false);
    }
  });

  it('refers only to files that exist', () => {
    const refs = [
      section('win').icon,
      section('mac').icon,
      section('mac').entitlements,
      section('mac').entitlementsInherit,
      base.beforePack,
      ...(base.extraResources as Array<{ from: string }>).map((r) => r.from),
    ] as string[];
    for (const ref of refs) expect(fs.existsSync(path.join(root, ref)), ref).toBe(true);
    const linuxIcons = path.join(root, section('linux').icon as string);
    expect(fs.readdirSync(linuxIcons).sort()).toEqual(PNG_SIZES.map((s) => `${s}x${s}.png`).sort());
  });

  it('has the beforePack hook electron-builder can load', async () => {
    const hook = (await import(path.join(root, base.beforePack as string))) as { default: unknown };
    expect(typeof hook.default).toBe('function');
  });
});

describe('the environment of a release build', () => {
  it('adds the update feed only when PARLEY_UPDATE_URL is set', () => {
    expect(packagingConfig(base, {}).publish).toBeNull();
    expect(packagingConfig(base, { PARLEY_UPDATE_URL: 'https://u.example.com/parley/' }).publish).toEqual([
      { provider: 'generic', url: 'https://u.example.com/parley/' },
    ]);
    expect(() => packagingConfig(base, { PARLEY_UPDATE_URL: 'ftp://u.example.com' })).toThrow(/https/);
    // The packaged app would refuse it: the build does too, rather than ship an app that never updates.
    expect(() => packagingConfig(base, { PARLEY_UPDATE_URL: 'http://u.example.com/parley/' })).toThrow(/https/);
    expect(() => packagingConfig(base, { PARLEY_UPDATE_URL: 'http://127.0.0.1:8000/' })).toThrow(/https/);
  });

  it('notarizes only with a complete set of Apple credentials', () => {
    expect(hasNotarizeCredentials({})).toBe(false);
    expect(hasNotarizeCredentials({ APPLE_ID: 'a@b.c', APPLE_TEAM_ID: 'T' })).toBe(false);
    expect(hasNotarizeCredentials({ APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 'T' })).toBe(true);
    expect(hasNotarizeCredentials({ APPLE_API_KEY: 'k.p8', APPLE_API_KEY_ID: 'K', APPLE_API_ISSUER: 'I' })).toBe(true);
    const config = packagingConfig(base, { APPLE_KEYCHAIN_PROFILE: 'parley' });
    expect(config.mac).toMatchObject({ notarize: true, hardenedRuntime: true });
    expect(base.mac).toMatchObject({ notarize: false }); // the base is not modified
  });
});

describe('the icons in build/', () => {
  it('has every PNG size, square and decodable', () => {
    for (const size of PNG_SIZES) {
      const png = decodePng(fs.readFileSync(path.join(root, `build/icons/png/${size}x${size}.png`)));
      expect([png.width, png.height]).toEqual([size, size]);
    }
    expect(decodePng(fs.readFileSync(path.join(root, 'build/icons/icon.png'))).width).toBe(1024);
    expect(decodePng(fs.readFileSync(path.join(root, 'build/icons/tray@2x.png'))).width).toBe(32);
  });

  it('has an ICO with 16…256 and an ICNS with every size and scale', () => {
    const ico = readIco(fs.readFileSync(path.join(root, 'build/icons/icon.ico')));
    expect(ico.map((e) => e.size)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    expect(ico.find((e) => e.size === 256)?.format).toBe('png');
    expect(ico.find((e) => e.size === 16)?.format).toBe('dib');
    const icns = readIcns(fs.readFileSync(path.join(root, 'build/icons/icon.icns')));
    expect(icns.map((e) => e.type)).toEqual(ICNS_TYPES.map((t) => t.type));
    for (const [i, entry] of icns.entries()) expect(decodePng(entry.data).width).toBe(ICNS_TYPES[i]!.pixels);
  });
});

describe('the main bundle', () => {
  it('requires nothing but Node, electron and better-sqlite3 (the only package `files` ships)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bundle-'));
    await bundleElectron(root, out);
    const code = fs.readFileSync(path.join(out, 'main/main.cjs'), 'utf8');
    const required = new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    const { builtinModules } = await import('node:module');
    const allowed = new Set(['electron', 'better-sqlite3', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    // ws's optional accelerators, required inside try/catch.
    const optional = new Set(['bufferutil', 'utf-8-validate']);
    expect([...required].filter((m) => !allowed.has(m) && !optional.has(m))).toEqual([]);
    const preload = fs.readFileSync(path.join(out, 'preload/electron-preload.cjs'), 'utf8');
    expect([...preload.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'main/package.json'), 'utf8'))).toMatchObject({ productName: 'Parley', main: 'main.cjs' });
    fs.rmSync(out, { recursive: true, force: true });
  });
});
