/**
 * A JavaScript mirror of what the index does to text (NFKC, lower case, no diacritics, one token per CJK
 * character), keeping each token's offsets in the original string. Search uses it to score candidates and to
 * place highlights; the index itself decides what matches, so small differences only move a highlight.
 * It runs over every search candidate, hence the ASCII fast path and the cache.
 */
import { isCjkCodePoint } from './index-text.js';

export interface Token {
  /** Folded text. */
  text: string;
  /** [start, end) in the original string, UTF-16 units. */
  start: number;
  end: number;
  cjk: boolean;
}

const MARKS = /\p{M}/gu;
const TOKEN_CHARS = /^[\p{L}\p{N}\p{Co}]+$/u;
/** Folded form of a non-ASCII, non-CJK character: null for a separator, '' for a mark that folds away. */
const foldCache = new Map<number, string | null>();
/** NFKC form of a CJK character (half-width kana, compatibility ideographs). */
const cjkCache = new Map<number, string>();
const CACHE_MAX = 20_000;

function remember<V>(cache: Map<number, V>, key: number, value: V): V {
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, value);
  return value;
}

function foldOther(codePoint: number, char: string): string | null {
  const cached = foldCache.get(codePoint);
  if (cached !== undefined) return cached;
  const decomposed = char.normalize('NFKD');
  const bare = decomposed.replace(MARKS, '').toLowerCase();
  const folded = bare === '' ? (decomposed === '' ? null : '') : TOKEN_CHARS.test(bare) ? bare : null;
  return remember(foldCache, codePoint, folded);
}

function foldCjk(codePoint: number, char: string): string {
  return cjkCache.get(codePoint) ?? remember(cjkCache, codePoint, char.normalize('NFKC'));
}

/** Splits text into folded tokens, the way the index does. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let current: Token | null = null;
  const length = text.length;
  for (let i = 0; i < length; ) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      const isLower = (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
      const isUpper = code >= 0x41 && code <= 0x5a;
      if (!isLower && !isUpper) {
        current = null;
      } else {
        const char = isUpper ? String.fromCharCode(code + 32) : (text[i] as string);
        if (current) {
          current.text += char;
          current.end = i + 1;
        } else {
          current = { text: char, start: i, end: i + 1, cjk: false };
          tokens.push(current);
        }
      }
      i++;
      continue;
    }
    const codePoint = text.codePointAt(i) as number;
    const width = codePoint > 0xffff ? 2 : 1;
    const char = width === 1 ? (text[i] as string) : text.slice(i, i + 2);
    if (isCjkCodePoint(codePoint)) {
      tokens.push({ text: foldCjk(codePoint, char), start: i, end: i + width, cjk: true });
      current = null;
    } else {
      const folded = foldOther(codePoint, char);
      if (folded === null) {
        current = null;
      } else if (folded === '') {
        // A combining mark: part of the word before it, so a highlight covers it.
        if (current) current.end = i + width;
      } else if (current) {
        current.text += folded;
        current.end = i + width;
      } else {
        current = { text: folded, start: i, end: i + width, cjk: false };
        tokens.push(current);
      }
    }
    i += width;
  }
  return tokens;
}
