import { simplifiedCodePoint } from '../../../protocol/chinese-fold.js';

/**
 * The folded form of a display or group name that the directory searches (docs/protocol.md part 2, "Directory"):
 * NFKC (full-width and compatibility forms become their plain letters), lower case, combining marks removed
 * (`José` → `jose`; also the voicing marks of kana: `が` → `か`), then NFC again so that Hangul syllables stay whole;
 * last, traditional Chinese characters become simplified ones, one for one (the desktop app's message search folds
 * the same way, with the same table), so `王曉明` and `王晓明` find each other.
 *
 * The storages keep this next to the name (`name_folded`), written with the name, so a search is a LIKE over an
 * indexed column. Changing this function changes what is stored: it then needs a migration that folds again.
 */
export function foldName(text: string): string {
  const plain = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').normalize('NFC');
  let out = '';
  for (const ch of plain) out += String.fromCodePoint(simplifiedCodePoint(ch.codePointAt(0)!));
  return out;
}

/** `text` as a LIKE pattern that matches it literally, with `\` as the escape character (`ESCAPE '\'`). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
