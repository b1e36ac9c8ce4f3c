/** The local store: one SQLite file per signed-in user, and the operations the sync engine and the UI call. */
import type Database from 'better-sqlite3';
import type { Conversation, LogEntry } from '../../../protocol/index.js';
import { applyEntries } from './apply-entries.js';
import { ContactsRepo } from './contacts-repo.js';
import { ConversationsRepo } from './conversations-repo.js';
import { CONTROL_KINDS, targetSeqOf, toStoredMessage } from './message-codec.js';
import { MessagesRepo } from './messages-repo.js';
import { openDatabase } from './open-database.js';
import { OutboxRepo } from './outbox-repo.js';
import { MessageSearch } from './search.js';
import { deleteUnsent, insertPending, markFailed, markSent, retry, setUploadedFile } from './send-flow.js';
import { SettingsRepo } from './settings-repo.js';
import type { StoreContext } from './store-context.js';
import type {
  ApplyResult,
  ConversationPatch,
  ListMessagesOptions,
  MessageFailure,
  OutboxItem,
  PendingChange,
  PendingMessageInput,
  SearchHit,
  SearchOptions,
  SendAck,
  StoredConversation,
  StoredMessage,
} from './types.js';

export interface StoreOptions {
  /** The database file; created if missing. */
  path: string;
  /** better_sqlite3.node for the running ABI (see open-database.ts); unset under Node. */
  nativeBinding?: string;
  /** The signed-in user: their own messages are never unread, and mentions of them are flagged. */
  userId?: string;
  /** Clock in ms; tests pass a fixed one. */
  now?: () => number;
}

/** The outbox as the sync engine drives it. */
export interface StoreOutbox {
  /** Per conversation, the next item to send, in composition order. */
  nextSendable(): OutboxItem[];
  get(clientMsgId: string): OutboxItem | null;
  list(): OutboxItem[];
  /** Claims a queued item for sending; attempts + 1. Returns the attempt number, or null if it is not queued. */
  markSending(clientMsgId: string): number | null;
  /** Transient failure: queued again in its place. */
  requeue(clientMsgId: string, error?: MessageFailure): boolean;
  /** Refused for good: the item and its message are marked failed. */
  markFailed(clientMsgId: string, code: string, reason: string): StoredMessage | null;
  /** A failed item is queued again; its message is pending again. */
  retry(clientMsgId: string): StoredMessage | null;
  /** Removes the item and its unsent message. */
  delete(clientMsgId: string): boolean;
  /** Removes an edit or recall not acknowledged yet; returns the message it concerned, as now shown. */
  discard(clientMsgId: string): StoredMessage | null;
  /** The attachment was uploaded: the body now carries fileId. */
  setUploadedFile(clientMsgId: string, fileId: string): StoredMessage | null;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

export class Store {
  readonly outbox: StoreOutbox;
  readonly settings: SettingsRepo;
  /** The user's contacts and the contact log's position (docs/protocol.md part 2, "Contacts"). */
  readonly contacts: ContactsRepo;
  private readonly ctx: StoreContext;
  private readonly searcher: MessageSearch;

  constructor(private readonly db: Database.Database, options: Omit<StoreOptions, 'path' | 'nativeBinding'> = {}) {
    const outbox = new OutboxRepo(db);
    this.ctx = {
      db,
      messages: new MessagesRepo(db),
      conversations: new ConversationsRepo(db, options.userId ?? null),
      outbox,
      selfId: options.userId ?? null,
      now: options.now ?? Date.now,
    };
    this.settings = new SettingsRepo(db);
    this.contacts = new ContactsRepo(db);
    this.searcher = new MessageSearch(db);
    // Whatever was in flight when the app last stopped goes again; the server answers a repeat with the first ack.
    outbox.recoverInFlight();
    const ctx = this.ctx;
    this.outbox = {
      nextSendable: () => outbox.nextSendable(),
      get: (id) => outbox.get(id),
      list: () => outbox.list(),
      markSending: (id) => outbox.markSending(id),
      requeue: (id, error) => outbox.requeue(id, error ?? null),
      markFailed: (id, code, reason) => this.shown(markFailed(ctx, id, { code, reason })),
      retry: (id) => this.shown(retry(ctx, id)),
      delete: (id) => deleteUnsent(ctx, id),
      discard: (id) => {
        const row = ctx.messages.unsentByClientMsgId(id);
        deleteUnsent(ctx, id);
        return row && row.target_seq !== null ? this.getMessage(row.conv_id, row.target_seq) : null;
      },
      setUploadedFile: (id, fileId) => this.shown(setUploadedFile(ctx, id, fileId)),
    };
  }

  /**
   * Stores a composed message, or an edit or recall (kind `edit`/`recall`, body {seq, …}), and its outbox row in
   * one transaction. Returns what the user now sees: the new message, or the edited/recalled one with its change.
   */
  insertPending(input: PendingMessageInput): StoredMessage {
    const stored = insertPending(this.ctx, input);
    const target = targetSeqOf(input.kind, input.body);
    return (target === null ? null : this.getMessage(input.convId, target)) ?? this.decorate(input.convId, [stored])[0]!;
  }

  /**
   * The server acknowledged a message, edit or recall: it is stored as its log entry and leaves the outbox.
   * Returns the message it concerns (itself, or the edited/recalled one), or null when nothing is left to show.
   */
  markSent(clientMsgId: string, ack: SendAck): StoredMessage | null {
    return this.shown(markSent(this.ctx, clientMsgId, ack));
  }

  /** Stores log entries of one conversation (idempotent, one transaction); returns what changed. */
  applyEntries(convId: string, entries: readonly LogEntry[]): ApplyResult {
    const result = applyEntries(this.ctx, convId, entries);
    return { ...result, added: this.decorate(convId, result.added), updated: this.decorate(convId, result.updated) };
  }

  /** The user's edits and recalls not acknowledged yet, shown on the messages they concern (see PendingChange). */
  private decorate(convId: string, messages: StoredMessage[]): StoredMessage[] {
    if (messages.length === 0) return messages;
    const changes = new Map<number, PendingChange & { text?: string }>();
    for (const row of this.ctx.messages.unsentChanges(convId)) {
      const change: PendingChange & { text?: string } = {
        kind: row.kind === 'recall' ? 'recall' : 'edit',
        clientMsgId: row.client_msg_id as string,
        status: row.status === 'failed' ? 'failed' : 'pending',
      };
      if (row.failure_code !== null) change.failure = { code: row.failure_code, reason: row.failure_reason ?? '' };
      if (row.kind === 'edit') change.text = String((JSON.parse(row.body) as { text?: unknown }).text ?? '');
      changes.set(row.target_seq as number, change); // oldest first: the latest change wins
    }
    if (changes.size === 0) return messages;
    return messages.map((message) => {
      const found = message.seq === null || message.recalled ? undefined : changes.get(message.seq);
      if (!found) return message;
      const { text, ...change } = found;
      const shown: StoredMessage = { ...message, change };
      if (text !== undefined && change.status === 'pending') {
        shown.body = { ...message.body, text };
        shown.edited = true;
      }
      return shown;
    });
  }

  private shown(message: StoredMessage | null): StoredMessage | null {
    return message ? (this.decorate(message.convId, [message])[0] ?? null) : null;
  }

  /**
   * A page of messages in ascending order: the `limit` latest below `beforeSeq` (or the latest), and on the
   * first page every unsent message after them, oldest first.
   */
  listMessages(convId: string, options: ListMessagesOptions = {}): StoredMessage[] {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_PAGE), 1), MAX_PAGE);
    const rows = this.ctx.messages.page(convId, options.beforeSeq, limit).reverse();
    if (options.beforeSeq === undefined) rows.push(...this.ctx.messages.unsent(convId).filter((r) => !CONTROL_KINDS.has(r.kind)));
    return this.decorate(convId, rows.map(toStoredMessage));
  }

  /** The message at `seq` as the user sees it; null for none, or for a recall or edit entry. */
  getMessage(convId: string, seq: number): StoredMessage | null {
    const row = this.ctx.messages.byConvSeq(convId, seq);
    return row && !CONTROL_KINDS.has(row.kind) ? this.shown(toStoredMessage(row)) : null;
  }

  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return this.searcher.search(query, options, this.ctx.now());
  }

  /** The server's conversation list (sync) or one changed conversation (`conv` event). */
  upsertConversations(conversations: readonly Conversation[]): StoredConversation[] {
    return this.ctx.db.transaction(() =>
      conversations.map((conversation) => {
        this.ctx.conversations.upsertFromServer(conversation);
        return this.ctx.conversations.get(conversation.convId) as StoredConversation;
      }),
    )();
  }

  /** Pinned first, then by latest activity. */
  listConversations(): StoredConversation[] {
    return this.ctx.conversations.list();
  }

  getConversation(convId: string): StoredConversation | null {
    return this.ctx.conversations.get(convId);
  }

  /** The user read up to `seq` (only grows). */
  setRead(convId: string, seq: number): boolean {
    return this.ctx.conversations.setRead(convId, seq);
  }

  /** Read positions not yet sent to the server (kept across restarts). */
  unsentReads(): Array<{ convId: string; seq: number }> {
    return this.ctx.conversations.unsentReads();
  }

  /** The server has the user's read position up to `seq`. */
  markReadSent(convId: string, seq: number): void {
    this.ctx.conversations.markReadSent(convId, seq);
  }

  /** The peer of a private chat read up to `seq` (only grows). */
  setPeerRead(convId: string, seq: number): boolean {
    return this.ctx.conversations.setPeerRead(convId, seq);
  }

  setDraft(convId: string, draft: string): boolean {
    return this.ctx.conversations.setDraft(convId, draft);
  }

  updateConversation(convId: string, patch: ConversationPatch): boolean {
    return this.ctx.conversations.update(convId, patch);
  }

  /** Groups: marks that the user is no longer a member (kept read-only), or is one again. */
  setLeft(convId: string, left: boolean): boolean {
    return this.ctx.conversations.setLeft(convId, left);
  }

  /** The ids of the conversations of one kind (e.g. the chatrooms to clear at start). */
  conversationIds(kind: 'private' | 'group' | 'room'): string[] {
    return this.ctx.conversations.idsOfKind(kind);
  }

  /**
   * A chatroom joined: listed under its name, its history starting at `fromSeq` (the oldest entry the join
   * answered with), so the sync engine fills gaps above that point and never fetches the room's whole past.
   */
  enterRoom(convId: string, name: string, fromSeq: number): StoredConversation {
    if (!convId.startsWith('r:')) throw new RangeError(`${convId} is not a chatroom`);
    return this.ctx.db.transaction(() => {
      this.ctx.conversations.ensure(convId);
      this.ctx.conversations.update(convId, { title: name });
      if (fromSeq > 1) this.ctx.conversations.raiseHeld(convId, fromSeq - 1);
      return this.ctx.conversations.get(convId) as StoredConversation;
    })();
  }

  /** Makes sure a conversation is listed before it has any message (a chat the user just started). */
  ensureConversation(convId: string, title: string): StoredConversation {
    this.ctx.conversations.ensure(convId);
    if (!this.ctx.conversations.get(convId)?.title) this.ctx.conversations.update(convId, { title });
    return this.ctx.conversations.get(convId) as StoredConversation;
  }

  /** Removes a conversation with its messages and unsent outbox items. */
  deleteConversation(convId: string): void {
    this.ctx.db.transaction(() => {
      this.ctx.messages.deleteConversation(convId);
      this.ctx.outbox.removeConversation(convId);
      this.ctx.conversations.delete(convId);
    })();
  }

  /** Leaving a chatroom forgets it: only online members receive, so a local copy would have holes. */
  clearRoom(convId: string): void {
    if (!convId.startsWith('r:')) throw new RangeError(`${convId} is not a chatroom`);
    this.deleteConversation(convId);
  }

  /**
   * Idle-time upkeep, one step: merges full-text index segments, about `pages` pages written (default 500), across
   * all levels, so repeated steps end in a single segment; with `full`, all of it at once. Refreshes planner
   * statistics once the merging is done. Returns whether merging work was done (another step may have more).
   * Searching works without it; it keeps searches fast after many writes (see maintenance.ts for the scheduler).
   */
  maintain(options: { full?: boolean; pages?: number } = {}): boolean {
    if (options.full) {
      this.db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('optimize')`).run();
      this.db.pragma('optimize');
      return false;
    }
    const totalChanges = this.db.prepare(`SELECT total_changes()`).pluck();
    const before = totalChanges.get() as number;
    // Negative: every segment is eligible, whatever its level (FTS5's 'merge' command).
    const pages = Math.max(1, Math.trunc(options.pages ?? 500));
    this.db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ?)`).run(-pages);
    // FTS5: a change count that grew by 2 or more means the merge did work.
    const worked = (totalChanges.get() as number) - before >= 2;
    if (!worked) this.db.pragma('optimize');
    return worked;
  }

  /**
   * The store's connection stops checkpointing the WAL on commit: a Checkpointer (checkpointer.ts) does it off the
   * main thread. Without one the WAL grows until the store is closed.
   */
  leaveCheckpointsToWorker(): void {
    this.db.pragma('wal_autocheckpoint = 0');
  }

  close(): void {
    if (!this.db.open) return;
    this.db.pragma('optimize');
    this.db.close();
  }
}

export function openStore(options: StoreOptions): Store {
  const db = openDatabase(options.path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    return new Store(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}
