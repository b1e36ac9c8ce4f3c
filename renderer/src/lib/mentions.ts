/**
 * The users a message mentions: `@<userId>` tokens naming someone who can be mentioned here (in a private
 * chat, the peer). Sent with the message so a mention notifies even in a muted conversation.
 */
const MENTION_RE = /(^|[\s(（,，:：])@([A-Za-z0-9_.-]{1,64})/g;

export function mentionsIn(text: string, candidates: readonly string[]): string[] {
  const allowed = new Set(candidates);
  const found: string[] = [];
  for (const match of text.matchAll(MENTION_RE)) {
    const id = match[2]!.replace(/[.]+$/, ''); // a sentence's full stop is not part of the id
    if (allowed.has(id) && !found.includes(id)) found.push(id);
  }
  return found;
}
