/**
 * Keeps the local log equal to the server's (docs/architecture.md invariant 4): on every (re)connect it syncs
 * the conversation list and fetches each conversation's missing range; a live entry that jumps past what is
 * held contiguously makes it fetch the gap. Entries are applied idempotently, so overlaps are harmless.
 */
import { EventEmitter } from 'node:events';
import type { Conversation, EventBodies, LogEntry } from '../../../protocol/index.js';
import type { Store } from '../store/store.js';
import type { ApplyResult } from '../store/types.js';
import type { ServerConnection } from './server-connection.js';

export const PAGE = 100;
/** Pages of one conversation fetched at once while catching up. */
const PARALLEL_PAGES = 4;
/** Conversations caught up at once. */
const PARALLEL_CONVERSATIONS = 4;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the sync engine needs of the local store. */
export interface SyncStore {
  upsertConversations(conversations: Conversation[]): unknown;
  /** Highest seq held contiguously from 1 (0 when none). */
  heldSeq(convId: string): number;
  applyEntries(convId: string, entries: LogEntry[]): ApplyResult;
  setPeerRead(convId: string, seq: number): boolean;
  setRead(convId: string, seq: number): boolean;
  /** The server has the user's read position up to `seq`. */
  markReadSent(convId: string, seq: number): void;
  /** Groups: the user is no longer (or again) a member; true when it changed. */
  setLeft(convId: string, left: boolean): boolean;
  /** The group conversations held locally. */
  groupIds(): string[];
}

/** The local store as the sync engine sees it. */
export function syncStoreOf(store: Store): SyncStore {
  return {
    upsertConversations: (list) => store.upsertConversations(list),
    heldSeq: (convId) => store.getConversation(convId)?.heldSeq ?? 0,
    applyEntries: (convId, entries) => store.applyEntries(convId, entries),
    setRead: (convId, seq) => store.setRead(convId, seq),
    markReadSent: (convId, seq) => store.markReadSent(convId, seq),
    setPeerRead: (convId, seq) => store.setPeerRead(convId, seq),
    setLeft: (convId, left) => store.setLeft(convId, left),
    groupIds: () => store.conversationIds('group'),
  };
}

export interface SyncEngineEvents {
  /** Entries were stored; `live` when they came as events rather than by catching up. */
  applied: [ApplyResult, { live: boolean }];
  /** Conversations changed (list from sync, a `conv` event, read positions). */
  conversations: [string[]];
  /** A catch-up after (re)connect finished. */
  synced: [{ conversations: number; fetched: number; ms: number }];
  error: [Error];
}

export class SyncEngine extends EventEmitter<SyncEngineEvents> {
  /** Per conversation, the fill in progress; a new request waits for it, then fills what is still missing. */
  private readonly filling = new Map<string, Promise<number>>();
  private generation = 0;
  /**
   * `conv` events that arrived while a `sync` was in flight: the answer may have been read before the change they
   * carry (a group renamed meanwhile), so they are applied again after it.
   */
  private convEventsDuringSync: Map<string, Conversation> | null = null;

  constructor(
    private readonly conn: ServerConnection,
    private readonly store: SyncStore,
    private readonly ownUserId: string,
  ) {
    super();
  }

  /** Call when the connection comes online. */
  async catchUp(): Promise<void> {
    const generation = ++this.generation;
    const started = Date.now();
    const newer = new Map<string, Conversation>();
    this.convEventsDuringSync = newer;
    let conversations: Conversation[];
    try {
      ({ conversations } = await this.conn.request('sync', {}));
    } finally {
      if (this.convEventsDuringSync === newer) this.convEventsDuringSync = null;
    }
    if (generation !== this.generation) return;
    this.store.upsertConversations(conversations);
    const changed = conversations.map((c) => c.convId);
    // A group the server no longer lists is one the user left or was removed from while this device was away.
    const listed = new Set(changed);
    for (const c of conversations) if (c.kind === 'group') this.store.setLeft(c.convId, false);
    for (const id of this.store.groupIds()) if (!listed.has(id) && this.store.setLeft(id, true)) changed.push(id);
    // Changes announced while the answer was on its way are newer than it.
    for (const conv of newer.values()) {
      this.applyConv(conv);
      changed.push(conv.convId);
    }
    this.emit('conversations', changed);
    const behind = conversations.filter((c) => this.store.heldSeq(c.convId) < c.lastSeq);
    let fetched = 0;
    let next = 0;
    const worker = async () => {
      while (next < behind.length && generation === this.generation) {
        const conv = behind[next++]!;
        fetched += await this.fill(conv.convId, conv.lastSeq);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_CONVERSATIONS }, worker));
    this.emit('synced', { conversations: conversations.length, fetched, ms: Date.now() - started });
  }

  /** Handles a server push. */
  onEvent<E extends keyof EventBodies>(ev: E, body: EventBodies[E]): void {
    switch (ev) {
      case 'msg': {
        const entry = body as LogEntry;
        const held = this.store.heldSeq(entry.convId);
        this.emit('applied', this.store.applyEntries(entry.convId, [entry]), { live: true });
        if (entry.seq > held + 1) void this.fill(entry.convId, entry.seq - 1).catch((e: Error) => this.emit('error', e));
        break;
      }
      case 'conv': {
        const conv = body as Conversation;
        this.convEventsDuringSync?.set(conv.convId, conv);
        this.applyConv(conv);
        this.emit('conversations', [conv.convId]);
        break;
      }
      case 'read': {
        const read = body as EventBodies['read'];
        const own = read.userId === this.ownUserId;
        if (own) this.store.markReadSent(read.convId, read.seq);
        const changed = own ? this.store.setRead(read.convId, read.seq) : this.store.setPeerRead(read.convId, read.seq);
        if (changed) this.emit('conversations', [read.convId]);
        break;
      }
      default:
        break;
    }
  }

  private applyConv(conv: Conversation): void {
    this.store.upsertConversations([conv]);
    if (conv.kind === 'group') this.store.setLeft(conv.convId, conv.removed === true);
  }

  /** Fetches until the conversation is held contiguously up to `upTo`; returns entries fetched. */
  fill(convId: string, upTo: number): Promise<number> {
    const previous = this.filling.get(convId) ?? Promise.resolve(0);
    const run = previous.catch(() => 0).then(() => this.fillNow(convId, upTo));
    this.filling.set(convId, run);
    void run.finally(() => {
      if (this.filling.get(convId) === run) this.filling.delete(convId);
    }).catch(() => undefined);
    return run;
  }

  private async fillNow(convId: string, upTo: number): Promise<number> {
    let fetched = 0;
    for (;;) {
      const held = this.store.heldSeq(convId);
      if (held >= upTo) return fetched;
      const pages = Math.min(PARALLEL_PAGES, Math.ceil((upTo - held) / PAGE));
      const results = await Promise.all(
        Array.from({ length: pages }, (_, i) => this.conn.request('history', { convId, afterSeq: held + i * PAGE, limit: PAGE })),
      );
      let got = 0;
      for (const { messages } of results) {
        if (messages.length === 0) continue;
        this.emit('applied', this.store.applyEntries(convId, messages), { live: false });
        got += messages.length;
        // One page at a time: IPC calls and live events get the main thread between pages of a long catch-up.
        await yieldToEventLoop();
      }
      fetched += got;
      // The server has nothing more (e.g. upTo came from a stale list): stop rather than spin.
      if (got === 0 || this.store.heldSeq(convId) === held) return fetched;
    }
  }
}
