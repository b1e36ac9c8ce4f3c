/**
 * Precision and recall of CJK and emoji search against a brute-force ground truth, on real text: 3,000 lines of
 * classical poetry from the chinese-poetry package (test-fixtures/chinese-poetry-lines.txt: 1,500 lines of Tang
 * poems in traditional characters, then 1,500 lines of Song lyrics in simplified ones), stored one line per
 * message, plus pairs of lines joined by a line break.
 * Ground truth: a message matches when its folded text includes the folded query (foldedText, the normalisation
 * the index is built from). Queries: substrings of 1–4 characters, pairs of characters either side of a comma
 * (which must not match across it), queries converted to the other script by OpenCC's phrase-level converter, and
 * emoji. Every query must return exactly the ground-truth set, through the index with no candidate window.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EMOJI, checkExactness, exactnessQueries, random } from '../test-support/search-exactness.js';
import { MessageSearch } from './search.js';
import { foldedText } from './text-tokens.js';
import { NOW, entry, tempStore, type TempStore } from './test-support.js';
import type { LogEntry } from '../../../protocol/index.js';
import Database from 'better-sqlite3';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-fixtures', 'chinese-poetry-lines.txt');

let t: TempStore;
let texts: Map<number, string>;

beforeAll(() => {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  const rnd = random(11);
  const messages = [...lines];
  for (let i = 0; i + 1 < lines.length; i += 7) messages.push(`${lines[i]}\n${lines[i + 1]}`);
  // Emoji in some lines, some touching a CJK character, some after a space.
  for (let i = 0; i < 300; i++) {
    const line = lines[Math.floor(rnd() * lines.length)] as string;
    const emoji = EMOJI[i % EMOJI.length] as string;
    messages.push(rnd() < 0.5 ? `${line}${emoji}` : `${emoji} ${line}`);
  }
  t = tempStore();
  const convId = 'g:poetry';
  const entries: LogEntry[] = messages.map((text, i) => entry(convId, i + 1, { text, ts: NOW - 100_000 + i }));
  for (let i = 0; i < entries.length; i += 500) t.store.applyEntries(convId, entries.slice(i, i + 500));
  const db = new Database(t.file, { readonly: true });
  texts = new Map((db.prepare(`SELECT id, text FROM messages`).all() as Array<{ id: number; text: string }>).map((r) => [r.id, r.text]));
  db.close();
});
afterAll(() => t.cleanup());

it('finds exactly the messages whose folded text contains the folded query (100% precision and recall)', () => {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  const queries = exactnessQueries(lines, { seed: 5, substrings: 400, acrossComma: 150 });
  const result = checkExactness(new MessageSearch(new Database(t.file, { readonly: true })), texts, queries);
  expect(result.problems).toEqual([]);
  // the queries must find something for the comparison to mean anything
  expect(result.expected).toBeGreaterThan(2000);
});

it('marks, in every hit, characters that fold to the query', () => {
  for (const query of ['春風', '明月', '风流', '長安', '🎉', '人間']) {
    const hits = t.store.search(query, { limit: 200 });
    expect(hits.length, query).toBeGreaterThan(0);
    for (const hit of hits) {
      const marks = hit.snippet.ranges.map(([s, e]) => foldedText(hit.snippet.text.slice(s, e)));
      expect(marks.length, `${query} in ${hit.snippet.text}`).toBeGreaterThan(0);
      for (const mark of marks) expect(mark.replace(/ /g, '')).toContain(foldedText(query));
    }
  }
});
