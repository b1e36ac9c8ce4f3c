/**
 * Turns what a user typed into an FTS5 MATCH expression that cannot be a syntax error. Every whitespace-separated
 * part becomes one double-quoted FTS5 string, inside which quotes, *, ^, -, :, parentheses, AND/OR/NOT and NEAR
 * are plain text; the parts are AND-ed. Inside a part, CJK characters are spaced exactly as the index spaces them,
 * so a CJK run is a phrase of adjacent characters (a substring match), and a part ending in a Latin word of at
 * least MIN_PREFIX characters gets `*` (prefix match). The same parts, tokenized in JavaScript, drive scoring and
 * highlighting.
 */
import { indexableText } from './index-text.js';
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
  const parts = input.slice(0, MAX_QUERY_CHARS).normalize('NFKC').split(/[\s"]+/u);
  const phrases: QueryPhrase[] = [];
  const strings: string[] = [];
  for (const part of parts) {
    if (phrases.length === MAX_PARTS) break;
    const tokens = tokenize(part);
    const last = tokens[tokens.length - 1];
    if (!last) continue;
    const prefix = !last.cjk && [...last.text].length >= MIN_PREFIX;
    phrases.push({ tokens: tokens.map((t) => t.text), prefix });
    // The part has no `"` (split on it above), so the quoted string cannot be closed early.
    strings.push(`"${indexableText(part).trim()}"${prefix ? '*' : ''}`);
  }
  if (phrases.length === 0) return null;
  return { match: strings.join(' '), phrases };
}
