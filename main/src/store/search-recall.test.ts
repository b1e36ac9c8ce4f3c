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
import * as OpenCC from 'opencc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MessageSearch } from './search.js';
import { foldedText } from './text-tokens.js';
import { NOW, entry, tempStore, type TempStore } from './test-support.js';
import type { LogEntry } from '../../../protocol/index.js';
import Database from 'better-sqlite3';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-fixtures', 'chinese-poetry-lines.txt');
const EMOJI = ['🎉', '👍🏽', '😂', '🇨🇳', '❤️', '👨\u200d👩\u200d👧'];
const CJK = /^[\u3400-\u9fff]$/u;

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
}

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

function queries(): string[] {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  const rnd = random(5);
  const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
  const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
  const result = new Set<string>();
  while (result.size < 400) {
    const line = lines[Math.floor(rnd() * lines.length)] as string;
    const chars = [...line];
    const start = Math.floor(rnd() * chars.length);
    const run = chars.slice(start, start + 1 + Math.floor(rnd() * 4));
    if (run.length === 0 || !run.every((c) => CJK.test(c))) continue;
    const query = run.join('');
    result.add(query);
    if (rnd() < 0.3) result.add(toSimplified(query));
    if (rnd() < 0.3) result.add(toTraditional(query));
  }
  // Across a comma: the characters either side of it are not adjacent as written.
  let across = 0;
  for (const line of lines) {
    const m = /([\u3400-\u9fff]{1,2})，([\u3400-\u9fff]{1,2})/u.exec(line);
    if (!m) continue;
    result.add(`${m[1]}${m[2]}`);
    if (++across === 150) break;
  }
  for (const emoji of EMOJI) result.add(emoji);
  result.add('🎉春');
  return [...result];
}

it('finds exactly the messages whose folded text contains the folded query (100% precision and recall)', () => {
  const search = new MessageSearch(new Database(t.file, { readonly: true }));
  const folded = new Map([...texts].map(([id, text]) => [id, foldedText(text)]));
  let expectedTotal = 0;
  const wrong: string[] = [];
  for (const query of queries()) {
    const needle = foldedText(query);
    const expected = [...folded].filter(([, text]) => text.includes(needle)).map(([id]) => id).sort((a, b) => a - b);
    const found = search.allMatchingIds(query);
    expectedTotal += expected.length;
    const extra = found.filter((id) => !expected.includes(id));
    const missing = expected.filter((id) => !found.includes(id));
    if (extra.length > 0 || missing.length > 0) {
      wrong.push(`${query}: ${extra.length} wrong (${texts.get(extra[0] ?? -1)}), ${missing.length} missed (${texts.get(missing[0] ?? -1)})`);
    }
  }
  expect(wrong).toEqual([]);
  // the queries must find something for the comparison to mean anything
  expect(expectedTotal).toBeGreaterThan(2000);
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
