/**
 * Search exactness against a brute-force ground truth, shared by the store's test (a 3,000-line slice) and the
 * benchmark (`npm run bench:search-exact`, 300,000+ lines): a message matches a CJK or emoji query exactly when its
 * folded text (foldedText, what the index is built from) includes the folded query.
 */
import * as OpenCC from 'opencc-js';
import type { MessageSearch } from '../store/search.js';
import { foldedText } from '../store/text-tokens.js';

export const EMOJI = ['🎉', '👍🏽', '😂', '🇨🇳', '❤️', '👨\u200d👩\u200d👧'];
const CJK = /^[\u3400-\u9fff]$/u;

/** A small seeded generator (LCG), so a query set is the same every run. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
}

/**
 * Queries drawn from real lines: CJK substrings of 1–4 characters (some converted to the other script by OpenCC's
 * phrase-level converter), pairs of characters either side of a comma (which must not match across it), and emoji.
 */
export function exactnessQueries(lines: readonly string[], options: { seed: number; substrings: number; acrossComma: number }): string[] {
  const rnd = random(options.seed);
  const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
  const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
  const result = new Set<string>();
  while (result.size < options.substrings) {
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
  let across = 0;
  const offset = Math.floor(rnd() * lines.length);
  for (let i = 0; i < lines.length && across < options.acrossComma; i++) {
    const m = /([\u3400-\u9fff]{1,2})，([\u3400-\u9fff]{1,2})/u.exec(lines[(offset + i) % lines.length] as string);
    if (!m) continue;
    result.add(`${m[1]}${m[2]}`);
    across++;
  }
  for (const emoji of EMOJI) result.add(emoji);
  result.add('🎉春');
  return [...result];
}

export interface ExactnessResult {
  queries: number;
  /** Ground-truth matches over all queries (the comparison means something only when this is large). */
  expected: number;
  found: number;
  /** Hits that are not in the ground truth, and ground-truth messages not found. */
  wrongHits: number;
  missed: number;
  /** One line per query that was not exact. */
  problems: string[];
}

/** Every query's full match set (no candidate window) against the brute-force scan of `texts` (id → text). */
export function checkExactness(search: MessageSearch, texts: ReadonlyMap<number, string>, queries: readonly string[]): ExactnessResult {
  const folded = [...texts].map(([id, text]) => [id, foldedText(text)] as const);
  const result: ExactnessResult = { queries: queries.length, expected: 0, found: 0, wrongHits: 0, missed: 0, problems: [] };
  for (const query of queries) {
    const needle = foldedText(query);
    const expected = new Set(folded.filter(([, text]) => text.includes(needle)).map(([id]) => id));
    const found = search.allMatchingIds(query);
    const extra = found.filter((id) => !expected.has(id));
    const foundSet = new Set(found);
    const missing = [...expected].filter((id) => !foundSet.has(id));
    result.expected += expected.size;
    result.found += found.length;
    result.wrongHits += extra.length;
    result.missed += missing.length;
    if (extra.length > 0 || missing.length > 0) {
      result.problems.push(`${query}: ${extra.length} wrong (${texts.get(extra[0] ?? -1)}), ${missing.length} missed (${texts.get(missing[0] ?? -1)})`);
    }
  }
  return result;
}
