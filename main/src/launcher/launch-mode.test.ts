import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseLaunchMode, findElectronBinary, hasDisplay, type FileProbe, type LaunchEnvironment } from './launch-mode.js';
import { userDirs } from './user-dirs.js';

const dir = path.join('/repo', 'node_modules', 'electron');
const files = (entries: Record<string, string>): FileProbe => ({
  existsSync: (f) => f in entries,
  readFileSync: (f) => {
    if (!(f in entries)) throw new Error(`ENOENT ${f}`);
    return entries[f]!;
  },
});
const pkg = { [path.join(dir, 'package.json')]: '{}' };

describe('finding the Electron binary on disk', () => {
  it('reads path.txt and checks dist/', () => {
    const binary = path.join(dir, 'dist', 'electron');
    expect(findElectronBinary(dir, {}, files({ ...pkg, [path.join(dir, 'path.txt')]: 'electron\n', [binary]: '' }))).toEqual({ ok: true, path: binary });
  });

  it('says why there is none', () => {
    expect(findElectronBinary(dir, {}, files({}))).toMatchObject({ ok: false, reason: 'the electron package is not installed' });
    expect(findElectronBinary(dir, {}, files(pkg))).toMatchObject({ ok: false, reason: expect.stringContaining('path.txt is missing') });
    expect(findElectronBinary(dir, {}, files({ ...pkg, [path.join(dir, 'path.txt')]: 'electron' }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('binary is missing'),
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as the electron package does', () => {
    const binary = path.join('/opt/electron', 'electron');
    expect(findElectronBinary(dir, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, files({ ...pkg, [binary]: '' }))).toEqual({ ok: true, path: binary });
  });

  it('finds nothing in this checkout without a download (never requiring electron)', () => {
    const real = findElectronBinary(path.resolve('node_modules/electron'));
    expect(typeof real.ok).toBe('boolean');
  });
});

describe('choosing Electron or host mode', () => {
  const ok = { ok: true as const, path: '/e/electron' };
  const env = (over: Partial<LaunchEnvironment>): LaunchEnvironment => ({
    platform: 'linux',
    env: { DISPLAY: ':0' },
    binary: ok,
    probe: () => ({ ok: true }),
    forceHost: false,
    ...over,
  });

  it('runs Electron where it can', () => {
    expect(chooseLaunchMode(env({}))).toEqual({ kind: 'electron', binary: '/e/electron' });
    expect(chooseLaunchMode(env({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toMatchObject({ kind: 'electron' });
    expect(chooseLaunchMode(env({ platform: 'win32', env: {} }))).toMatchObject({ kind: 'electron' });
    expect(chooseLaunchMode(env({ platform: 'darwin', env: {} }))).toMatchObject({ kind: 'electron' });
  });

  it('falls back to host mode, with the reason', () => {
    expect(chooseLaunchMode(env({ binary: { ok: false, reason: 'no binary' } }))).toEqual({ kind: 'host', reason: 'no binary' });
    expect(chooseLaunchMode(env({ env: {} }))).toMatchObject({ kind: 'host', reason: expect.stringContaining('no display') });
    expect(chooseLaunchMode(env({ probe: () => ({ ok: false, reason: 'Electron cannot start (libnss3.so)' }) }))).toMatchObject({
      kind: 'host',
      reason: expect.stringContaining('libnss3'),
    });
    expect(chooseLaunchMode(env({ forceHost: true }))).toMatchObject({ kind: 'host' });
    expect(chooseLaunchMode(env({ env: { DISPLAY: ':0', PARLEY_LAUNCH: 'host' } }))).toMatchObject({ kind: 'host' });
  });

  it('does not probe a binary it will not use', () => {
    let probed = false;
    chooseLaunchMode(env({ env: {}, probe: () => ((probed = true), { ok: true }) }));
    expect(probed).toBe(false);
  });

  it('knows which platforms have a display', () => {
    expect(hasDisplay('linux', {})).toBe(false);
    expect(hasDisplay('linux', { DISPLAY: '' })).toBe(false);
    expect(hasDisplay('freebsd', { DISPLAY: ':1' })).toBe(true);
  });
});

describe('per-user directories', () => {
  it('are where Electron puts userData and logs for "Parley"', () => {
    expect(userDirs('linux', {}, '/home/ann')).toEqual({
      userData: '/home/ann/.config/Parley',
      server: '/home/ann/.config/Parley/server',
      logs: '/home/ann/.config/Parley/logs',
    });
    expect(userDirs('linux', { XDG_CONFIG_HOME: '/x' }, '/home/ann').userData).toBe('/x/Parley');
    expect(userDirs('darwin', {}, '/Users/ann')).toEqual({
      userData: '/Users/ann/Library/Application Support/Parley',
      server: '/Users/ann/Library/Application Support/Parley/server',
      logs: '/Users/ann/Library/Logs/Parley',
    });
    expect(userDirs('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann')).toEqual({
      userData: 'C:\\Users\\ann\\AppData\\Roaming\\Parley',
      server: 'C:\\Users\\ann\\AppData\\Roaming\\Parley\\server',
      logs: 'C:\\Users\\ann\\AppData\\Roaming\\Parley\\logs',
    });
    expect(userDirs('linux', {}, '/home/ann', '/tmp/p').server).toBe('/tmp/p/server');
  });
});
