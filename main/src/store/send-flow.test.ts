import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateClientMsgIdError } from './send-flow.js';
import type { PendingMessageInput } from './types.js';
import { NOW, composeIn, entry, tempStore, type TempStore } from './test-support.js';

const G = 'g:team';
const P = 'p:bob|me';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

const compose = (convId: string, clientMsgId: string, extra: Partial<PendingMessageInput> = {}) => composeIn(t.store, convId, clientMsgId, extra);
const sendable = () => t.store.outbox.nextSendable().map((item) => item.clientMsgId);

describe('insertPending', () => {
  it('stores the message and its outbox row together', () => {
    const message = compose(G, 'a', { mentions: ['bob'], replyTo: 3 });
    expect(message).toMatchObject({ convId: G, seq: null, status: 'pending', from: 'me', body: { text: 'a' }, mentions: ['bob'], replyTo: 3 });
    expect(t.store.outbox.get('a')).toMatchObject({ convId: G, kind: 'text', body: { text: 'a' }, state: 'queued', attempts: 0, mentions: ['bob'], replyTo: 3 });
    expect(t.store.getConversation(G)).toMatchObject({ kind: 'group', updatedAt: message.createdAt, lastMessage: { seq: null, status: 'pending', preview: 'a' } });
  });

  it('refuses a reused clientMsgId and leaves nothing half-written', () => {
    compose(G, 'a');
    expect(() => compose(P, 'a')).toThrow(DuplicateClientMsgIdError);
    expect(t.store.outbox.list()).toHaveLength(1);
    expect(t.store.getConversation(P)).toBeNull();
  });
});

describe('markSent', () => {
  it('gives the message its seq, removes the outbox row and moves heldSeq', () => {
    t.store.applyEntries(G, [entry(G, 1)]);
    compose(G, 'a');
    const sent = t.store.markSent('a', { msgId: 'srv-2', seq: 2, ts: NOW + 100 });
    expect(sent).toMatchObject({ seq: 2, msgId: 'srv-2', ts: NOW + 100, status: 'sent' });
    expect(t.store.outbox.list()).toEqual([]);
    expect(t.store.getConversation(G)).toMatchObject({ lastSeq: 2, heldSeq: 2, lastMessage: { seq: 2, status: 'sent' } });
    // its echo is then a no-op
    expect(t.store.applyEntries(G, [entry(G, 2, { clientMsgId: 'a', from: 'me', text: 'a' })]).updated).toEqual([]);
  });

  it('keeps the log copy if the entry was stored on its own first', () => {
    compose(G, 'a');
    t.store.applyEntries(G, [entry(G, 1, { clientMsgId: '', from: 'me', text: 'a' })]);
    expect(t.store.markSent('a', { msgId: 'x', seq: 1, ts: NOW })).toMatchObject({ seq: 1 });
    expect(t.store.listMessages(G)).toHaveLength(1);
  });

  it('applies an acknowledged edit to its target', () => {
    t.store.applyEntries(G, [entry(G, 1, { from: 'me', text: 'teh' })]);
    compose(G, 'e', { kind: 'edit', body: { seq: 1, text: 'the' } });
    expect(t.store.listMessages(G).map((m) => m.seq)).toEqual([1]);
    t.store.markSent('e', { msgId: 'x', seq: 2, ts: NOW });
    expect(t.store.getMessage(G, 1)).toMatchObject({ body: { text: 'the' }, edited: true });
  });
});

describe('outbox', () => {
  it('offers the first queued item of each conversation, in order, one in flight per conversation', () => {
    compose(G, 'g1');
    compose(P, 'p1');
    compose(G, 'g2');
    expect(sendable()).toEqual(['g1', 'p1']);
    expect(t.store.outbox.markSending('g1')).toBe(1);
    expect(sendable()).toEqual(['p1']);
    t.store.markSent('g1', { msgId: 'x', seq: 1, ts: NOW });
    expect(sendable()).toEqual(['p1', 'g2']);
  });

  it('counts attempts and requeues transient failures in place', () => {
    compose(G, 'g1');
    compose(G, 'g2');
    expect(t.store.outbox.markSending('g1')).toBe(1);
    expect(t.store.outbox.markSending('g1')).toBeNull();
    t.store.outbox.requeue('g1', { code: 'RATE_LIMITED', reason: 'slow down' });
    expect(sendable()).toEqual(['g1']);
    expect(t.store.outbox.markSending('g1')).toBe(2);
    expect(t.store.outbox.get('g1')).toMatchObject({ attempts: 2, state: 'sending', lastError: { code: 'RATE_LIMITED' } });
  });

  it('marks refused messages failed without holding back the next, and retries them', () => {
    compose(G, 'g1');
    compose(G, 'g2');
    t.store.outbox.markSending('g1');
    const failed = t.store.outbox.markFailed('g1', 'CONTENT_REJECTED', 'not allowed');
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'CONTENT_REJECTED', reason: 'not allowed' } });
    expect(sendable()).toEqual(['g2']);
    const retried = t.store.outbox.retry('g1');
    expect(retried).toMatchObject({ status: 'pending' });
    expect(retried?.failure).toBeUndefined();
    expect(t.store.outbox.get('g1')).toMatchObject({ state: 'queued', lastError: null, attempts: 1 });
    expect(sendable()).toEqual(['g1']);
    expect(t.store.outbox.retry('g2')).toBeNull();
  });

  it('deletes an unsent message with its outbox row', () => {
    compose(G, 'g1');
    compose(G, 'g2');
    expect(t.store.outbox.delete('g1')).toBe(true);
    expect(t.store.outbox.list().map((i) => i.clientMsgId)).toEqual(['g2']);
    expect(t.store.listMessages(G).map((m) => m.clientMsgId)).toEqual(['g2']);
    expect(t.store.outbox.delete('g1')).toBe(false);
  });

  it('keeps the attachment and records the uploaded file in body and message', () => {
    compose(G, 'f1', { kind: 'file', body: { name: 'report.pdf', size: 10, mime: 'application/pdf' }, attachment: { localPath: '/tmp/report.pdf', name: 'report.pdf', mime: 'application/pdf', size: 10 } });
    const message = t.store.outbox.setUploadedFile('f1', 'file_12345678');
    expect(message?.body).toEqual({ name: 'report.pdf', size: 10, mime: 'application/pdf', fileId: 'file_12345678' });
    expect(t.store.outbox.get('f1')).toMatchObject({
      body: { fileId: 'file_12345678' },
      attachment: { localPath: '/tmp/report.pdf', uploadedFileId: 'file_12345678' },
    });
  });

  it('survives close and reopen, in order, with what was in flight queued again', () => {
    compose(G, 'g1');
    compose(P, 'p1');
    compose(G, 'g2');
    compose(G, 'g3');
    t.store.outbox.markSending('g1');
    t.store.outbox.markFailed('g2', 'FORBIDDEN', 'no');
    const store = t.reopen();
    expect(store.outbox.list().map((i) => [i.clientMsgId, i.state, i.attempts])).toEqual([
      ['g1', 'queued', 1],
      ['p1', 'queued', 0],
      ['g2', 'failed', 0],
      ['g3', 'queued', 0],
    ]);
    expect(store.outbox.nextSendable().map((i) => i.clientMsgId)).toEqual(['g1', 'p1']);
    expect(store.listMessages(G).map((m) => [m.clientMsgId, m.status])).toEqual([
      ['g1', 'pending'],
      ['g2', 'failed'],
      ['g3', 'pending'],
    ]);
  });
});
