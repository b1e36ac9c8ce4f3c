/**
 * Turns what a user typed into an FTS5 MATCH expression that cannot be a syntax error. Every whitespace-separated
 * part becomes one double-quoted FTS5 phrase of its tokens, made by the same scan as the indexed text
 * (text-tokens.ts): folded words, one token per CJK character or emoji, boundary tokens where the part has
 * punctuation next to them. Tokens are letters, digits, CJK characters, emoji or the boundary, never a quote or
 * an operator, so the phrase cannot be closed early; private-use characters are separators, so a query cannot
 * produce a boundary token of its own. The parts are AND-ed; a part ending in a word of at least MIN_PREFIX
 * characters gets `*` (prefix match). The same tokens drive scoring and highlighting.
 */
import { tokenize } from './text-tokens.js';

/** Shorter words match whole words only: a one-letter prefix matches most of the index and is not useful. */
export const MIN_PREFIX = 2;
const MAX_QUERY_CHARS = 500;
const MAX_PARTS = 16;

export interface QueryPhrase {
  /** Folded tokens that must be adjacent. */
  tokens: string[];
  /** The last token matches as a prefix. */
  prefix: boolean;
}

export interface ParsedQuery {
  match: string;
  phrases: QueryPhrase[];
}

/** Returns null when the input holds nothing searchable (only spaces or punctuation). */
export function parseSearchQuery(input: string): ParsedQuery | null {
  const parts = input.slice(0, MAX_QUERY_CHARS).split(/[\s"]+/u);
  const phrases: QueryPhrase[] = [];
  const strings: string[] = [];
  for (const part of parts) {
    if (phrases.length === MAX_PARTS) break;
    const tokens = tokenize(part);
    const last = tokens[tokens.length - 1];
    if (!last) continue;
    const prefix = last.kind === 'word' && [...last.text].length >= MIN_PREFIX;
    const texts = tokens.map((t) => t.text);
    phrases.push({ tokens: texts, prefix });
    strings.push(`"${texts.join(' ')}"${prefix ? '*' : ''}`);
  }
  if (phrases.length === 0) return null;
  return { match: strings.join(' '), phrases };
}
