import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOW, entries, entry, tempStore, type TempStore } from './test-support.js';

const G = 'g:team';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const seqs = (convId: string) => t.store.listMessages(convId, { limit: 500 }).map((m) => m.seq);

describe('applyEntries', () => {
  it('stores a batch and reports it added, in seq order', () => {
    const result = t.store.applyEntries(G, [entry(G, 2), entry(G, 1), entry(G, 3)]);
    expect(result.added.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(result.updated).toEqual([]);
    expect(seqs(G)).toEqual([1, 2, 3]);
    expect(result.conversation).toMatchObject({ convId: G, kind: 'group', lastSeq: 3, heldSeq: 3 });
  });

  it('is idempotent: the same batch twice stores and reports nothing new', () => {
    const batch = entries(G, 1, 20);
    t.store.applyEntries(G, batch);
    const again = t.store.applyEntries(G, batch);
    expect(again.added).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(seqs(G)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // overlapping batches too
    t.store.applyEntries(G, entries(G, 15, 25));
    expect(seqs(G)).toHaveLength(25);
  });

  it('keeps duplicates inside one batch once', () => {
    const e = entry(G, 1);
    expect(t.store.applyEntries(G, [e, e, { ...e }]).added).toHaveLength(1);
  });

  it('round-trips every field', () => {
    const e = entry(G, 1, { text: 'hi @me', mentions: ['me'], replyTo: 1, clientMsgId: 'cm-1', from: 'bob', ts: 1234 });
    const [stored] = t.store.applyEntries(G, [e]).added;
    expect(stored).toMatchObject({
      convId: G, seq: 1, msgId: e.msgId, clientMsgId: 'cm-1', from: 'bob', ts: 1234, kind: 'text',
      body: { text: 'hi @me' }, mentions: ['me'], replyTo: 1, recalled: false, edited: false, status: 'sent',
    });
    const image = entry(G, 2, { kind: 'image', body: { fileId: 'f_12345678', name: 'a.png', size: 3, mime: 'image/png', width: 1, height: 2 } });
    t.store.applyEntries(G, [image]);
    expect(t.store.getMessage(G, 2)?.body).toEqual(image.body);
  });

  it('rejects an entry of another conversation', () => {
    expect(() => t.store.applyEntries(G, [entry('g:other', 1)])).toThrow(RangeError);
  });

  it('tracks heldSeq through gaps until they are filled', () => {
    t.store.applyEntries(G, entries(G, 1, 3));
    t.store.applyEntries(G, entries(G, 6, 8));
    expect(t.store.getConversation(G)).toMatchObject({ heldSeq: 3, lastSeq: 8 });
    t.store.applyEntries(G, [entry(G, 5)]);
    expect(t.store.getConversation(G)?.heldSeq).toBe(3);
    t.store.applyEntries(G, [entry(G, 4)]);
    expect(t.store.getConversation(G)?.heldSeq).toBe(8);
  });

  it('starts heldSeq at 0 when seq 1 is missing (a chatroom joined late)', () => {
    const room = 'r:lobby';
    const result = t.store.applyEntries(room, entries(room, 100, 149));
    expect(result.conversation).toMatchObject({ kind: 'room', heldSeq: 0, lastSeq: 149 });
  });

  it('merges its own entry into the pending message instead of duplicating it', () => {
    const pending = t.store.insertPending({ convId: G, clientMsgId: 'local-1', from: 'me', kind: 'text', body: { text: 'hello' }, createdAt: NOW });
    const echoed = entry(G, 1, { clientMsgId: 'local-1', from: 'me', text: 'hello', ts: NOW + 5 });
    const result = t.store.applyEntries(G, [echoed]);
    expect(result.added).toEqual([]);
    expect(result.updated).toEqual([expect.objectContaining({ id: pending.id, seq: 1, status: 'sent', msgId: echoed.msgId, ts: NOW + 5 })]);
    expect(t.store.listMessages(G)).toHaveLength(1);
    expect(t.store.outbox.list()).toEqual([]);
    // the ack arriving after the echo finds nothing left to do
    expect(t.store.markSent('local-1', { msgId: echoed.msgId, seq: 1, ts: NOW + 5 })).toBeNull();
    expect(t.store.listMessages(G)).toHaveLength(1);
  });

  it('does not merge an entry with the same clientMsgId from someone else', () => {
    t.store.insertPending({ convId: G, clientMsgId: 'same', from: 'me', kind: 'text', body: { text: 'mine' } });
    t.store.applyEntries(G, [entry(G, 1, { clientMsgId: 'same', from: 'bob', text: 'theirs' })]);
    expect(t.store.listMessages(G).map((m) => [m.from, m.status])).toEqual([['bob', 'sent'], ['me', 'pending']]);
  });

  it('keeps an entry whose clientMsgId is already taken by another entry (log stays whole)', () => {
    t.store.applyEntries(G, [entry(G, 1, { clientMsgId: 'dup', from: 'bob' })]);
    const result = t.store.applyEntries(G, [entry(G, 2, { clientMsgId: 'dup', from: 'bob' })]);
    expect(result.added.map((m) => [m.seq, m.clientMsgId])).toEqual([[2, null]]);
    expect(result.conversation.heldSeq).toBe(2);
  });

  it('stores server entries without a clientMsgId', () => {
    const system = [1, 2].map((seq) => entry(G, seq, { clientMsgId: '', from: 'system', kind: 'system', body: { event: 'member.joined' } }));
    expect(t.store.applyEntries(G, system).added).toHaveLength(2);
  });

  it('applies a recall to its target and hides the recall entry', () => {
    t.store.applyEntries(G, [entry(G, 1, { text: 'oops' })]);
    const result = t.store.applyEntries(G, [entry(G, 2, { kind: 'recall', body: { seq: 1 } })]);
    expect(result.added).toEqual([]);
    expect(result.updated).toEqual([expect.objectContaining({ seq: 1, recalled: true, body: {} })]);
    expect(t.store.listMessages(G).map((m) => m.seq)).toEqual([1]);
    expect(result.conversation).toMatchObject({ lastSeq: 2, heldSeq: 2 });
  });

  it('applies a recall or edit that arrives before its target', () => {
    t.store.applyEntries(G, [entry(G, 3, { kind: 'recall', body: { seq: 1 } }), entry(G, 4, { kind: 'edit', body: { seq: 2, text: 'fixed' } })]);
    const result = t.store.applyEntries(G, [entry(G, 1, { text: 'gone' }), entry(G, 2, { text: 'typo' })]);
    expect(result.added.map((m) => [m.seq, m.recalled, m.body, m.edited])).toEqual([
      [1, true, {}, false],
      [2, false, { text: 'fixed' }, true],
    ]);
  });

  it('keeps the latest edit whatever the arrival order', () => {
    t.store.applyEntries(G, [entry(G, 1, { text: 'v1' }), entry(G, 3, { kind: 'edit', body: { seq: 1, text: 'v3' } })]);
    t.store.applyEntries(G, [entry(G, 2, { kind: 'edit', body: { seq: 1, text: 'v2' } })]);
    expect(t.store.getMessage(G, 1)?.body).toEqual({ text: 'v3' });
  });

  it('stores entries that arrive recalled, and recalls held ones when history says so', () => {
    t.store.applyEntries(G, [entry(G, 1, { recalled: true, body: {} }), entry(G, 2, { text: 'visible' })]);
    expect(t.store.getMessage(G, 1)).toMatchObject({ recalled: true, body: {} });
    const result = t.store.applyEntries(G, [entry(G, 2, { recalled: true, body: {} })]);
    expect(result.updated).toEqual([expect.objectContaining({ seq: 2, recalled: true })]);
  });

  it("takes the server's content when it differs (sensitive words masked)", () => {
    t.store.applyEntries(G, [entry(G, 1, { text: 'a bad word' })]);
    const result = t.store.applyEntries(G, [entry(G, 1, { text: 'a *** word' })]);
    expect(result.updated.map((m) => m.body)).toEqual([{ text: 'a *** word' }]);
  });

  it('updates lastSeq, updatedAt and the last-message summary', () => {
    t.store.applyEntries(G, [entry(G, 1, { text: 'first', ts: 1000 }), entry(G, 2, { text: 'second', ts: 2000 })]);
    expect(t.store.getConversation(G)).toMatchObject({
      lastSeq: 2,
      updatedAt: 2000,
      lastMessage: { seq: 2, preview: 'second', kind: 'text', recalled: false, status: 'sent', from: 'alice', ts: 2000 },
    });
    t.store.applyEntries(G, [entry(G, 3, { kind: 'recall', body: { seq: 2 }, ts: 3000 })]);
    expect(t.store.getConversation(G)?.lastMessage).toMatchObject({ seq: 2, recalled: true, preview: '' });
  });

  it('flags unread mentions of the user and @all, not by the user', () => {
    t.store.applyEntries(G, [entry(G, 1, { mentions: ['bob'] }), entry(G, 2, { mentions: ['me'], from: 'me' })]);
    expect(t.store.getConversation(G)?.unreadMention).toBe(false);
    t.store.applyEntries(G, [entry(G, 3, { mentions: ['@all'] })]);
    expect(t.store.getConversation(G)?.unreadMention).toBe(true);
    t.store.setRead(G, 3);
    expect(t.store.getConversation(G)?.unreadMention).toBe(false);
  });
});

describe('listMessages', () => {
  it('pages latest-first, each page ascending, and appends unsent messages to the first page', () => {
    t.store.applyEntries(G, entries(G, 1, 10));
    t.store.insertPending({ convId: G, clientMsgId: 'p2', from: 'me', kind: 'text', body: { text: 'second' }, createdAt: NOW + 2 });
    t.store.insertPending({ convId: G, clientMsgId: 'p1', from: 'me', kind: 'text', body: { text: 'first' }, createdAt: NOW + 1 });
    const first = t.store.listMessages(G, { limit: 4 });
    expect(first.map((m) => m.seq ?? m.body.text)).toEqual([7, 8, 9, 10, 'first', 'second']);
    expect(t.store.listMessages(G, { beforeSeq: 7, limit: 4 }).map((m) => m.seq)).toEqual([3, 4, 5, 6]);
    expect(t.store.listMessages(G, { beforeSeq: 3, limit: 4 }).map((m) => m.seq)).toEqual([1, 2]);
    expect(t.store.listMessages(G, { beforeSeq: 1 })).toEqual([]);
  });

  it('leaves recall and edit entries out', () => {
    t.store.applyEntries(G, [entry(G, 1), entry(G, 2, { kind: 'edit', body: { seq: 1, text: 'x' } }), entry(G, 3), entry(G, 4, { kind: 'recall', body: { seq: 3 } })]);
    expect(t.store.listMessages(G).map((m) => m.seq)).toEqual([1, 3]);
  });
});
