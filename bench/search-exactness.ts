/**
 * `npm run bench:search-exact`: search precision and recall on real text at scale. Stores at least 300,000 lines of
 * classical Chinese poetry (chinese-poetry: Tang poems in traditional characters, Song lyrics in simplified ones),
 * one message each, plus some joined by a line break and some with emoji, then checks every query of a seeded set
 * (CJK substrings of 1–4 characters, some converted to the other script, pairs either side of a comma, emoji)
 * against a brute-force scan: a message matches exactly when its folded text includes the folded query. Prints the
 * figures and writes them to the "Search exactness" section of BENCHMARKS.md. Exits 1 if anything is not exact.
 *
 *   SEARCH_EXACT_MESSAGES=300000 (the least recorded), SEARCH_EXACT_QUERIES=1000
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LogEntry } from '../protocol/index.js';
import { openStore } from '../main/src/store/index.js';
import { MessageSearch } from '../main/src/store/search.js';
import { EMOJI, checkExactness, exactnessQueries, random } from '../main/src/test-support/search-exactness.js';
import { headCommit, replaceSection } from './benchmarks-file.js';
import { poetryLines } from './poetry-corpus.js';

const MESSAGES = Number(process.env.SEARCH_EXACT_MESSAGES ?? 300_000);
const QUERIES = Number(process.env.SEARCH_EXACT_QUERIES ?? 1000);
const SECTION = '## Search exactness (npm run bench:search-exact)';

function main(): void {
  const started = Date.now();
  const lines = poetryLines();
  if (lines.length < MESSAGES) throw new Error(`the corpus has ${lines.length} lines, fewer than ${MESSAGES}`);
  const rnd = random(17);
  const texts: string[] = lines.slice(0, MESSAGES);
  for (let i = 0; i + 1 < texts.length && texts.length < MESSAGES * 1.05; i += 37) texts.push(`${lines[i]}\n${lines[i + 1]}`);
  for (let i = 0; i < MESSAGES / 100; i++) {
    const line = lines[Math.floor(rnd() * MESSAGES)] as string;
    const emoji = EMOJI[i % EMOJI.length] as string;
    texts.push(rnd() < 0.5 ? `${line}${emoji}` : `${emoji} ${line}`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-search-exact-'));
  const file = path.join(dir, 'store.db');
  try {
    const store = openStore({ path: file, userId: 'me' });
    const convId = 'g:poetry';
    const t0 = Date.now() - texts.length * 1000;
    for (let i = 0; i < texts.length; i += 2000) {
      const batch: LogEntry[] = texts.slice(i, i + 2000).map((text, j) => ({
        convId, seq: i + j + 1, msgId: `m${i + j}`, clientMsgId: `c${i + j}`, from: 'poet', ts: t0 + (i + j) * 1000, kind: 'text', body: { text },
      }));
      store.applyEntries(convId, batch);
    }
    store.close();
    console.log(`stored ${texts.length.toLocaleString('en')} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const db = new Database(file, { readonly: true });
    const byId = new Map((db.prepare('SELECT id, text FROM messages').all() as Array<{ id: number; text: string }>).map((r) => [r.id, r.text]));
    const queries = exactnessQueries(texts, { seed: 23, substrings: Math.round(QUERIES * 0.75), acrossComma: Math.round(QUERIES * 0.25) });
    const checkStarted = Date.now();
    const result = checkExactness(new MessageSearch(db), byId, queries);
    db.close();
    const seconds = ((Date.now() - checkStarted) / 1000).toFixed(0);
    const precision = result.found === 0 ? 1 : (result.found - result.wrongHits) / result.found;
    const recall = result.expected === 0 ? 1 : (result.expected - result.missed) / result.expected;
    const pct = (x: number) => `${(x * 100).toFixed(x === 1 ? 0 : 3)}%`;
    console.log(`${result.queries} queries, ${result.expected.toLocaleString('en')} expected matches: precision ${pct(precision)}, recall ${pct(recall)} (${seconds} s)`);
    for (const line of result.problems.slice(0, 20)) console.log(`  not exact: ${line}`);

    const commit = headCommit() ?? 'unknown commit';
    replaceSection(
      SECTION,
      [
        `Last run ${new Date().toISOString().slice(0, 10)} at \`${commit}\`, Node ${process.version}.`,
        '',
        `Corpus: ${texts.length.toLocaleString('en')} messages of real text — ${MESSAGES.toLocaleString('en')} lines of classical poetry from the`,
        'chinese-poetry package (Tang poems in traditional characters, Song lyrics in simplified ones), some joined by a',
        'line break, 1% with emoji. Queries (seeded): CJK substrings of 1–4 characters taken from the corpus, ~30% of them',
        'also converted to the other script with OpenCC, pairs of characters either side of a comma, and emoji. Ground truth:',
        "a brute-force scan — a message matches when its folded text (NFKC, case, accents, traditional→simplified) includes",
        'the folded query; the index answers with every match (no candidate window).',
        '',
        '| figure | value | aim |',
        '|---|---|---|',
        `| queries | ${result.queries} | |`,
        `| expected matches (all queries) | ${result.expected.toLocaleString('en')} | |`,
        `| precision (found hits that are right) | ${pct(precision)} (${result.wrongHits} wrong) | 100% |`,
        `| recall (right messages found) | ${pct(recall)} (${result.missed} missed) | 100% |`,
      ].join('\n'),
    );
    if (result.problems.length > 0) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
