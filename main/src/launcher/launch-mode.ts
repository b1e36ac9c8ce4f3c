/**
 * Electron or host mode? Electron needs its binary (downloaded by electron's install script from a host that
 * is not always reachable) and, on Linux, a display. Decided from an injectable environment so every case is
 * tested; the binary is found on disk the way the electron package does it (path.txt + dist/), never by
 * `require('electron')`, which in plain Node would start a download.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type BinaryCheck = { ok: true; path: string } | { ok: false; reason: string };

export interface FileProbe {
  existsSync(file: string): boolean;
  readFileSync(file: string, encoding: 'utf8'): string;
}

export function findElectronBinary(electronDir: string, env: NodeJS.ProcessEnv = {}, files: FileProbe = fs): BinaryCheck {
  if (!files.existsSync(path.join(electronDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed' };
  const pathFile = path.join(electronDir, 'path.txt');
  const relative = files.existsSync(pathFile) ? files.readFileSync(pathFile, 'utf8').trim() : '';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const binary = path.join(override, relative || 'electron');
    return files.existsSync(binary) ? { ok: true, path: binary } : { ok: false, reason: `no Electron binary at ${binary} (ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (!relative) return { ok: false, reason: "Electron's binary was not downloaded (node_modules/electron/path.txt is missing)" };
  const binary = path.join(electronDir, 'dist', relative);
  return files.existsSync(binary) ? { ok: true, path: binary } : { ok: false, reason: `Electron's binary is missing (${path.relative(process.cwd(), binary)})` };
}

/** X11 or Wayland on the Unix desktops; Windows and macOS always have one. */
export function hasDisplay(platform: string, env: NodeJS.ProcessEnv): boolean {
  if (platform === 'win32' || platform === 'darwin') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export type Probe = (binary: string) => { ok: true } | { ok: false; reason: string };

/** Runs `electron --version`: a binary that cannot start (missing system libraries) fails here, quickly. */
export const probeElectron: Probe = (binary) => {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (result.error) return { ok: false, reason: `Electron cannot start (${result.error.message})` };
  if (result.status !== 0) {
    const line = `${result.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '') ?? `exit code ${result.status}`;
    return { ok: false, reason: `Electron cannot start (${line.trim()})` };
  }
  return { ok: true };
};

export interface LaunchEnvironment {
  platform: string;
  env: NodeJS.ProcessEnv;
  binary: BinaryCheck;
  probe: Probe;
  /** `--host` on the command line, or PARLEY_LAUNCH=host. */
  forceHost: boolean;
}

export type LaunchMode = { kind: 'electron'; binary: string } | { kind: 'host'; reason: string };

export function chooseLaunchMode(environment: LaunchEnvironment): LaunchMode {
  if (environment.forceHost || environment.env.PARLEY_LAUNCH === 'host') return { kind: 'host', reason: 'host mode was asked for' };
  if (!environment.binary.ok) return { kind: 'host', reason: environment.binary.reason };
  if (!hasDisplay(environment.platform, environment.env)) return { kind: 'host', reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  const probe = environment.probe(environment.binary.path);
  if (!probe.ok) return { kind: 'host', reason: probe.reason };
  return { kind: 'electron', binary: environment.binary.path };
}
