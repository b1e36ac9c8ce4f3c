import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Conversation } from '../../../protocol/index.js';
import { NOW, entries, entry, tempStore, type TempStore } from './test-support.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

function conv(convId: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    convId,
    kind: convId.startsWith('p:') ? 'private' : 'group',
    title: convId,
    lastSeq: 0,
    readSeq: 0,
    muted: false,
    pinned: false,
    updatedAt: NOW,
    lastMessage: null,
    ...overrides,
  };
}

describe('conversations', () => {
  it('stores the server list and sorts pinned first, then most recent', () => {
    t.store.upsertConversations([
      conv('g:old', { updatedAt: 1 }),
      conv('g:new', { updatedAt: 3 }),
      conv('g:pinned', { updatedAt: 2, pinned: true }),
      conv('p:alice|me', { updatedAt: 2, peerReadSeq: 4, muted: true }),
    ]);
    expect(t.store.listConversations().map((c) => c.convId)).toEqual(['g:pinned', 'g:new', 'p:alice|me', 'g:old']);
    expect(t.store.getConversation('p:alice|me')).toMatchObject({ kind: 'private', muted: true, peerReadSeq: 4, draft: '', heldSeq: 0 });
  });

  it('keeps local fields and never lowers seqs on a later upsert', () => {
    t.store.applyEntries('g:a', entries('g:a', 1, 5));
    t.store.setDraft('g:a', 'half-written');
    t.store.setRead('g:a', 4);
    t.store.upsertConversations([conv('g:a', { title: 'Renamed', lastSeq: 3, readSeq: 2, pinned: true })]);
    expect(t.store.getConversation('g:a')).toMatchObject({ title: 'Renamed', lastSeq: 5, readSeq: 4, heldSeq: 5, draft: 'half-written', pinned: true });
  });

  it("uses the server's last message until a newer one is held", () => {
    const last = entry('g:a', 9, { text: 'from the server' });
    t.store.upsertConversations([conv('g:a', { lastSeq: 9, lastMessage: last })]);
    expect(t.store.getConversation('g:a')?.lastMessage).toMatchObject({ seq: 9, preview: 'from the server' });
    t.store.applyEntries('g:a', entries('g:a', 1, 3));
    expect(t.store.getConversation('g:a')?.lastMessage).toMatchObject({ seq: 9 });
    t.store.applyEntries('g:a', [entry('g:a', 10, { text: 'newer' })]);
    expect(t.store.getConversation('g:a')?.lastMessage).toMatchObject({ seq: 10, preview: 'newer' });
  });

  it("counts unread entries above readSeq, not the user's own nor recall/edit entries", () => {
    t.store.applyEntries('g:a', [
      entry('g:a', 1),
      entry('g:a', 2, { from: 'me' }),
      entry('g:a', 3),
      entry('g:a', 4, { kind: 'recall', body: { seq: 3 } }),
    ]);
    expect(t.store.getConversation('g:a')?.unreadCount).toBe(2);
    // entries not held yet count too
    t.store.upsertConversations([conv('g:a', { lastSeq: 6 })]);
    expect(t.store.getConversation('g:a')?.unreadCount).toBe(4);
    expect(t.store.setRead('g:a', 6)).toBe(true);
    expect(t.store.setRead('g:a', 2)).toBe(false);
    expect(t.store.getConversation('g:a')).toMatchObject({ unreadCount: 0, readSeq: 6 });
  });

  it('updates muted, pinned and title, and peer reads that only grow', () => {
    t.store.upsertConversations([conv('p:alice|me')]);
    expect(t.store.updateConversation('p:alice|me', { muted: true, title: 'Alice' })).toBe(true);
    expect(t.store.setPeerRead('p:alice|me', 5)).toBe(true);
    expect(t.store.setPeerRead('p:alice|me', 3)).toBe(false);
    expect(t.store.getConversation('p:alice|me')).toMatchObject({ muted: true, pinned: false, title: 'Alice', peerReadSeq: 5 });
    expect(t.store.updateConversation('g:missing', { pinned: true })).toBe(false);
  });

  it('deletes a conversation with its messages and outbox items', () => {
    t.store.applyEntries('g:a', entries('g:a', 1, 3));
    t.store.applyEntries('g:b', entries('g:b', 1, 3));
    t.store.insertPending({ convId: 'g:a', clientMsgId: 'x', from: 'me', kind: 'text', body: { text: 'x' } });
    t.store.deleteConversation('g:a');
    expect(t.store.getConversation('g:a')).toBeNull();
    expect(t.store.listMessages('g:a')).toEqual([]);
    expect(t.store.outbox.list()).toEqual([]);
    expect(t.store.listMessages('g:b')).toHaveLength(3);
  });

  it('clears a chatroom on leave, and refuses to clear anything else', () => {
    t.store.applyEntries('r:lobby', entries('r:lobby', 40, 49));
    t.store.clearRoom('r:lobby');
    expect(t.store.getConversation('r:lobby')).toBeNull();
    expect(t.store.listMessages('r:lobby')).toEqual([]);
    expect(() => t.store.clearRoom('g:a')).toThrow(RangeError);
  });
});

describe('settings', () => {
  it('stores JSON values by key and keeps them across reopen', () => {
    t.store.settings.set('theme', 'dark');
    t.store.settings.set('notifications', { sound: false, preview: true });
    expect(t.store.settings.get('theme')).toBe('dark');
    const store = t.reopen();
    expect(store.settings.all()).toEqual({ notifications: { sound: false, preview: true }, theme: 'dark' });
    expect(store.settings.delete('theme')).toBe(true);
    expect(store.settings.get('theme')).toBeUndefined();
    expect(() => store.settings.set('nothing', undefined)).toThrow(TypeError);
  });
});
