/** What the store's operations share: the connection, the repositories, who the user is, and the clock. */
import type Database from 'better-sqlite3';
import type { ConversationsRepo } from './conversations-repo.js';
import type { MessagesRepo } from './messages-repo.js';
import type { OutboxRepo } from './outbox-repo.js';

export interface StoreContext {
  db: Database.Database;
  messages: MessagesRepo;
  conversations: ConversationsRepo;
  outbox: OutboxRepo;
  selfId: string | null;
  now: () => number;
}

/** After messages of a conversation changed: the contiguous seq it holds, and its list summary. */
export function settleConversation(ctx: StoreContext, convId: string): void {
  ctx.conversations.recomputeHeldSeq(convId, (id, held) => ctx.messages.heldSeqFrom(id, held));
  ctx.conversations.refreshSummary(convId);
}
