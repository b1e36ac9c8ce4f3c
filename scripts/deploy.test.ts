/**
 * What can be checked here of the deployment recipes in deploy/ (no Docker engine runs on these machines, so the
 * image itself is not built here): every path the Dockerfile copies from the build context exists; the server's
 * package (deploy/server) lists exactly the runtime dependencies the server imports, with the desktop project's
 * version ranges, and its lockfile matches it; the systemd unit passes `systemd-analyze verify`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const json = (file: string) => JSON.parse(read(file)) as Record<string, unknown>;

/** Bare module names imported by the shipped (non-test) files under `dirs`. */
function bareImports(dirs: string[]): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts') && !rel.endsWith('.test.ts')) {
        for (const m of read(rel).matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'/gm)) {
          const spec = m[1] as string;
          if (spec.startsWith('node:') || /^import\s+type\s/.test(m[0].trim())) continue;
          names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
        }
      }
    }
  };
  dirs.forEach(walk);
  return names;
}

describe('deploy/', () => {
  it('the Dockerfile copies only paths that exist in the build context', () => {
    const sources = [...read('deploy/Dockerfile').matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(.+)$/gm)].flatMap((m) => {
      const parts = (m[1] as string).trim().split(/\s+/);
      return parts.slice(0, -1);
    });
    expect(sources.length).toBeGreaterThan(4);
    for (const source of sources) expect(fs.existsSync(path.join(ROOT, source)), source).toBe(true);
  });

  it('the server package depends on exactly what the server imports, with the project’s ranges, and its lockfile agrees', () => {
    const pkg = json('deploy/server/package.json') as { dependencies: Record<string, string>; bin: Record<string, string>; type: string };
    const root = json('package.json') as { dependencies: Record<string, string>; version: string };
    expect(new Set(Object.keys(pkg.dependencies))).toEqual(bareImports(['server/src', 'protocol']));
    for (const [name, range] of Object.entries(pkg.dependencies)) expect(range, name).toBe(root.dependencies[name]);
    expect(pkg).toMatchObject({ type: 'module', bin: { 'parley-server': 'cli.js' }, version: root.version });
    for (const banned of ['react', 'react-dom', 'electron', 'electron-updater', 'vite', '@playwright/test']) {
      expect(pkg.dependencies[banned], banned).toBeUndefined();
    }
    const lock = json('deploy/server/package-lock.json') as { packages: Record<string, { dependencies?: Record<string, string> }> };
    expect(lock.packages['']?.dependencies).toEqual(pkg.dependencies);
    const locked = Object.keys(lock.packages).filter((p) => p !== '');
    expect(locked.some((p) => /node_modules\/(react|electron)(\/|$)/.test(p))).toBe(false);
  });

  const systemdAnalyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => fs.existsSync(p));
  it.skipIf(!systemdAnalyze)('the systemd unit passes systemd-analyze verify (skipped: systemd-analyze is not installed)', () => {
    // verify prints problems on stderr and exits non-zero on errors; warnings are problems here too.
    const run = spawnSync(systemdAnalyze as string, ['verify', path.join(ROOT, 'deploy/systemd/parley-server.service')], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr.trim(), stdout: run.stdout.trim() }).toEqual({ status: 0, stderr: '', stdout: '' });
    const unit = read('deploy/systemd/parley-server.service');
    for (const hardening of ['DynamicUser=yes', 'StateDirectory=parley', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet=']) {
      expect(unit).toContain(hardening);
    }
  });
});
