/**
 * The sync engine against a real store, with the connection stood in for where the test must control the order
 * in which answers and events arrive (a real server cannot be made to interleave them on demand).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation, Op, OpResult } from '../../../protocol/index.js';
import { NOW, tempStore, type TempStore } from '../store/test-support.js';
import type { ServerConnection } from './server-connection.js';
import { SyncEngine, syncStoreOf } from './sync-engine.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const G = 'g:trip';
const group = (title: string, extra: Partial<Conversation> = {}): Conversation => ({
  convId: G, kind: 'group', title, lastSeq: 0, readSeq: 0, muted: false, pinned: false, updatedAt: NOW, lastMessage: null, ...extra,
});

/** A connection whose `sync` answers only when the test releases it. */
function heldSync() {
  let release: (answer: OpResult<'sync'>) => void = () => undefined;
  const conn = {
    request<O extends Op>(op: O): Promise<OpResult<O>> {
      if (op === 'sync') return new Promise((resolve) => (release = resolve as typeof release));
      return Promise.resolve({ messages: [] } as unknown as OpResult<O>);
    },
  } as unknown as ServerConnection;
  return { conn, release: (answer: OpResult<'sync'>) => release(answer) };
}

const engine = (conn: ServerConnection) => new SyncEngine(conn, syncStoreOf(t.store), 'me');

describe('catching up', () => {
  it('a change announced while the sync answer was on its way wins over that (older) answer', async () => {
    t.store.upsertConversations([group('Trip')]);
    const { conn, release } = heldSync();
    const sync = engine(conn);
    const caughtUp = sync.catchUp();
    // The group is renamed and muted after the server read the list it is about to answer with.
    sync.onEvent('conv', group('Trip to Kyoto', { muted: true }));
    release({ conversations: [group('Trip')] });
    await caughtUp;
    expect(t.store.getConversation(G)).toMatchObject({ title: 'Trip to Kyoto', muted: true, left: false });
  });

  it('a group joined while the answer was on its way is not taken for one the user left', async () => {
    const { conn, release } = heldSync();
    const sync = engine(conn);
    const caughtUp = sync.catchUp();
    sync.onEvent('conv', group('New group'));
    release({ conversations: [] });
    await caughtUp;
    expect(t.store.getConversation(G)).toMatchObject({ title: 'New group', left: false });
  });

  it('the user’s own read from another device is one the server has: it is not sent again', async () => {
    t.store.upsertConversations([group('Trip', { lastSeq: 5 })]);
    const sync = engine(heldSync().conn);
    sync.onEvent('read', { convId: G, userId: 'me', seq: 4 });
    expect(t.store.getConversation(G)?.readSeq).toBe(4);
    expect(t.store.unsentReads()).toEqual([]);
    t.store.setRead(G, 5);
    expect(t.store.unsentReads()).toEqual([{ convId: G, seq: 5 }]);
  });
});
