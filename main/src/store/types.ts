/** The shapes the local store hands out. Rows never leave the store; these do. */
import type { ConvKindName, EntryKind } from '../../../protocol/index.js';

export type MessageStatus = 'pending' | 'failed' | 'sent';

export interface MessageFailure {
  code: string;
  reason: string;
}

/** A message as the client holds it: a log entry, or a local one not yet acknowledged (`seq` null). */
export interface StoredMessage {
  /** Local key; grows with time (see id-allocator.ts). */
  id: number;
  convId: string;
  seq: number | null;
  msgId: string | null;
  clientMsgId: string | null;
  from: string;
  ts: number;
  kind: EntryKind;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
  recalled: boolean;
  edited: boolean;
  status: MessageStatus;
  failure?: MessageFailure;
  createdAt: number;
  /** The user's latest edit or recall of this message that the server has not acknowledged (see PendingChange). */
  change?: PendingChange;
}

/**
 * An edit or recall composed on this device and not yet acknowledged: queued, in flight, or refused. A pending
 * edit's text is already shown in the target's body (and `edited` set); a failed one is not.
 */
export interface PendingChange {
  kind: 'edit' | 'recall';
  clientMsgId: string;
  status: 'pending' | 'failed';
  failure?: MessageFailure;
}

/** What a conversation list shows of the latest message. */
export interface MessageSummary {
  seq: number | null;
  from: string;
  ts: number;
  kind: EntryKind;
  /** The start of the text (after the latest edit), file name or label; empty when recalled, for system entries, or without text. */
  preview: string;
  recalled: boolean;
  status: MessageStatus;
  /** Who the message mentions, so the list can show `@id` as a name. */
  mentions?: string[];
  /** A system entry's body ({event, actor, targets, …}): the list words it as the conversation does. */
  system?: Record<string, unknown>;
}

export interface StoredConversation {
  convId: string;
  kind: ConvKindName;
  title: string;
  lastSeq: number;
  readSeq: number;
  peerReadSeq: number;
  /** Highest seq held contiguously from 1: the sync engine fetches what lies above it. */
  heldSeq: number;
  muted: boolean;
  pinned: boolean;
  updatedAt: number;
  lastMessage: MessageSummary | null;
  draft: string;
  unreadCount: number;
  /** An unread entry mentions the user (or @all). */
  unreadMention: boolean;
  /** Groups: the user is no longer a member (left, kicked, dismissed). */
  left: boolean;
}

export interface OutboxAttachment {
  localPath?: string;
  name: string;
  mime: string;
  size: number;
  uploadedFileId?: string;
}

/** queued: waiting its turn; sending: handed to the connection; failed: refused, waits for retry or delete. */
export type OutboxState = 'queued' | 'sending' | 'failed';

export interface OutboxItem {
  clientMsgId: string;
  convId: string;
  kind: EntryKind;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
  attachment?: OutboxAttachment;
  state: OutboxState;
  attempts: number;
  lastError: MessageFailure | null;
  createdAt: number;
}

/** A message composed locally, before anything is sent. */
export interface PendingMessageInput {
  convId: string;
  clientMsgId: string;
  /** The local user. */
  from: string;
  kind: EntryKind;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
  attachment?: OutboxAttachment;
  /** Defaults to the store's clock. */
  createdAt?: number;
}

export interface SendAck {
  msgId: string;
  seq: number;
  ts: number;
}

/** What applyEntries changed, so the caller can emit `message:added` / `message:updated`. */
export interface ApplyResult {
  /** New visible messages (recall and edit entries are applied to their targets, not listed). */
  added: StoredMessage[];
  /** Existing messages that changed: merged pending ones, recalled or edited targets. */
  updated: StoredMessage[];
  conversation: StoredConversation;
}

export interface ListMessagesOptions {
  /** Page to messages below this seq; omitted: the latest page, plus every pending message. */
  beforeSeq?: number;
  limit?: number;
}

export interface SearchOptions {
  convId?: string;
  from?: string;
  /** Inclusive bounds on `ts`, in ms. */
  since?: number;
  until?: number;
  /** At most 200; default 50. */
  limit?: number;
}

/** A snippet as plain text with the matched parts as [start, end) UTF-16 offsets: the UI marks them itself. */
export interface Snippet {
  text: string;
  ranges: Array<[number, number]>;
}

export interface SearchHit {
  id: number;
  convId: string;
  seq: number | null;
  from: string;
  ts: number;
  kind: EntryKind;
  snippet: Snippet;
  score: number;
  /** Who the message mentions (user ids, '@all'). */
  mentions?: string[];
}

export interface ConversationPatch {
  title?: string;
  muted?: boolean;
  pinned?: boolean;
}
