/** What the store holds, shaped as the IPC contract's views for the renderer. */
import type { ApiErrorCode, ConversationView, MessagePreview, MessageView, SearchHit, SystemNoticeBody } from '../../../preload/contract.js';
import type { MessageSummary, SearchHit as StoreHit, StoredConversation, StoredMessage } from '../store/types.js';

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
    lastMessage: c.lastMessage ? previewView(c.lastMessage) : null,
    draft: c.draft,
  };
  if (c.kind === 'private') view.peerReadSeq = c.peerReadSeq;
  if (c.left) view.left = true;
  return view;
}

function previewView(m: MessageSummary): MessagePreview {
  const view: MessagePreview = { from: m.from, kind: m.kind, ts: m.ts, text: m.preview, recalled: m.recalled, status: m.status };
  if (m.mentions) view.mentions = m.mentions;
  if (m.system && typeof m.system.event === 'string') view.system = m.system as SystemNoticeBody;
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
  if (m.change) {
    view.change = { kind: m.change.kind, clientMsgId: m.change.clientMsgId, status: m.change.status };
    if (m.change.failure) view.change.failure = { code: m.change.failure.code as ApiErrorCode, message: m.change.failure.reason };
  }
  return view;
}

export function searchHitView(h: StoreHit): SearchHit | null {
  if (h.seq === null) return null; // not yet on the server: nothing to jump to there
  const hit: SearchHit = { convId: h.convId, seq: h.seq, from: h.from, ts: h.ts, snippet: h.snippet, rank: h.score };
  if (h.mentions && h.mentions.length > 0) hit.mentions = h.mentions;
  return hit;
}
