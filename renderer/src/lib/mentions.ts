/**
 * Mentions: `@<userId>` tokens naming someone who can be mentioned here (in a private chat the peer, in a group
 * its members), and `@all` where the sender may use it (a group's owner and admins). Sent with the message so a
 * mention notifies even in a muted conversation.
 */

/** What may stand before an `@` that starts a mention (so `carol@alice`, an address, is none). */
const BOUNDARY = String.raw`\s(（\[【"“'‘,，:：;；、。!！?？`;
const MENTION_RE = new RegExp(`(^|[${BOUNDARY}])@([A-Za-z0-9_.@-]{1,64})`, 'g');
/** The mention being typed just before the caret: `@` then letters of an id or a name (none yet is fine). */
const TYPING_RE = new RegExp(`(?:^|[${BOUNDARY}])@([\\p{L}\\p{N}_.-]{0,32})$`, 'u');

/** The wire value of "everyone" (docs/protocol.md `mentions`). */
export const MENTION_ALL = '@all';

export interface MentionOptions {
  /** `@all` counts (the sender is a group's owner or an admin); otherwise it is plain text. */
  allowAll?: boolean;
}

export function mentionsIn(text: string, candidates: readonly string[], options: MentionOptions = {}): string[] {
  const allowed = new Set(candidates);
  const found: string[] = [];
  for (const match of text.matchAll(MENTION_RE)) {
    const token = match[2]!.replace(/[.]+$/, ''); // a sentence's full stop is not part of the id
    const id = token === 'all' && options.allowAll ? MENTION_ALL : allowed.has(token) ? token : null;
    if (id !== null && !found.includes(id)) found.push(id);
  }
  return found;
}

/** The mention being typed at `caret`: where its `@` is and what follows it so far; null when none is. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const match = TYPING_RE.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[1]!;
  return { start: caret - query.length - 1, query };
}

export interface MentionPart {
  text: string;
  /** Present on a mention: whom it names (a user id, or `@all`). */
  mention?: string;
}

/**
 * Splits message text at the mentions it carries (`mentioned`: the message's `mentions`), so they can be
 * shown as names. Only tokens the message really mentions count: an `@word` the sender typed that named
 * nobody stays text.
 */
export function mentionParts(text: string, mentioned: readonly string[] | undefined): MentionPart[] {
  if (!mentioned || mentioned.length === 0) return [{ text }];
  const parts: MentionPart[] = [];
  let at = 0;
  for (const match of text.matchAll(MENTION_RE)) {
    const token = match[2]!.replace(/[.]+$/, '');
    const id = token === 'all' && mentioned.includes(MENTION_ALL) ? MENTION_ALL : mentioned.includes(token) ? token : null;
    if (id === null) continue;
    const start = match.index + match[1]!.length;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: text.slice(start, start + 1 + token.length), mention: id });
    at = start + 1 + token.length;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at) });
  return parts;
}

export type Ranges = ReadonlyArray<readonly [number, number]>;

/**
 * Text with the mentions it carries written as names (`@bob` → `@Bob 李`), as a message bubble shows them, for
 * places that show plain text (chat-list previews, search snippets). `label` gives the name without the `@`
 * (for `@all`, the localized "everyone"). Highlight `ranges` ([start, end) into `text`) move with the text; a
 * range that starts or ends inside a mention grows to cover the whole name.
 */
export function withMentionNames(
  text: string,
  ranges: Ranges,
  mentioned: readonly string[] | undefined,
  label: (id: string) => string,
): { text: string; ranges: Array<[number, number]> } {
  const parts = mentionParts(text, mentioned);
  if (!parts.some((p) => p.mention)) return { text, ranges: ranges.map(([s, e]) => [s, e]) };
  interface Piece {
    from: number;
    to: number;
    newFrom: number;
    newTo: number;
    mention: boolean;
  }
  const pieces: Piece[] = [];
  let out = '';
  let at = 0;
  for (const part of parts) {
    const shown = part.mention ? `@${label(part.mention)}` : part.text;
    pieces.push({ from: at, to: at + part.text.length, newFrom: out.length, newTo: out.length + shown.length, mention: !!part.mention });
    at += part.text.length;
    out += shown;
  }
  const map = (p: number, end: boolean): number => {
    if (p <= 0) return 0;
    for (const piece of pieces) {
      if (p > piece.to) continue;
      if (p === piece.from) return piece.newFrom;
      if (p === piece.to) return piece.newTo;
      if (!piece.mention) return piece.newFrom + (p - piece.from);
      // Inside `@id`: the match covers the name (just after the `@` if only the `@` is in it).
      return end && p > piece.from + 1 ? piece.newTo : piece.newFrom + 1;
    }
    return out.length;
  };
  const moved: Array<[number, number]> = [];
  for (const [start, end] of ranges) {
    const s = map(start, false);
    const e = map(end, true);
    if (e > s) moved.push([s, e]);
  }
  return { text: out, ranges: moved };
}
