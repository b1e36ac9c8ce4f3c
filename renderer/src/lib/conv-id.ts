/** Reading canonical conversation ids (docs/protocol.md "Identifiers") without importing protocol/ code. */

/** The other member of a private chat `p:<a>|<b>`, or null for groups, rooms and malformed ids. */
export function peerOf(convId: string, selfId: string | undefined): string | null {
  if (!convId.startsWith('p:')) return null;
  const [a, b] = convId.slice(2).split('|');
  if (!a || !b) return null;
  return a === selfId ? b : a;
}

export const USER_ID_RE = /^[A-Za-z0-9_.@-]{1,64}$/;

export function isValidUserId(value: string): boolean {
  return USER_ID_RE.test(value);
}
