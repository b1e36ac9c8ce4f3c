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
