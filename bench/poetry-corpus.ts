/**
 * Real Chinese text for the benchmarks: the lines of the chinese-poetry package (Tang poems in traditional
 * characters, Song lyrics in simplified ones). The package (85 MB download, 362 MB unpacked) is not a dependency, so
 * `npm install` stays lean: the first benchmark that needs it installs this version into a cache folder of its own
 * (PARLEY_BENCH_CACHE, default ~/.cache/parley-bench), leaving the project's node_modules alone.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const POETRY_PACKAGE = 'chinese-poetry@2.0.1';

function poetryRoot(): string {
  const cache = process.env.PARLEY_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'parley-bench');
  const resolve = () => path.dirname(createRequire(path.join(cache, 'index.js')).resolve('chinese-poetry/package.json'));
  try {
    return resolve();
  } catch {
    console.log(`  installing ${POETRY_PACKAGE} into ${cache} for the real-text corpus (85 MB, once)`);
    fs.mkdirSync(cache, { recursive: true });
    execFileSync('npm', ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', POETRY_PACKAGE], { stdio: 'inherit' });
    return resolve();
  }
}

/** Every non-empty line of the Tang poems and Song lyrics, in a fixed order. */
export function poetryLines(): string[] {
  const root = poetryRoot();
  const lines: string[] = [];
  for (const dir of ['quantangshi', 'songci']) {
    const files = fs.readdirSync(path.join(root, 'dist', dir)).filter((f) => /^(poet|ci)\..+\.json$/.test(f)).sort();
    for (const file of files) {
      const poems = JSON.parse(fs.readFileSync(path.join(root, 'dist', dir, file), 'utf8')) as Array<{ paragraphs?: string[] }>;
      for (const poem of poems) for (const line of poem.paragraphs ?? []) if (line.trim() !== '') lines.push(line.trim());
    }
  }
  return lines;
}
