/**
 * The repository's documents stand on their own: every relative link in a Markdown file points at a file of the
 * repository, and no tracked file refers to documents outside it (the design documents live in docs/).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Part 1 of docs/protocol.md as the contract has it; other clients are written against this text. */
const PART_1_SHA256 = 'd471a1a3609ea4c000b845bb151e741507716f2e12ce9acc12dd21075c6da5a2';
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

describe('the documents', () => {
  it('are in the repository: README, docs/architecture.md, docs/protocol.md, CONTRIBUTING, SECURITY, CHANGELOG, LICENSE', () => {
    for (const file of ['README.md', 'docs/architecture.md', 'docs/protocol.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', 'LICENSE', '.editorconfig', '.nvmrc']) {
      expect(tracked, file).toContain(file);
    }
  });

  it('keep part 1 of docs/protocol.md, the version 1 contract, word for word: extensions and readings go in part 2', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/protocol.md'), 'utf8');
    const part1 = text.slice(0, text.indexOf('## Part 2'));
    expect(part1.length).toBeGreaterThan(0);
    expect(createHash('sha256').update(part1).digest('hex')).toBe(PART_1_SHA256);
  });

  it('link only to files that exist', () => {
    const broken: string[] = [];
    for (const file of tracked.filter((f) => f.endsWith('.md'))) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const resolved = path.resolve(ROOT, path.dirname(file), decodeURI(target.split('#')[0] as string));
        if (!resolved.startsWith(ROOT + path.sep) || !fs.existsSync(resolved)) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing refers to documents outside the repository', () => {
    const outside = /\.\.\/shared\/|\bARCHITECTURE\.md\b|\bPROTOCOL\.md\b|\bSTYLE\.md\b/;
    const found = tracked
      .filter((f) => /\.(ts|tsx|js|mjs|md|json|yml|yaml)$/.test(f) && f !== 'package-lock.json' && !f.includes('test-fixtures/'))
      .filter((f) => outside.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
