/**
 * Entries this device produced itself (acknowledged messages, edits, recalls) are stored by the same path as
 * every other entry, in any order of arrival; edits and recalls wait in the outbox and show as pending changes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PendingMessageInput } from './types.js';
import { NOW, composeIn, entry, tempStore, type TempStore } from './test-support.js';

const P = 'p:bob|me';
const G = 'g:team';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const compose = (convId: string, clientMsgId: string, extra: Partial<PendingMessageInput> = {}) => composeIn(t.store, convId, clientMsgId, extra);

describe('own edits', () => {
  it('show at once as pending on the message, and for good once acknowledged (search and preview too)', () => {
    t.store.applyEntries(P, [entry(P, 1, { from: 'me', text: 'see you tomorow' })]);
    const shown = compose(P, 'e1', { kind: 'edit', body: { seq: 1, text: 'see you tomorrow' } });
    // What the user sees is the message, edited, with the change pending — not an "edit" row.
    expect(shown).toMatchObject({ seq: 1, kind: 'text', body: { text: 'see you tomorrow' }, edited: true, change: { kind: 'edit', clientMsgId: 'e1', status: 'pending' } });
    expect(t.store.listMessages(P)).toHaveLength(1);
    expect(t.store.outbox.get('e1')).toMatchObject({ kind: 'edit', state: 'queued' });

    const acked = t.store.markSent('e1', { msgId: 'srv-2', seq: 2, ts: NOW + 5 });
    expect(acked).toMatchObject({ seq: 1, body: { text: 'see you tomorrow' }, edited: true });
    expect(acked?.change).toBeUndefined();
    // The edit entry is in the local log: the conversation is held up to it, and a reopen shows the same.
    expect(t.store.getConversation(P)).toMatchObject({ heldSeq: 2, lastSeq: 2, lastMessage: { seq: 1, preview: 'see you tomorrow' } });
    t.reopen();
    expect(t.store.getMessage(P, 1)).toMatchObject({ body: { text: 'see you tomorrow' }, edited: true });
    expect(t.store.search('tomorrow').map((h) => h.seq)).toEqual([1]);
    expect(t.store.search('tomorow')).toEqual([]);
    expect(t.store.outbox.list()).toEqual([]);
  });

  it('a failed edit shows the acknowledged text with the reason; discarding it leaves the message as it was', () => {
    t.store.applyEntries(P, [entry(P, 1, { from: 'me', text: 'v1' })]);
    compose(P, 'e1', { kind: 'edit', body: { seq: 1, text: 'v2' } });
    t.store.outbox.markSending('e1');
    const failed = t.store.outbox.markFailed('e1', 'FORBIDDEN', 'no');
    expect(failed).toMatchObject({ seq: 1, body: { text: 'v1' }, edited: false, change: { kind: 'edit', status: 'failed', failure: { code: 'FORBIDDEN' } } });
    expect(t.store.outbox.retry('e1')).toMatchObject({ body: { text: 'v2' }, change: { status: 'pending' } });
    expect(t.store.outbox.discard('e1')).toMatchObject({ body: { text: 'v1' }, edited: false });
    expect(t.store.getMessage(P, 1)?.change).toBeUndefined();
    expect(t.store.outbox.list()).toEqual([]);
  });

  it('do not bring an old conversation to the top of the list', () => {
    t.store.applyEntries(P, [entry(P, 1, { from: 'me', ts: NOW - 1000 })]);
    const before = t.store.getConversation(P)!.updatedAt;
    compose(P, 'e1', { kind: 'edit', body: { seq: 1, text: 'later' } });
    expect(t.store.getConversation(P)!.updatedAt).toBe(before);
  });
});

describe('an edit or recall from another device that arrives before this device stored its own message', () => {
  it('takes effect when the acknowledgement comes', () => {
    compose(P, 'm1');
    // Another device of the user edits the message (seq 1) as soon as it sees it; its entry arrives first.
    t.store.applyEntries(P, [entry(P, 2, { from: 'me', kind: 'edit', body: { seq: 1, text: 'fixed' } })]);
    const sent = t.store.markSent('m1', { msgId: 'srv-1', seq: 1, ts: NOW });
    expect(sent).toMatchObject({ seq: 1, body: { text: 'fixed' }, edited: true });
    expect(t.store.getConversation(P)).toMatchObject({ heldSeq: 2, lastMessage: { preview: 'fixed' } });
    expect(t.store.search('fixed').map((h) => h.seq)).toEqual([1]);
  });

  it('a recall takes effect when the entry itself comes by gap fill', () => {
    compose(P, 'm1');
    t.store.applyEntries(P, [entry(P, 2, { from: 'me', kind: 'recall', body: { seq: 1 } })]);
    const { updated } = t.store.applyEntries(P, [entry(P, 1, { from: 'me', clientMsgId: 'm1', text: 'm1' })]);
    expect(updated).toMatchObject([{ seq: 1, recalled: true, body: {} }]);
    expect(t.store.search('m1')).toEqual([]);
  });
});

describe('own recalls', () => {
  it('are pending on the message until acknowledged, then stored as the recall entry', () => {
    t.store.applyEntries(P, [entry(P, 1, { from: 'me', text: 'oops' })]);
    expect(compose(P, 'r1', { kind: 'recall', body: { seq: 1 } })).toMatchObject({ seq: 1, recalled: false, change: { kind: 'recall', status: 'pending' } });
    expect(t.store.markSent('r1', { msgId: 'srv-2', seq: 2, ts: NOW })).toMatchObject({ seq: 1, recalled: true, body: {} });
    expect(t.store.getConversation(P)).toMatchObject({ heldSeq: 2, lastMessage: { seq: 1, recalled: true, preview: '' } });
  });

  it('an edit refused because the message was recalled meanwhile is dropped, not left failed', () => {
    t.store.applyEntries(P, [entry(P, 1, { from: 'me', text: 'x' })]);
    compose(P, 'e1', { kind: 'edit', body: { seq: 1, text: 'y' } });
    t.store.applyEntries(P, [entry(P, 2, { from: 'me', kind: 'recall', body: { seq: 1 } })]);
    expect(t.store.outbox.markFailed('e1', 'BAD_REQUEST', 'recalled')).toMatchObject({ seq: 1, recalled: true });
    expect(t.store.outbox.list()).toEqual([]);
  });
});

describe('conversation previews', () => {
  it('never stick on an edit or recall entry the server lists as the latest', () => {
    t.store.applyEntries(P, [entry(P, 1, { from: 'bob', text: 'hello' })]);
    const edit = entry(P, 2, { from: 'bob', kind: 'edit', body: { seq: 1, text: 'hello there' } });
    t.store.upsertConversations([
      { convId: P, kind: 'private', title: 'Bob', lastSeq: 2, readSeq: 0, muted: false, pinned: false, updatedAt: NOW, lastMessage: edit },
    ]);
    expect(t.store.getConversation(P)?.lastMessage).toMatchObject({ seq: 1, kind: 'text', preview: 'hello' });
    t.store.applyEntries(P, [edit]);
    expect(t.store.getConversation(P)?.lastMessage).toMatchObject({ seq: 1, kind: 'text', preview: 'hello there' });
  });

  it('carry a system entry’s body (not its event name as text) and mentions; notices are not unread', () => {
    const created = entry(G, 1, { from: 'alice', kind: 'system', body: { event: 'group.created', actor: 'alice', targets: ['me'] } });
    t.store.applyEntries(G, [created]);
    expect(t.store.getConversation(G)).toMatchObject({
      unreadCount: 0,
      lastMessage: { kind: 'system', preview: '', system: { event: 'group.created', actor: 'alice', targets: ['me'] } },
    });
    t.store.applyEntries(G, [entry(G, 2, { from: 'alice', text: '@me look', mentions: ['me'] })]);
    expect(t.store.getConversation(G)).toMatchObject({ unreadCount: 1, unreadMention: true, lastMessage: { preview: '@me look', mentions: ['me'] } });
  });
});
