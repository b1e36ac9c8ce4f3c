/** Identifiers of docs/protocol.md "Identifiers": pure functions, no Node or DOM. */

export const ID_PATTERN = '^[A-Za-z0-9_.@-]{1,64}$';
const ID_RE = new RegExp(ID_PATTERN);
const ID_PART = '[A-Za-z0-9_.@-]{1,64}';
export const CONV_ID_PATTERN = `^(p:${ID_PART}\\|${ID_PART}|g:${ID_PART}|r:${ID_PART})$`;
/** Server-issued file ids; the alphabet alone keeps them from naming anything outside the file store. */
export const FILE_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const FILE_ID_RE = new RegExp(FILE_ID_PATTERN);

export type ConvKind = 'private' | 'group' | 'room';

export type ParsedConvId =
  | { kind: 'private'; convId: string; members: [string, string] }
  | { kind: 'group'; convId: string; groupId: string }
  | { kind: 'room'; convId: string; roomId: string };

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_RE.test(id);
}

export function isValidFileId(id: unknown): id is string {
  return typeof id === 'string' && FILE_ID_RE.test(id);
}

/** Byte-order comparison, as docs/protocol.md requires for `p:<a>|<b>` (the alphabet is ASCII). */
function byteLess(a: string, b: string): boolean {
  return a < b;
}

export function privateConvId(a: string, b: string): string {
  if (a === b) throw new RangeError('a private chat needs two different users');
  return byteLess(a, b) ? `p:${a}|${b}` : `p:${b}|${a}`;
}

export function groupConvId(groupId: string): string {
  return `g:${groupId}`;
}

export function roomConvId(roomId: string): string {
  return `r:${roomId}`;
}

/** Parses a canonical conversation id; returns null when it is not canonical. */
export function parseConvId(convId: string): ParsedConvId | null {
  if (typeof convId !== 'string' || convId.length < 3 || convId[1] !== ':') return null;
  const rest = convId.slice(2);
  switch (convId[0]) {
    case 'p': {
      const bar = rest.indexOf('|');
      if (bar < 0) return null;
      const a = rest.slice(0, bar);
      const b = rest.slice(bar + 1);
      if (!isValidId(a) || !isValidId(b) || !byteLess(a, b)) return null;
      return { kind: 'private', convId, members: [a, b] };
    }
    case 'g':
      return isValidId(rest) ? { kind: 'group', convId, groupId: rest } : null;
    case 'r':
      return isValidId(rest) ? { kind: 'room', convId, roomId: rest } : null;
    default:
      return null;
  }
}

/** The group of a group conversation's id, or null for any other id. */
export function groupIdOf(convId: string): string | null {
  const parsed = parseConvId(convId);
  return parsed?.kind === 'group' ? parsed.groupId : null;
}

/** The room of a chatroom conversation's id, or null for any other id. */
export function roomIdOf(convId: string): string | null {
  const parsed = parseConvId(convId);
  return parsed?.kind === 'room' ? parsed.roomId : null;
}

/** The other member of a private conversation, or null when `userId` is not in it. */
export function privatePeer(convId: string, userId: string): string | null {
  const parsed = parseConvId(convId);
  if (!parsed || parsed.kind !== 'private') return null;
  const [a, b] = parsed.members;
  if (a === userId) return b;
  if (b === userId) return a;
  return null;
}

/** Length in Unicode code points, the unit docs/protocol.md counts text in. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
