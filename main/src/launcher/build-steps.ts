/**
 * What `npm start` and `npm run dist` build: the renderer (vite, `npm run build:renderer`), and for Electron
 * the main process and preload as single CommonJS files (esbuild). Each is rebuilt only when a source is
 * newer than its output.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface BuildTarget {
  name: string;
  /** Relative to the repository root. */
  outputs: string[];
  inputs: string[];
}

export const RENDERER_TARGET: BuildTarget = {
  name: 'renderer',
  outputs: ['out/renderer/index.html'],
  inputs: ['renderer', 'preload', 'protocol', 'package.json'],
};

export const ELECTRON_TARGET: BuildTarget = {
  name: 'main and preload bundles',
  outputs: ['out/main/main.cjs', 'out/main/package.json', 'out/preload/electron-preload.cjs'],
  inputs: ['main/src', 'preload', 'protocol', 'package.json'],
};

const SKIP = new Set(['node_modules', 'out', 'dist', 'fixtures']);

/** The newest modification time under the inputs (tests excluded: they are not built). */
export function newestInput(root: string, inputs: string[]): number {
  let newest = 0;
  const visit = (file: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) if (!SKIP.has(entry)) visit(path.join(file, entry));
    } else if (!/\.test\.tsx?$/.test(file)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const input of inputs) visit(path.join(root, input));
  return newest;
}

/** An output is missing, or some input changed after the oldest output was written. */
export function isStale(root: string, target: BuildTarget): boolean {
  let oldest = Infinity;
  for (const output of target.outputs) {
    try {
      oldest = Math.min(oldest, fs.statSync(path.join(root, output)).mtimeMs);
    } catch {
      return true;
    }
  }
  return newestInput(root, target.inputs) > oldest;
}

/** `npm run build:renderer`, quiet unless it fails (then its output is the error). */
export function buildRenderer(root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', '--silent', 'build:renderer'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building the renderer failed:\n${output.trim()}`))));
  });
}

/** The Electron version the app is built against, for the bundles' syntax target and the packaged metadata. */
export function electronVersion(root: string): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * out/main/main.cjs (with everything but electron and the native better-sqlite3 bundled in), out/preload/
 * electron-preload.cjs (sandboxed: only `electron` may stay a require), and out/main/package.json, which makes
 * out/main an Electron app directory for development runs (its name gives the userData folder "Parley").
 */
export async function bundleElectron(root: string, outDir = path.join(root, 'out')): Promise<void> {
  const esbuild = await import('esbuild');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; description?: string };
  const common = { bundle: true, format: 'cjs', legalComments: 'none', logLevel: 'warning', sourcemap: 'linked' } as const;
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'main/src/electron/main.ts')],
      outfile: path.join(outDir, 'main/main.cjs'),
      platform: 'node',
      target: 'node22',
      external: ['electron', 'better-sqlite3'],
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'preload/electron-preload.ts')],
      outfile: path.join(outDir, 'preload/electron-preload.cjs'),
      platform: 'browser',
      target: 'chrome140',
      external: ['electron'],
    }),
  ]);
  const appPackage = { name: 'parley', productName: 'Parley', version: pkg.version, description: pkg.description, main: 'main.cjs', private: true };
  fs.writeFileSync(path.join(outDir, 'main/package.json'), `${JSON.stringify(appPackage, null, 2)}\n`);
}
