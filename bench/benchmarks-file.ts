/** BENCHMARKS.md is shared by several benchmarks: each replaces only its own `## ` section. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCHMARKS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');

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
