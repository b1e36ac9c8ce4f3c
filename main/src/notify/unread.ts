/**
 * Unread counts for the badge and the tray. Pure.
 *
 * A muted conversation does not count towards the badge (that is what muting is for) unless it holds a
 * mention of the user, which is counted like any unread conversation.
 */
import type { ConversationView } from '../../../preload/contract.js';
import { words, type Locale } from './format.js';

export interface UnreadSummary {
  /** Unread messages that count: the badge number. */
  total: number;
  /** Conversations with counted unread messages. */
  conversations: number;
  /** Conversations with an unread mention. */
  mentioned: number;
}

type UnreadFields = Pick<ConversationView, 'unread' | 'muted' | 'mentioned'>;

export function countsTowardBadge(conversation: UnreadFields): boolean {
  return conversation.unread > 0 && (!conversation.muted || conversation.mentioned);
}

export function unreadSummary(conversations: Iterable<UnreadFields>): UnreadSummary {
  const summary: UnreadSummary = { total: 0, conversations: 0, mentioned: 0 };
  for (const c of conversations) {
    if (c.unread > 0 && c.mentioned) summary.mentioned += 1;
    if (!countsTowardBadge(c)) continue;
    summary.total += c.unread;
    summary.conversations += 1;
  }
  return summary;
}

export function trayTooltip(summary: UnreadSummary, locale: Locale): string {
  return summary.total === 0 ? 'Parley' : `Parley — ${words(locale).unread(summary.total)}`;
}

/** Keeps the latest view of every conversation from `conversations:changed` payloads. */
export class ConversationCache {
  private readonly byId = new Map<string, ConversationView>();

  replaceAll(conversations: ConversationView[]): void {
    this.byId.clear();
    for (const c of conversations) this.byId.set(c.convId, c);
  }

  apply(change: { conversations: ConversationView[]; removed: string[] }): void {
    for (const c of change.conversations) this.byId.set(c.convId, c);
    for (const id of change.removed) this.byId.delete(id);
  }

  get(convId: string): ConversationView | undefined {
    return this.byId.get(convId);
  }

  all(): IterableIterator<ConversationView> {
    return this.byId.values();
  }
}
