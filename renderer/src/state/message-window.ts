/**
 * The loaded slice of one conversation's messages, for the virtualized list.
 *
 * A conversation may hold 100,000 messages; we hold the pages the user scrolled through. Older pages are
 * prepended (the list keeps its scroll position through Virtuoso's `firstItemIndex`, which we lower by the
 * number of prepended items). After a jump to an old message (search hit, quoted message) the window no
 * longer reaches the latest messages (`hasNewer`); newer pages are then appended while scrolling down, and
 * live messages are not inserted until it does, so the slice never has holes.
 */
import type { Api, MessageView } from '../../../preload/api-types';
import {
  firstSeqOf,
  indexOfClientMsgId,
  indexOfSeq,
  insertionIndex,
  isShown,
  lastSeqOf,
  mergeMessages,
  messageKey,
} from '../lib/message-order';
import { createStore, type Store } from '../lib/store';

export const PAGE_SIZE = 50;
/** Virtuoso wants a positive index for the first item; prepending lowers it. Room for 10M prepended rows. */
export const START_INDEX = 10_000_000;

export interface WindowState {
  items: readonly MessageView[];
  firstItemIndex: number;
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  hasOlder: boolean;
  hasNewer: boolean;
  loadingOlder: boolean;
  loadingNewer: boolean;
  /** Changes whenever the window is replaced as a whole; the list re-mounts and re-anchors on it. */
  generation: number;
  /** Where to put the viewport after a (re)load: a seq to centre on, or the bottom. */
  anchor: { seq: number; highlight: boolean } | 'bottom';
}

const initial: WindowState = {
  items: [],
  firstItemIndex: START_INDEX,
  status: 'loading',
  error: null,
  hasOlder: false,
  hasNewer: false,
  loadingOlder: false,
  loadingNewer: false,
  generation: 0,
  anchor: 'bottom',
};

export class MessageWindow {
  readonly state: Store<WindowState> = createStore(initial);
  private token = 0;
  private offs: Array<() => void> = [];

  constructor(
    private readonly api: Api,
    readonly convId: string,
    /** The conversation's latest seq as main knows it, to tell whether a window reaches the end. */
    private readonly latestSeq: () => number,
  ) {}

  start(): void {
    this.offs.push(
      this.api.on('message:added', ({ message }) => {
        if (message.convId === this.convId) this.upsert(message, true);
      }),
      this.api.on('message:updated', ({ message }) => {
        if (message.convId === this.convId) this.upsert(message, false);
      }),
      this.api.on('messages:removed', ({ convId, clientMsgIds, all }) => {
        if (convId !== this.convId) return;
        if (all) {
          this.set({ items: [], hasOlder: false, hasNewer: false });
          return;
        }
        const gone = new Set(clientMsgIds);
        this.set({ items: this.state.get().items.filter((m) => !gone.has(m.clientMsgId)) });
      }),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    this.token++;
  }

  /** The latest page (plus pending messages). */
  async openLatest(): Promise<void> {
    const token = ++this.token;
    this.beginReplace('bottom');
    try {
      const { messages } = await this.api.messages.list({ convId: this.convId, limit: PAGE_SIZE });
      if (token !== this.token) return;
      const items = mergeMessages([], messages);
      this.replace(items, { hasOlder: (firstSeqOf(items) ?? 1) > 1, hasNewer: false, anchor: 'bottom' });
    } catch (error) {
      if (token === this.token) this.set({ status: 'error', error });
    }
  }

  /** A page around `seq`, centred on it. */
  async openAround(seq: number, highlight: boolean): Promise<void> {
    const current = this.state.get();
    // Already loaded: just move there, no reload (keeps scroll history intact).
    if (current.status === 'ready' && indexOfSeq(current.items, seq) >= 0) {
      this.set({ anchor: { seq, highlight }, generation: current.generation + 1 });
      return;
    }
    const token = ++this.token;
    this.beginReplace({ seq, highlight });
    try {
      const { messages } = await this.api.messages.around({ convId: this.convId, seq, limit: PAGE_SIZE });
      if (token !== this.token) return;
      const items = mergeMessages([], messages);
      const last = lastSeqOf(items);
      this.replace(items, {
        hasOlder: (firstSeqOf(items) ?? 1) > 1,
        hasNewer: last < this.latestSeq(),
        anchor: { seq, highlight },
      });
      if (!this.state.get().hasNewer) await this.topUpPending(token);
    } catch (error) {
      if (token === this.token) this.set({ status: 'error', error });
    }
  }

  async loadOlder(): Promise<void> {
    const s = this.state.get();
    if (s.status !== 'ready' || !s.hasOlder || s.loadingOlder) return;
    const beforeSeq = firstSeqOf(s.items);
    if (beforeSeq === null || beforeSeq <= 1) {
      this.set({ hasOlder: false });
      return;
    }
    const token = this.token;
    this.set({ loadingOlder: true });
    try {
      const { messages } = await this.api.messages.list({ convId: this.convId, beforeSeq, limit: PAGE_SIZE });
      if (token !== this.token) return;
      const now = this.state.get();
      const known = new Set(now.items.map(messageKey));
      const older = messages.filter((m) => isShown(m) && m.seq !== null && m.seq < beforeSeq && !known.has(messageKey(m)));
      older.sort((a, b) => (a.seq as number) - (b.seq as number));
      this.set({
        items: [...older, ...now.items],
        firstItemIndex: now.firstItemIndex - older.length,
        hasOlder: messages.length > 0 && (firstSeqOf(older) ?? 1) > 1,
        loadingOlder: false,
      });
    } catch (error) {
      if (token === this.token) this.set({ loadingOlder: false, error });
    }
  }

  async loadNewer(): Promise<void> {
    const s = this.state.get();
    if (s.status !== 'ready' || !s.hasNewer || s.loadingNewer) return;
    const token = this.token;
    const afterSeq = lastSeqOf(s.items);
    this.set({ loadingNewer: true });
    try {
      const { messages } = await this.api.messages.list({ convId: this.convId, afterSeq, limit: PAGE_SIZE });
      if (token !== this.token) return;
      const items = mergeMessages(this.state.get().items, messages);
      const reachedEnd = messages.length < PAGE_SIZE || lastSeqOf(items) >= this.latestSeq();
      this.set({ items, hasNewer: !reachedEnd, loadingNewer: false });
      if (reachedEnd) await this.topUpPending(token);
    } catch (error) {
      if (token === this.token) this.set({ loadingNewer: false, error });
    }
  }

  /** Once the window reaches the end, the latest page brings the pending messages that follow it. */
  private async topUpPending(token: number): Promise<void> {
    try {
      const { messages } = await this.api.messages.list({ convId: this.convId, limit: PAGE_SIZE });
      if (token !== this.token) return;
      this.set({ items: mergeMessages(this.state.get().items, messages) });
    } catch {
      // The next message:added brings them anyway.
    }
  }

  /** Applies a live message. New messages past the window's end wait until the window reaches the end. */
  upsert(message: MessageView, added: boolean): void {
    if (!isShown(message)) return;
    const s = this.state.get();
    if (s.status === 'loading') return;
    const at = message.clientMsgId ? indexOfClientMsgId(s.items, message.clientMsgId) : message.seq !== null ? indexOfSeq(s.items, message.seq) : -1;
    if (at >= 0) {
      const items = s.items.slice();
      const old = items[at] as MessageView;
      items[at] = message;
      // Acknowledgement gives a seq: move it if others were acknowledged in between.
      if (old.seq !== message.seq) {
        items.splice(at, 1);
        items.splice(insertionIndex(items, message), 0, message);
      }
      this.set({ items });
      return;
    }
    if (s.hasNewer && message.seq !== null) return;
    const seq = message.seq;
    // An update for a message outside the window (an old one recalled) concerns nothing loaded.
    if (!added && seq !== null && seq <= lastSeqOf(s.items) && s.items.length > 0) return;
    if (seq !== null && s.hasOlder && seq < (firstSeqOf(s.items) ?? 0)) return;
    const items = s.items.slice();
    const index = insertionIndex(items, message);
    items.splice(index, 0, message);
    this.set({ items, firstItemIndex: index === 0 && s.items.length > 0 ? s.firstItemIndex - 1 : s.firstItemIndex });
  }

  private beginReplace(anchor: WindowState['anchor']): void {
    const s = this.state.get();
    this.set({ status: s.items.length ? s.status : 'loading', error: null, anchor, loadingOlder: false, loadingNewer: false });
  }

  private replace(items: MessageView[], rest: Pick<WindowState, 'hasOlder' | 'hasNewer' | 'anchor'>): void {
    const s = this.state.get();
    this.set({
      ...rest,
      items,
      firstItemIndex: START_INDEX,
      status: 'ready',
      error: null,
      generation: s.generation + 1,
    });
  }

  private set(patch: Partial<WindowState>): void {
    this.state.set((prev) => ({ ...prev, ...patch }));
  }
}
