import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isStale, type BuildTarget } from './build-steps.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function tree(files: Record<string, number>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-build-'));
  roots.push(root);
  for (const [file, mtime] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), file);
    fs.utimesSync(path.join(root, file), mtime, mtime);
  }
  return root;
}

const target: BuildTarget = { name: 't', outputs: ['out/a.js', 'out/b.js'], inputs: ['src', 'package.json'] };

describe('isStale', () => {
  it('builds when an output is missing or older than a source', () => {
    expect(isStale(tree({ 'src/x.ts': 100, 'out/a.js': 200 }), target)).toBe(true);
    expect(isStale(tree({ 'src/x.ts': 100, 'out/a.js': 200, 'out/b.js': 200 }), target)).toBe(false);
    expect(isStale(tree({ 'src/deep/x.ts': 300, 'out/a.js': 200, 'out/b.js': 200 }), target)).toBe(true);
    expect(isStale(tree({ 'package.json': 300, 'out/a.js': 200, 'out/b.js': 400 }), target)).toBe(true);
  });

  it('ignores tests, node_modules and fixtures', () => {
    const root = tree({ 'src/x.ts': 100, 'src/x.test.ts': 300, 'src/node_modules/m.js': 300, 'src/fixtures/f.yml': 300, 'out/a.js': 200, 'out/b.js': 200 });
    expect(isStale(root, target)).toBe(false);
  });
});
