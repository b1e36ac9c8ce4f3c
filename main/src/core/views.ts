/** What the store holds, shaped as the IPC contract's views for the renderer. */
import type { ConversationView, MessageView, SearchHit } from '../../../preload/contract.js';
import type { SearchHit as StoreHit, StoredConversation, StoredMessage } from '../store/types.js';

export function conversationView(c: StoredConversation): ConversationView {
  const view: ConversationView = {
    convId: c.convId,
    kind: c.kind,
    title: c.title || c.convId,
    lastSeq: c.lastSeq,
    readSeq: c.readSeq,
    unread: c.unreadCount,
    mentioned: c.unreadMention,
    muted: c.muted,
    pinned: c.pinned,
    updatedAt: c.updatedAt,
    lastMessage: c.lastMessage
      ? { from: c.lastMessage.from, kind: c.lastMessage.kind, ts: c.lastMessage.ts, text: c.lastMessage.preview, recalled: c.lastMessage.recalled, status: c.lastMessage.status }
      : null,
    draft: c.draft,
  };
  if (c.kind === 'private') view.peerReadSeq = c.peerReadSeq;
  if (c.left) view.left = true;
  return view;
}

export function messageView(m: StoredMessage): MessageView {
  const view = {
    convId: m.convId,
    seq: m.seq,
    // Every entry from the server carries a clientMsgId; the fallback only guards old local rows.
    clientMsgId: m.clientMsgId ?? `local-${m.id}`,
    from: m.from,
    ts: m.ts,
    status: m.status,
    recalled: m.recalled,
    edited: m.edited,
    kind: m.kind,
    body: m.body,
  } as MessageView;
  if (m.msgId) view.msgId = m.msgId;
  if (m.failure) view.failure = { code: m.failure.code as NonNullable<MessageView['failure']>['code'], message: m.failure.reason };
  if (m.replyTo !== undefined) view.replyTo = m.replyTo;
  if (m.mentions) view.mentions = m.mentions;
  return view;
}

export function searchHitView(h: StoreHit): SearchHit | null {
  if (h.seq === null) return null; // not yet on the server: nothing to jump to there
  return { convId: h.convId, seq: h.seq, from: h.from, ts: h.ts, snippet: h.snippet, rank: h.score };
}
