import type { ConversationView } from '../../../preload/api-types';

export type ConversationFilter = 'all' | ConversationView['kind'];

/** Pinned first, then by last activity, newest first; the convId breaks ties so the order never flickers. */
export function compareConversations(a: ConversationView, b: ConversationView): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.convId < b.convId ? -1 : a.convId > b.convId ? 1 : 0;
}

export function sortConversations(list: Iterable<ConversationView>, filter: ConversationFilter = 'all'): ConversationView[] {
  const out: ConversationView[] = [];
  for (const c of list) if (filter === 'all' || c.kind === filter) out.push(c);
  return out.sort(compareConversations);
}

/** The filter tabs worth showing: "all", then only the kinds the data actually has. */
export function availableFilters(list: Iterable<ConversationView>): ConversationFilter[] {
  const kinds = new Set<ConversationView['kind']>();
  for (const c of list) kinds.add(c.kind);
  const order: Array<ConversationView['kind']> = ['private', 'group', 'room'];
  return ['all', ...order.filter((k) => kinds.has(k))];
}
