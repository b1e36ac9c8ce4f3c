// electron-builder's beforePack hook (electron-builder.yml): puts better-sqlite3 built for Electron's ABI,
// for the platform and arch being packed, at out/native/package/better_sqlite3.node, which the packaged app
// loads through better-sqlite3's `nativeBinding` option. Sources, in order:
//   0. PARLEY_PACKAGE_SQLITE_BINDING, a file to use as is (a CI that builds it elsewhere; the layout test);
//   1. out/native/electron-<electron version>-<platform>-<arch>/better_sqlite3.node (put there by CI or a
//      developer, or by an earlier run of this hook);
//   2. the prebuilt binary better-sqlite3 publishes for this Electron version (prebuild-install);
//   3. a build from source with node-gyp, when the target is this machine's own platform and arch.
// node_modules/better-sqlite3 (the Node-ABI build for tests, the server and host mode) is never modified.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** electron-builder's Arch enum. */
const ARCH = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

export default async function beforePack(context) {
  const platform = context.electronPlatformName;
  const arch = ARCH[context.arch] ?? String(context.arch);
  const target = path.join(root, 'out', 'native', 'package', 'better_sqlite3.node');
  fs.rmSync(target, { force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(electronSqlite(platform, arch), target);
  console.log(`  • better-sqlite3 for Electron ${platform}-${arch} → ${path.relative(root, target)}`);
}

function electronSqlite(platform, arch) {
  if (process.env.PARLEY_PACKAGE_SQLITE_BINDING) return process.env.PARLEY_PACKAGE_SQLITE_BINDING;
  const electronVersion = require('electron/package.json').version;
  const provided = path.join(root, 'out', 'native', `electron-${electronVersion}-${platform}-${arch}`, 'better_sqlite3.node');
  if (fs.existsSync(provided)) return provided;

  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const work = path.join(root, 'out', 'native', `build-${platform}-${arch}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${path.sep}build${path.sep}`) });
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
  const errors = [];
  try {
    execFileSync(
      process.execPath,
      [require.resolve('prebuild-install/bin.js'), '--runtime=electron', `--target=${electronVersion}`, `--arch=${arch}`, `--platform=${platform}`],
      { cwd: work, stdio: 'inherit' },
    );
  } catch (error) {
    errors.push(`prebuilt binary: ${error.message}`);
  }
  if (!fs.existsSync(built) && platform === process.platform && arch === process.arch) {
    try {
      execFileSync(
        process.execPath,
        [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${arch}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
        { cwd: work, stdio: 'inherit' },
      );
    } catch (error) {
      errors.push(`build from source: ${error.message}`);
    }
  }
  if (!fs.existsSync(built)) {
    throw new Error(`no better-sqlite3 for Electron ${electronVersion} on ${platform}-${arch} (${errors.join('; ') || 'cross-building from source is not supported'}); put one at ${path.relative(root, provided)}`);
  }
  fs.mkdirSync(path.dirname(provided), { recursive: true });
  fs.copyFileSync(built, provided);
  return provided;
}
