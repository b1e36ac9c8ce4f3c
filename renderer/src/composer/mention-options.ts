/** What the @mention popup offers for what was typed after the `@`: members by id or name, then @all. */
import type { GroupMemberView } from '../../../preload/api-types';

export const MAX_MENTION_OPTIONS = 8;

export type MentionOption = { kind: 'member'; userId: string; name: string } | { kind: 'all' };

export interface MentionOptionsInput {
  members: readonly GroupMemberView[];
  query: string;
  selfId: string;
  nameOf: (userId: string) => string;
  allowAll: boolean;
  /** "Everyone" in the UI's language: typing it finds @all too. */
  allLabel: string;
}

/**
 * Prefix matches (of the id or the name) before matches inside them, otherwise in the server's order (owner,
 * admins, members). @all comes last, so Enter after a short query does not notify everyone by accident.
 */
export function mentionOptions({ members, query, selfId, nameOf, allowAll, allLabel }: MentionOptionsInput): MentionOption[] {
  const q = query.toLocaleLowerCase();
  const showAll = allowAll && ('all'.startsWith(q) || allLabel.toLocaleLowerCase().startsWith(q));
  const room = MAX_MENTION_OPTIONS - (showAll ? 1 : 0);
  const prefix: MentionOption[] = [];
  const inside: MentionOption[] = [];
  for (const m of members) {
    if (m.userId === selfId) continue;
    const name = nameOf(m.userId);
    const id = m.userId.toLocaleLowerCase();
    const lowerName = name.toLocaleLowerCase();
    if (id.startsWith(q) || lowerName.startsWith(q)) prefix.push({ kind: 'member', userId: m.userId, name });
    else if (id.includes(q) || lowerName.includes(q)) inside.push({ kind: 'member', userId: m.userId, name });
    if (prefix.length >= room) break;
  }
  const options = [...prefix, ...inside].slice(0, room);
  if (showAll) options.push({ kind: 'all' });
  return options;
}

/** The text a picked option puts in the box (with a space, ready for the next word). */
export function mentionToken(option: MentionOption): string {
  return option.kind === 'all' ? '@all ' : `@${option.userId} `;
}
