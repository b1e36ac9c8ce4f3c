/**
 * One signed-in account: its local store, the connection, the sync engine and the outbox sender, wired
 * together and reporting to the renderer through the contract's events.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  PREVIEW_MAX_BYTES,
  ProtocolError,
  RETRYABLE_CODES,
  groupConvId,
  isInlineImage,
  roomConvId,
  type EntryKind,
  type LogEntry,
} from '../../../protocol/index.js';
import type { ConnectionView, FileWant, RoomLeftReason } from '../../../preload/contract.js';
import type { ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import { Checkpointer } from '../store/checkpointer.js';
import { scheduleMaintenance, type MaintenanceHandle } from '../store/maintenance.js';
import { openStore, type Store } from '../store/store.js';
import type { ApplyResult, StoredMessage } from '../store/types.js';
import { Contacts } from './contacts.js';
import { FileCache } from './file-cache.js';
import { downloadFile, uploadFile, type FileRecord } from './http-client.js';
import { OutboxSender } from './outbox-sender.js';
import { AccountProfile } from './profile.js';
import { ServerConnection, type ConnectionState, type DeviceInfo } from './server-connection.js';
import type { SavedSession } from './session-file.js';
import { SyncEngine, syncStoreOf } from './sync-engine.js';
import { TypingTracker } from './typing-tracker.js';
import { conversationView, messageView } from './views.js';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../fs/private-files.js';

/** Bulk catch-up batches larger than this are announced as a conversation change, not message by message. */
const MAX_EVENTS_PER_BATCH = 200;

export interface AccountOptions {
  session: SavedSession & { token: string };
  dir: string;
  device: DeviceInfo;
  events: ApiEventBus;
  nativeBinding?: string;
  log?: Logger;
  /** The token was refused or revoked. */
  onAuthFailed(reason: string, revoked: boolean): void;
  /** Test hook: faster reconnects. */
  backoff?: { baseMs: number; capMs: number };
  /** Bytes the file cache may hold (default FILE_CACHE_MAX_BYTES). */
  fileCacheMaxBytes?: number;
}

/** The largest file the app loads to show or save. */
const MAX_SHOWN_FILE_BYTES = 100 * 1024 * 1024;

/** Whether a file is loaded for a preview by itself: an image by the server's record, and not too large. */
export function previewable(record: FileRecord): boolean {
  return isInlineImage(record.mime) && record.size <= PREVIEW_MAX_BYTES;
}

export interface ComposeInput {
  convId: string;
  kind: EntryKind;
  body: Record<string, unknown>;
  replyTo?: number;
  mentions?: string[];
}

export class Account {
  readonly userId: string;
  readonly serverUrl: string;
  readonly store: Store;
  readonly conn: ServerConnection;
  readonly sync: SyncEngine;
  readonly outbox: OutboxSender;
  readonly contacts: Contacts;
  private readonly typing: TypingTracker;
  /** WAL checkpoints and search-index merges happen off the paths the window waits on. */
  private readonly checkpointer: Checkpointer;
  private readonly maintenance: MaintenanceHandle;
  private readonly events: ApiEventBus;
  private readonly log: Logger;
  private readonly filesDir: string;
  /** Files by fileId: downloads, and the user's own uploads. */
  readonly files: FileCache;
  /** The user's own profile, and everyone's avatars. */
  readonly profile: AccountProfile;
  private closed = false;
  /** The chatroom this account is in (membership ends with each connection: re-joined when back online). */
  private room: { roomId: string; convId: string } | null = null;

  constructor(private readonly options: AccountOptions) {
    const { session } = options;
    this.userId = session.userId;
    this.serverUrl = session.serverUrl;
    this.events = options.events;
    this.log = options.log ?? silentLogger;
    this.filesDir = path.join(options.dir, 'outbox-files');
    ensurePrivateDir(this.filesDir);
    this.files = new FileCache(path.join(options.dir, 'file-cache'), options.fileCacheMaxBytes);
    const dbFile = path.join(options.dir, 'parley.db');
    this.store = openStore({ path: dbFile, userId: session.userId, nativeBinding: options.nativeBinding });
    this.checkpointer = new Checkpointer({
      file: dbFile,
      nativeBinding: options.nativeBinding,
      onError: (message) => this.log.warn({ err: message }, 'checkpoint failed'),
    });
    this.store.leaveCheckpointsToWorker();
    this.maintenance = scheduleMaintenance(this.store, { onError: (error) => this.log.warn({ err: describeError(error) }, 'store upkeep stopped') });
    this.conn = new ServerConnection({ serverUrl: session.serverUrl, token: session.token, device: options.device, backoff: options.backoff });
    const store = this.store;
    this.sync = new SyncEngine(this.conn, syncStoreOf(store), session.userId);
    this.outbox = new OutboxSender(
      this.conn,
      { ...store.outbox, markSent: (id, ack) => store.markSent(id, ack) },
      (item, onProgress) => {
        const a = item.attachment!;
        if (!a.localPath) throw new Error('the attachment is no longer on disk');
        return uploadFile({ serverUrl: session.serverUrl, token: session.token, path: a.localPath, name: a.name, mime: a.mime, onProgress }).then(
          async ({ fileId, mime }) => {
            // Uploaded: the copy becomes the cached file, so the sender sees it without downloading.
            await this.files.adopt(fileId, a.localPath!, mime).catch(() => undefined);
            return fileId;
          },
        );
      },
      options.backoff,
    );
    this.contacts = new Contacts({ conn: this.conn, repo: store.contacts, events: this.events, log: this.log });
    this.typing = new TypingTracker((convId, userIds) => this.events.emit('typing:changed', { convId, userIds }));
    this.profile = new AccountProfile({
      ...session,
      dir: options.dir,
      conn: this.conn,
      store,
      events: this.events,
      log: this.log,
      emitConversations: (convIds) => this.emitConversations(convIds),
    });
    this.wire();
  }

  private wire(): void {
    this.conn.on('state', (state) => {
      this.emitConnection(state);
      if (state.state === 'online') this.onOnline();
    });
    this.conn.on('auth-failed', ({ reason, revoked }) => this.options.onAuthFailed(reason, revoked));
    this.conn.on('event', (e) => {
      try {
        this.contacts.onServerEvent(e);
        switch (e.ev) {
          case 'msg':
            this.typing.stopped(e.body.convId, e.body.from);
            this.sync.onEvent('msg', e.body);
            break;
          case 'conv':
          case 'read':
            this.sync.onEvent(e.ev, e.body);
            break;
          case 'typing':
            if (e.body.userId !== this.userId) this.typing.typing(e.body.convId, e.body.userId);
            break;
          case 'presence':
            this.events.emit('presence:changed', e.body);
            break;
          case 'group.request':
            this.events.emit('group:join-requested', { ...e.body, convId: groupConvId(e.body.groupId) });
            break;
          case 'room.left':
            if (this.room?.roomId === e.body.roomId) this.dropRoom(e.body.reason);
            break;
          default:
            break;
        }
      } catch (error) {
        this.log.error({ err: describeError(error), ev: e.ev }, 'server event not applied');
      }
    });
    this.sync.on('applied', (result, { live }) => {
      this.maintenance.noteActivity();
      this.emitApplied(result, live);
    });
    this.sync.on('conversations', (ids) => this.emitConversations(ids));
    this.sync.on('error', (error) => this.log.warn({ err: describeError(error) }, 'gap fill failed'));
    this.outbox.on('changed', (message) => {
      this.events.emit('message:updated', { message: messageView(message) });
      this.emitConversations([message.convId]);
      this.emitConnection(this.conn.state);
    });
    this.outbox.on('progress', (p) => this.events.emit('upload:progress', p));
  }

  start(): void {
    // A chatroom's local copy lasts while the app is in it: whatever a previous run left is cleared.
    for (const convId of this.store.conversationIds('room')) this.store.clearRoom(convId);
    this.conn.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.outbox.stop();
    this.conn.stop('signed out');
    this.typing.dispose();
    this.maintenance.stop();
    await this.outbox.idle(2000);
    if (this.room) this.store.clearRoom(this.room.convId);
    this.room = null;
    await this.checkpointer.stop();
    this.store.close();
  }

  private onOnline(): void {
    this.outbox.kick();
    if (this.room) void this.rejoinRoom(this.room.roomId);
    void this.contacts.online();
    this.sync
      .catchUp()
      .then(() => this.flushReads())
      .catch((error: unknown) => this.log.warn({ err: describeError(error) }, 'catch-up interrupted'));
  }

  queuedCount(): number {
    return this.store.outbox.list().filter((i) => i.state !== 'failed').length;
  }

  emitConnection(state: ConnectionState = this.conn.state): void {
    this.events.emit('connection:changed', this.connectionView(state));
  }

  connectionView(state: ConnectionState = this.conn.state): ConnectionView {
    const view: ConnectionView = { state: state.state, queued: this.queuedCount() };
    if (state.state === 'offline') {
      view.reason = state.reason;
      if (state.nextRetryAt !== null) view.nextRetryAt = state.nextRetryAt;
    }
    return view;
  }

  emitConversations(convIds: readonly string[]): void {
    const conversations = [];
    for (const id of new Set(convIds)) {
      const c = this.store.getConversation(id);
      if (c) conversations.push(conversationView(c));
    }
    if (conversations.length > 0) this.events.emit('conversations:changed', { conversations, removed: [] });
  }

  private emitApplied(result: ApplyResult, live: boolean): void {
    if (live || result.added.length + result.updated.length <= MAX_EVENTS_PER_BATCH) {
      for (const m of result.added) this.events.emit('message:added', { message: messageView(m) });
      for (const m of result.updated) this.events.emit('message:updated', { message: messageView(m) });
    }
    this.events.emit('conversations:changed', { conversations: [conversationView(result.conversation)], removed: [] });
  }

  /** Stores a composed message before anything else, shows it as pending, and queues it. */
  compose(input: ComposeInput, attachment?: { localPath: string; name: string; mime: string; size: number }, clientMsgId = randomUUID()): StoredMessage {
    const stored = this.store.insertPending({
      convId: input.convId,
      clientMsgId,
      from: this.userId,
      kind: input.kind,
      body: input.body,
      mentions: input.mentions,
      replyTo: input.replyTo,
      attachment,
    });
    this.events.emit('message:added', { message: messageView(stored) });
    this.emitConversations([input.convId]);
    this.emitConnection();
    this.outbox.kick();
    return stored;
  }

  /**
   * Queues an edit of one of the user's text messages, like a message: shown at once as pending on the message,
   * sent in order when online, kept across restarts.
   */
  edit(convId: string, seq: number, text: string): { clientMsgId: string } {
    const target = this.store.getMessage(convId, seq);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no such message here');
    if (target.from !== this.userId) throw new ProtocolError('FORBIDDEN', 'only the sender may edit a message');
    if (target.kind !== 'text' || target.recalled) throw new ProtocolError('BAD_REQUEST', 'only a text message that was not recalled can be edited');
    return this.queueChange(convId, 'edit', { seq, text });
  }

  /** Queues a recall (own messages; a group's owner and admins any): pending on the message until acknowledged. */
  recall(convId: string, seq: number): { clientMsgId: string } {
    const target = this.store.getMessage(convId, seq);
    if (!target) throw new ProtocolError('NOT_FOUND', 'no such message here');
    if (target.kind === 'system') throw new ProtocolError('BAD_REQUEST', 'this entry cannot be recalled');
    if (target.recalled) throw new ProtocolError('CONFLICT', 'already recalled');
    // Whether someone else's message may be recalled (group admins) is the server's to say.
    if (target.from !== this.userId && !convId.startsWith('g:')) throw new ProtocolError('FORBIDDEN', 'only the sender may recall this message');
    return this.queueChange(convId, 'recall', { seq });
  }

  private queueChange(convId: string, kind: 'edit' | 'recall', body: Record<string, unknown>): { clientMsgId: string } {
    const clientMsgId = randomUUID();
    const shown = this.store.insertPending({ convId, clientMsgId, from: this.userId, kind, body });
    this.events.emit('message:updated', { message: messageView(shown) });
    this.emitConnection();
    this.outbox.kick();
    return { clientMsgId };
  }

  /** A failed message, edit or recall is queued again. */
  retry(clientMsgId: string): void {
    const message = this.store.outbox.retry(clientMsgId);
    if (!message) throw new ProtocolError('NOT_FOUND', 'no failed message with that id');
    this.events.emit('message:updated', { message: messageView(message) });
    this.emitConnection();
    this.outbox.kick();
  }

  /** Drops an unsent message (and its attachment's copy), or an edit or recall not acknowledged yet. */
  discard(clientMsgId: string): void {
    const item = this.store.outbox.get(clientMsgId);
    if (!item) throw new ProtocolError('NOT_FOUND', 'no unsent message with that id');
    if (item.kind === 'edit' || item.kind === 'recall') {
      const target = this.store.outbox.discard(clientMsgId);
      if (target) this.events.emit('message:updated', { message: messageView(target) });
    } else {
      if (!this.store.outbox.delete(clientMsgId)) throw new ProtocolError('NOT_FOUND', 'no unsent message with that id');
      this.removeAttachmentCopy(clientMsgId);
      this.events.emit('messages:removed', { convId: item.convId, clientMsgIds: [clientMsgId] });
      this.emitConversations([item.convId]);
    }
    this.emitConnection();
  }

  /** Keeps a copy of an attachment in the account's directory, so a restart can still upload it. */
  async keepAttachment(clientMsgId: string, data: Uint8Array): Promise<string> {
    const file = path.join(this.filesDir, clientMsgId);
    await fs.promises.writeFile(file, data, { mode: PRIVATE_FILE_MODE });
    return file;
  }

  private removeAttachmentCopy(clientMsgId: string): void {
    fs.rmSync(path.join(this.filesDir, clientMsgId), { force: true });
  }

  /**
   * A file's bytes with the server's record of its type and size (never a message's claims). `preview` loads the
   * bytes only of an image small enough to show by itself, `info` never; `data` is null when not loaded.
   */
  async readFile(fileId: string, want: FileWant = 'bytes'): Promise<FileRecord & { data: Uint8Array | null }> {
    const wanted = (record: FileRecord): boolean => want === 'bytes' || (want === 'preview' && previewable(record));
    const known = this.files.record(fileId);
    if (known && !wanted(known)) return { ...known, data: null };
    if (known) {
      const data = await this.files.read(fileId);
      if (data) return { ...known, data };
    }
    const { session } = this.options;
    const file = await downloadFile({ serverUrl: session.serverUrl, token: session.token, fileId, maxBytes: MAX_SHOWN_FILE_BYTES, wanted });
    if (file.data) await this.files.put(fileId, file.data, file.mime);
    else this.files.remember(fileId, { mime: file.mime, size: file.size });
    return file;
  }

  /** The user read up to `seq`: stored at once, sent when online (reads made offline survive a restart). */
  markRead(convId: string, seq: number): void {
    if (this.store.setRead(convId, seq)) this.emitConversations([convId]);
    if (this.conn.online) void this.flushReads();
  }

  /** Sends the read positions the server does not have yet; stops at the first that gets no answer. */
  private async flushReads(): Promise<void> {
    for (const { convId, seq } of this.store.unsentReads()) {
      try {
        await this.conn.request('read', { convId, seq });
      } catch (error) {
        if (!(error instanceof ProtocolError) || RETRYABLE_CODES.has(error.code) || error.code === 'UNAUTHENTICATED') {
          this.log.debug({ err: describeError(error), convId }, 'read not sent yet');
          return;
        }
        // Refused for good (say, no longer a member): nothing to send later.
        this.log.debug({ err: describeError(error), convId }, 'read refused');
      }
      if (this.closed) return;
      this.store.markReadSent(convId, seq);
    }
  }

  // --- chatrooms ------------------------------------------------------------------------------------------

  /** Joins a chatroom (the server leaves the previous one), keeping its latest entries. */
  async joinRoom(roomId: string): Promise<{ convId: string; name: string }> {
    const { room, messages } = await this.conn.request('room.join', { roomId });
    const convId = roomConvId(room.roomId);
    const previous = this.room;
    if (previous && previous.convId !== convId) this.clearRoomCopy(previous.convId);
    this.room = { roomId: room.roomId, convId };
    this.enterRoom(convId, room.name, messages);
    return { convId, name: room.name };
  }

  /** Leaves the chatroom and clears its local copy; offline, leaving locally is enough (membership ends with the connection). */
  async leaveRoom(roomId: string): Promise<void> {
    const convId = roomConvId(roomId);
    if (this.room?.roomId === roomId) this.room = null;
    try {
      if (this.conn.online) await this.conn.request('room.leave', { roomId });
    } catch (error) {
      this.log.debug({ err: describeError(error), roomId }, 'room.leave not answered; left locally');
    } finally {
      this.clearRoomCopy(convId);
    }
  }

  private async rejoinRoom(roomId: string): Promise<void> {
    try {
      const { room, messages } = await this.conn.request('room.join', { roomId });
      if (this.room?.roomId !== roomId) return; // left meanwhile
      this.enterRoom(roomConvId(room.roomId), room.name, messages);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === 'NOT_FOUND' && this.room?.roomId === roomId) this.dropRoom('deleted');
      else this.log.warn({ err: describeError(error), roomId }, 'could not re-join the chatroom');
    }
  }

  private enterRoom(convId: string, name: string, messages: LogEntry[]): void {
    const first = messages.reduce((min, m) => Math.min(min, m.seq), Number.POSITIVE_INFINITY);
    this.store.enterRoom(convId, name, Number.isFinite(first) ? first : 1);
    if (messages.length > 0) {
      this.emitApplied(this.store.applyEntries(convId, messages), true);
      // What was said before the user came in is not "unread".
      this.store.setRead(convId, Math.max(...messages.map((m) => m.seq)));
    }
    this.emitConversations([convId]);
  }

  /** The server put the user out of the room (deleted, idle, joined another elsewhere). */
  private dropRoom(reason: RoomLeftReason): void {
    const room = this.room;
    if (!room) return;
    this.room = null;
    this.clearRoomCopy(room.convId);
    this.events.emit('room:left', { roomId: room.roomId, convId: room.convId, reason });
  }

  private clearRoomCopy(convId: string): void {
    if (this.store.getConversation(convId)) this.forget(convId);
  }

  /** Deletes a conversation's local copy (messages, outbox items) and tells the window it is gone. */
  forget(convId: string): void {
    this.store.deleteConversation(convId);
    this.events.emit('messages:removed', { convId, clientMsgIds: [], all: true });
    this.events.emit('conversations:changed', { conversations: [], removed: [convId] });
  }
}
