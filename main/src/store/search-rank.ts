/**
 * Scores and snippets for search candidates, computed on the original text. Relevance is a BM25-like term
 * saturation per query phrase (more occurrences help, with diminishing returns; long messages count less;
 * a whole-word match beats a prefix match), multiplied by a recency weight, since in a chat the recent match is
 * usually the one wanted.
 */
import type { QueryPhrase } from './search-query.js';
import type { Snippet } from './types.js';
import { tokenize, type Token } from './text-tokens.js';

const K1 = 1.2;
const B = 0.75;
/** Typical message length in tokens. */
const AVERAGE_TOKENS = 12;
const PREFIX_ONLY_FACTOR = 0.8;
/** Recency: the weight halves every 14 days down to a floor, so an old exact match still beats a weak new one. */
const HALF_LIFE_DAYS = 14;
const RECENCY_FLOOR = 0.3;
const DAY_MS = 86_400_000;

const SNIPPET_CHARS = 120;
const SNIPPET_LEAD = 30;
const ELLIPSIS = '…';

export interface Analysis {
  relevance: number;
  /** Match ranges in the original text, sorted, not overlapping. */
  ranges: Array<[number, number]>;
}

function phraseMatches(tokens: Token[], phrase: QueryPhrase): Array<{ start: number; end: number; exact: boolean }> {
  const found: Array<{ start: number; end: number; exact: boolean }> = [];
  const n = phrase.tokens.length;
  const lastIndex = n - 1;
  const lastQuery = phrase.tokens[lastIndex] as string;
  outer: for (let i = 0; i + n <= tokens.length; i++) {
    for (let j = 0; j < lastIndex; j++) {
      if ((tokens[i + j] as Token).text !== phrase.tokens[j]) continue outer;
    }
    const last = tokens[i + lastIndex] as Token;
    const exact = last.text === lastQuery;
    if (!exact && !(phrase.prefix && last.text.startsWith(lastQuery))) continue;
    found.push({ start: (tokens[i] as Token).start, end: last.end, exact });
  }
  return found;
}

function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const previous = merged[merged.length - 1];
    if (previous && range[0] <= previous[1]) previous[1] = Math.max(previous[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

export function analyze(text: string, phrases: QueryPhrase[]): Analysis {
  const tokens = tokenize(text);
  let length = 0;
  for (const token of tokens) if (token.kind !== 'boundary') length++;
  const lengthNorm = 1 - B + (B * Math.max(length, 1)) / AVERAGE_TOKENS;
  let relevance = 0;
  const ranges: Array<[number, number]> = [];
  for (const phrase of phrases) {
    const found = phraseMatches(tokens, phrase);
    // The index and this scan are the same tokens, so the index's match is found here; count at least one anyway.
    const tf = Math.max(found.length, 1);
    const exact = found.length === 0 || found.some((f) => f.exact);
    relevance += ((tf * (K1 + 1)) / (tf + K1 * lengthNorm)) * (exact ? 1 : PREFIX_ONLY_FACTOR);
    for (const f of found) ranges.push([f.start, f.end]);
  }
  return { relevance, ranges: mergeRanges(ranges) };
}

export function recencyWeight(ts: number, now: number): number {
  const ageDays = Math.max(0, now - ts) / DAY_MS;
  return RECENCY_FLOOR + (1 - RECENCY_FLOOR) * Math.pow(0.5, ageDays / HALF_LIFE_DAYS);
}

function isLowSurrogate(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff;
}

/** A window of the text around the first match, newlines flattened, with the ranges that fall inside it. */
export function makeSnippet(text: string, ranges: Array<[number, number]>): Snippet {
  const first = ranges[0];
  let start = first ? Math.max(0, first[0] - SNIPPET_LEAD) : 0;
  if (first && text.length - start < SNIPPET_CHARS) start = Math.max(0, text.length - SNIPPET_CHARS);
  if (start > 0 && isLowSurrogate(text, start)) start--;
  let end = Math.min(text.length, start + SNIPPET_CHARS);
  if (end < text.length && isLowSurrogate(text, end)) end++;
  const lead = start > 0 ? ELLIPSIS : '';
  const tail = end < text.length ? ELLIPSIS : '';
  const body = text.slice(start, end).replace(/[\r\n\t]/g, ' ');
  const shift = lead.length - start;
  const inside: Array<[number, number]> = [];
  for (const [s, e] of ranges) {
    if (e <= start || s >= end) continue;
    inside.push([Math.max(s, start) + shift, Math.min(e, end) + shift]);
  }
  return { text: lead + body + tail, ranges: inside };
}
