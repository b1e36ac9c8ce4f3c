/** BENCHMARKS.md is shared by several benchmarks: each replaces only its own `## ` section. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCHMARKS_FILE = path.join(ROOT, 'BENCHMARKS.md');

/** The checkout's commit (short hash) that a recorded figure was measured at; null outside a git checkout. */
export function headCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Whether files under these folders differ from the commit (a figure measured on uncommitted code says so). */
export function hasChanges(folders: readonly string[]): boolean {
  return execFileSync('git', ['status', '--porcelain', '--', ...folders], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
}

/** Replaces (or appends) the section headed `title` with `body`, re-reading the file right before writing. */
export function replaceSection(title: string, body: string, file = BENCHMARKS_FILE): void {
  const section = `${title}\n\n${body.replace(/\n*$/, '\n')}`;
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(title);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const after = current.indexOf('\n## ', start + title.length);
    next = current.slice(0, start) + section + (after < 0 ? '' : `\n${current.slice(after + 1)}`);
  }
  fs.writeFileSync(file, next);
}
