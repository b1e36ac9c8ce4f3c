/**
 * What the full-text index sees: the tokens of text-tokens.ts joined by spaces (folded, one token per CJK
 * character and emoji, boundary tokens where separators stand next to them). The index's tokenizer is FTS5's
 * `ascii`, which only splits on ASCII spaces and punctuation and lower-cases ASCII, so all the folding is defined
 * once, in JavaScript, for messages and queries alike. Also the scope words and the SQL functions the triggers call.
 */
import type Database from 'better-sqlite3';
import { tokenText } from './text-tokens.js';

const NON_ASCII = /[\u0080-\u{10ffff}]/u;

/** Must stay deterministic: the index holds its output. */
export function indexableText(text: string): string {
  // ASCII text, most Latin messages, is already what the ascii tokenizer would make of its tokens.
  if (!NON_ASCII.test(text)) return text;
  return tokenText(text);
}

/** FNV-1a (32-bit) from a given offset basis. */
function fnv1a(value: string, basis: number): string {
  let hash = basis;
  for (let i = 0; i < value.length; i++) hash = Math.imul(hash ^ value.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** Schema 3 and 4's words for an id: two FNV hashes (their tokenizer split ids on punctuation). */
function hashedScopeWord(prefix: 'c' | 's', id: string): string {
  return `${prefix}${fnv1a(id, 0x811c9dc5)}${fnv1a(id, 0x050c5d1f)}`;
}

/** Schema 3 and 4's scope column (parley_fts_scope); only the migrations that rebuild those indexes use it. */
export function hashedScopeText(convId: string, sender: string): string {
  return `${hashedScopeWord('c', convId)} ${hashedScopeWord('s', sender)}`;
}

/**
 * One word for an id: a letter and the hex of its UTF-8 bytes, letters and digits only, so the ascii tokenizer
 * keeps it whole; exact (no collisions), and the SQL of the triggers computes the same with `hex()` (upper case,
 * which the tokenizer folds), so indexing a row's scope calls no JavaScript.
 */
function scopeWord(prefix: 'c' | 's', id: string): string {
  return prefix + Buffer.from(id, 'utf8').toString('hex');
}

export const conversationScopeWord = (convId: string) => scopeWord('c', convId);
export const senderScopeWord = (sender: string) => scopeWord('s', sender);

/**
 * The SQL for the index's second column: a word for the conversation and one for the sender, so "search in this
 * chat" and "messages from" are intersections inside the index instead of filters over every match.
 */
export const scopeSql = (row: string) => `'c' || hex(${row}.conv_id) || ' s' || hex(${row}.sender)`;

/**
 * The SQL for the index's text column. Text of printable ASCII only (most Latin messages) is what the ascii
 * tokenizer would make of its tokens, so it goes in as it is, without a call into JavaScript; a call costs more
 * than the GLOB.
 */
export const textSql = (row: string) =>
  `CASE WHEN ${row}.text GLOB '*[^ -~]*' THEN ${INDEX_TEXT_FUNCTION}(${row}.text) ELSE ${row}.text END`;

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
    typeof convId === 'string' && typeof sender === 'string' ? hashedScopeText(convId, sender) : null,
  );
}
