/**
 * The storage interface: everything the server keeps. Narrow and asynchronous so that a PostgreSQL
 * implementation can replace the SQLite one without touching the rest of the server.
 */
import type { ConvKindName, EntryKind, LogEntry } from '../../../protocol/index.js';

export interface UserRecord {
  userId: string;
  name: string;
  avatar: string | null;
  passwordHash: string | null;
  createdAt: number;
  bannedUntil: number;
  lastSeen: number;
}

export interface TokenRecord {
  userId: string;
  expiresAt: number;
  revoked: boolean;
}

/** One entry to append; `seq` is assigned by the storage inside the committing transaction. */
export interface AppendItem {
  convId: string;
  convKind: ConvKindName;
  /** Members to make sure of when the conversation is created (private chats: both users). */
  members: readonly string[];
  msgId: string;
  clientMsgId: string;
  from: string;
  ts: number;
  kind: EntryKind;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
  /** File ids the entry names; recorded so the conversation's members may read them. */
  fileIds?: string[];
}

export type AppendOutcome =
  | { status: 'stored'; entry: LogEntry }
  /** A retry: the sender's clientMsgId was already stored; the original is returned and nothing is written. */
  | { status: 'duplicate'; entry: LogEntry }
  | { status: 'failed'; error: Error };

export interface ConversationRow {
  convId: string;
  kind: ConvKindName;
  lastSeq: number;
  readSeq: number;
  peerReadSeq: number | null;
  peerId: string | null;
  muted: boolean;
  pinned: boolean;
  updatedAt: number;
  lastMessage: LogEntry | null;
}

export interface FileRecord {
  fileId: string;
  uploader: string;
  name: string;
  mime: string;
  size: number;
  createdAt: number;
}

export interface HistoryQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

export interface Storage {
  // users and tokens
  createUser(user: { userId: string; name: string; avatar?: string | null; passwordHash?: string | null }, now: number): Promise<boolean>;
  updateUser(user: { userId: string; name: string; avatar?: string | null }): Promise<boolean>;
  getUser(userId: string): Promise<UserRecord | null>;
  getUsers(userIds: readonly string[]): Promise<UserRecord[]>;
  setBannedUntil(userId: string, untilTs: number): Promise<void>;
  setLastSeen(userId: string, ts: number): Promise<void>;
  insertToken(tokenHash: string, userId: string, createdAt: number, expiresAt: number): Promise<void>;
  getToken(tokenHash: string): Promise<TokenRecord | null>;
  revokeUserTokens(userId: string): Promise<void>;

  // the logs
  /** Appends the items in one transaction, in order; each gets the next seq of its conversation. */
  appendBatch(items: readonly AppendItem[]): Promise<AppendOutcome[]>;
  /** Erases entry `seq` (and edits of it) and appends the `recall` entry, in one transaction. */
  recall(item: AppendItem, targetSeq: number): Promise<LogEntry>;
  getEntry(convId: string, seq: number): Promise<LogEntry | null>;
  /** The entry a sender stored under a clientMsgId, if any (answers retries). */
  findByClientMsgId(from: string, clientMsgId: string): Promise<LogEntry | null>;
  history(convId: string, query: HistoryQuery): Promise<LogEntry[]>;
  lastSeq(convId: string): Promise<number>;

  // conversations and members
  listConversations(userId: string): Promise<ConversationRow[]>;
  getConversation(userId: string, convId: string): Promise<ConversationRow | null>;
  /** Active members of a conversation. */
  members(convId: string): Promise<string[]>;
  isMember(convId: string, userId: string): Promise<boolean>;
  /** Raises the user's readSeq to min(seq, lastSeq) if higher; returns the readSeq now held. */
  raiseReadSeq(convId: string, userId: string, seq: number): Promise<number>;
  updateMemberSettings(convId: string, userId: string, settings: { muted?: boolean; pinned?: boolean }): Promise<boolean>;
  /** Users who share a private conversation with `userId`. */
  privatePeers(userId: string): Promise<string[]>;

  // blocks
  block(blocker: string, blocked: string, now: number): Promise<void>;
  unblock(blocker: string, blocked: string): Promise<void>;
  blocks(blocker: string): Promise<string[]>;
  isBlocked(blocker: string, blocked: string): Promise<boolean>;

  // files
  insertFile(file: FileRecord): Promise<void>;
  getFile(fileId: string): Promise<FileRecord | null>;
  /** True when the user uploaded the file or is a member of a conversation where it was sent. */
  mayReadFile(fileId: string, userId: string): Promise<boolean>;

  // admin API and settings
  /** Records a nonce; false when it was already seen. */
  rememberNonce(nonce: string, ts: number): Promise<boolean>;
  pruneNonces(olderThan: number): Promise<void>;
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;

  /** Answers when storage works (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
