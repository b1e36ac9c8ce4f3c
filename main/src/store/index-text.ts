/**
 * The text the full-text index sees. FTS5's unicode61 tokenizer splits on spaces and punctuation, which
 * Chinese and Japanese do not use, so a whole CJK sentence would be one token. Putting a space around every
 * Han, kana and hangul character makes each one a token; a CJK query then becomes a phrase of its characters
 * (adjacent tokens = substring), which finds any substring, even a single character. Latin text is left to
 * unicode61 (case folding, `remove_diacritics 2`).
 */
import type Database from 'better-sqlite3';

/**
 * Han (with extensions and compatibility ideographs), kana, hangul, and the marks that live inside those words
 * (々, ヽ, ー …), as code point ranges. A character class built from ranges is several times faster than
 * \p{Script=…}, and this runs for every indexed message.
 */
export const CJK_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x11ff], [0x2e80, 0x2fdf], [0x3005, 0x3007], [0x3021, 0x3029], [0x3031, 0x3035], [0x3038, 0x303c],
  [0x3040, 0x30ff], [0x3130, 0x318f], [0x31a0, 0x31ff], [0x3200, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa960, 0xa97f], [0xac00, 0xd7ff], [0xf900, 0xfaff], [0xff66, 0xff9f], [0x20000, 0x3ffff],
];

const hex = (codePoint: number) => `\\u{${codePoint.toString(16)}}`;
const CJK_CHAR_CLASS = CJK_RANGES.map(([lo, hi]) => `${hex(lo)}-${hex(hi)}`).join('');
const CJK_CHAR_GLOBAL = new RegExp(`[${CJK_CHAR_CLASS}]`, 'gu');
const NON_ASCII = /[\u0080-\u{10ffff}]/u;

export function isCjkCodePoint(codePoint: number): boolean {
  if (codePoint < 0x1100) return false;
  for (const [lo, hi] of CJK_RANGES) {
    if (codePoint < lo) return false;
    if (codePoint <= hi) return true;
  }
  return false;
}

/**
 * NFKC (full-width Latin and half-width kana fold to their usual forms), then a space around each CJK character.
 * Must stay deterministic: the index holds its output.
 */
export function indexableText(text: string): string {
  // Both steps are identities on ASCII, which is most Latin text.
  if (!NON_ASCII.test(text)) return text;
  return text.normalize('NFKC').replace(CJK_CHAR_GLOBAL, ' $& ');
}

/** FNV-1a (32-bit) from a given offset basis. */
function fnv1a(value: string, basis: number): string {
  let hash = basis;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** One opaque word for an id (conversation ids and user ids contain characters the tokenizer splits on). */
function scopeWord(prefix: 'c' | 's', id: string): string {
  return `${prefix}${fnv1a(id, 0x811c9dc5)}${fnv1a(id, 0x050c5d1f)}`;
}

export const conversationScopeWord = (convId: string) => scopeWord('c', convId);
export const senderScopeWord = (sender: string) => scopeWord('s', sender);

/**
 * The index's second column: a word for the conversation and one for the sender, so "search in this chat" and
 * "messages from" are intersections inside the index instead of filters over every match. A hash collision
 * only costs speed: search still compares the real ids.
 */
export function scopeText(convId: string, sender: string): string {
  return `${conversationScopeWord(convId)} ${senderScopeWord(sender)}`;
}

/** The SQL names the index triggers call. */
export const INDEX_TEXT_FUNCTION = 'parley_fts_text';
export const INDEX_SCOPE_FUNCTION = 'parley_fts_scope';

/**
 * Registers the functions the schema's triggers call. Must run on every connection before it writes messages;
 * a connection without it fails loudly ("no such function") instead of indexing the wrong text.
 */
export function registerIndexFunctions(db: Database.Database): void {
  db.function(INDEX_TEXT_FUNCTION, { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? indexableText(text) : null,
  );
  db.function(INDEX_SCOPE_FUNCTION, { deterministic: true }, (convId: unknown, sender: unknown) =>
    typeof convId === 'string' && typeof sender === 'string' ? scopeText(convId, sender) : null,
  );
}
