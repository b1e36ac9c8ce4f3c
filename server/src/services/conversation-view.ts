/** A user's view of a conversation, as `sync` lists it and `conv` events carry it (docs/protocol.md). */
import type { Conversation } from '../../../protocol/index.js';
import type { ConversationRow } from '../storage/storage.js';

/** `peerName`: the peer's display name, for private chats (the peer's id when unknown). */
export function conversationOf(row: ConversationRow, peerName?: string): Conversation {
  let title = row.convId;
  if (row.kind === 'private' && row.peerId) title = peerName ?? row.peerId;
  else if (row.kind === 'group' && row.groupName !== null) title = row.groupName;
  const conv: Conversation = {
    convId: row.convId,
    kind: row.kind,
    title,
    lastSeq: row.lastSeq,
    readSeq: row.readSeq,
    muted: row.muted,
    pinned: row.pinned,
    updatedAt: row.updatedAt,
    lastMessage: row.lastMessage,
  };
  if (row.kind === 'private') conv.peerReadSeq = row.peerReadSeq ?? 0;
  return conv;
}
