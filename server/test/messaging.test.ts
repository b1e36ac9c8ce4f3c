/** docs/protocol.md "Log entries", "Requests" and "Events" for private chats: send, sync, history, read, recall… */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../protocol/index.js';
import { clockPast, pconv, textOf, useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

interface Pair {
  alice: TestUser;
  bob: TestUser;
  conv: string;
  a1: WsClient;
  a2: WsClient;
  b1: WsClient;
  b2: WsClient;
}

/** Two fresh users, each on two devices. */
async function pair(srv: TestServer): Promise<Pair> {
  const alice = await srv.user('alice');
  const bob = await srv.user('bob');
  const [a1, a2, b1, b2] = await Promise.all([srv.device(alice, 'a1'), srv.device(alice, 'a2'), srv.device(bob, 'b1'), srv.device(bob, 'b2')]);
  return { alice, bob, conv: pconv(alice.userId, bob.userId), a1, a2, b1, b2 };
}

const ENTRY_KEYS = ['convId', 'seq', 'msgId', 'clientMsgId', 'from', 'ts', 'kind', 'body'];

function expectEntryShape(e: LogEntry): void {
  for (const k of ENTRY_KEYS) expect(e, `entry field ${k}`).toHaveProperty(k);
  expect(Number.isInteger(e.seq)).toBe(true);
  expect(Number.isInteger(e.ts)).toBe(true);
  expect(typeof e.msgId).toBe('string');
}

describe('messaging in private chats', () => {
  // The send limit is tested on its own below; here it would only get in the way of pipelined sends.
  const srv = useServer({ sendRate: 0 });

  it('sends every client kind; acks carry seq 1, 2, 3… and every other device gets each entry', async () => {
    const { alice, conv, a1, a2, b1, b2 } = await pair(srv);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    const img = await srv.upload(alice.token, png, 'image/png', 'pic.png');
    const doc = await srv.upload(alice.token, new TextEncoder().encode('a document'), 'text/plain', 'doc.txt');
    const ogg = await srv.upload(alice.token, new Uint8Array([0x4f, 0x67, 0x67, 0x53]), 'audio/ogg', 'voice.ogg');
    const sends: Array<[string, Record<string, unknown>]> = [
      ['text', { text: '你好, Bob 👋' }],
      ['image', { fileId: img.fileId, name: 'pic.png', size: img.size, mime: 'image/png', width: 640, height: 480 }],
      ['file', { fileId: doc.fileId, name: 'doc.txt', size: doc.size, mime: 'text/plain' }],
      ['voice', { fileId: ogg.fileId, durationMs: 3200 }],
      ['location', { lat: 31.2304, lng: 121.4737, label: '上海' }],
      ['custom', { type: 'card', data: { title: 'x', items: [1, 2, { deep: null }] } }],
      ['edit', { seq: 1, text: '你好, Bob 👋 (edited)' }],
    ];
    const acks: Array<{ msgId: string; seq: number; ts: number }> = [];
    for (const [kind, body] of sends) {
      const clientMsgId = randomUUID();
      const before = Date.now();
      const ack = await a1.call('send', { convId: conv, clientMsgId, kind, body });
      expect(typeof ack.msgId).toBe('string');
      expect(Math.abs(ack.ts - before)).toBeLessThan(60_000);
      acks.push(ack);
      const expected = { convId: conv, seq: ack.seq, msgId: ack.msgId, clientMsgId, from: alice.userId, ts: ack.ts, kind, body };
      for (const d of [a2, b1, b2]) {
        const m = await d.nextEvent('msg', (e) => e.convId === conv && e.seq === ack.seq);
        expect(m).toMatchObject(expected);
        expect(m.recalled ?? false).toBe(false);
      }
    }
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(acks.map((a) => a.msgId)).size).toBe(7);
    const log = await b2.history(conv);
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    log.forEach((e, i) => {
      expectEntryShape(e);
      expect(e.kind).toBe(sends[i]?.[0]);
      expect(e.body).toEqual(sends[i]?.[1]);
      expect(e.msgId).toBe(acks[i]?.msgId);
      expect(e.ts).toBe(acks[i]?.ts);
    });
  });

  it('delivers a conversation’s entries in seq order, the first of a new chat (announced with its conv event) included', async () => {
    // Four chats at once, so a reordering has several chances to show.
    await Promise.all([1, 2, 3, 4].map(() => newChatInOrder()));
  });

  async function newChatInOrder(): Promise<void> {
    const [alice, bob] = await Promise.all([srv.user('oa'), srv.user('ob')]);
    const [a, a2, b, b2] = await Promise.all([srv.device(alice), srv.device(alice), srv.device(bob), srv.device(bob)]);
    const conv = pconv(alice.userId, bob.userId);
    // Both start the chat at once: their sends share a commit, so the first entry's fan-out (which reads the new
    // chat's views first) and the others' start together.
    const acks = await Promise.all([1, 2, 3].flatMap((i) => [a.sendText(conv, `alice ${i}`), b.sendText(conv, `bob ${i}`)]));
    expect(acks.map((x) => x.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const observer of [a2, b2]) {
      await observer.nextEvent('msg', (m) => m.convId === conv && m.seq === 6);
      const seen = observer.received.flatMap((f) =>
        f.type === 'evt' && (f.ev === 'msg' || f.ev === 'conv') && (f.body as { convId: string }).convId === conv ? [f.ev === 'msg' ? (f.body as LogEntry).seq : 'conv'] : [],
      );
      expect(seen).toEqual(['conv', 1, 2, 3, 4, 5, 6]);
    }
  }

  it('keeps mentions and replyTo', async () => {
    const { bob, conv, a1, b1 } = await pair(srv);
    const first = await a1.sendText(conv, 'question?');
    const ack = await b1.call('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'answer' }, mentions: [bob.userId], replyTo: first.seq });
    const m = await a1.nextEvent('msg', (e) => e.seq === ack.seq);
    expect(m.mentions).toEqual([bob.userId]);
    expect(m.replyTo).toBe(first.seq);
    const [stored] = await a1.history(conv, { afterSeq: first.seq });
    expect(stored).toMatchObject({ seq: ack.seq, mentions: [bob.userId], replyTo: first.seq });
  });

  it('gives concurrent sends from several devices and both users seq 1..N with no gap or repeat', async () => {
    const { conv, a1, a2, b1, b2 } = await pair(srv);
    const senders = [a1, a2, b1, b2];
    const acks = await Promise.all(senders.flatMap((d, i) => Array.from({ length: 12 }, (_, k) => d.sendText(conv, `d${i} #${k}`))));
    const seqs = acks.map((a) => a.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    const log = await a1.history(conv, { limit: 100 });
    expect(log.map((e) => e.seq)).toEqual(seqs);
    // Each device received every entry it did not send itself.
    for (const [i, d] of senders.entries()) {
      for (const e of log) {
        if (textOf(e)?.startsWith(`d${i} `)) continue;
        await d.nextEvent('msg', (m) => m.seq === e.seq);
      }
    }
  });

  it('answers a retry with the same clientMsgId with the first ack and stores nothing (first body wins)', async () => {
    const { conv, a1, a2, b1 } = await pair(srv);
    const id = randomUUID();
    const ack = await a1.call('send', { convId: conv, clientMsgId: id, kind: 'text', body: { text: 'first' } });
    const again = await a1.call('send', { convId: conv, clientMsgId: id, kind: 'text', body: { text: 'second' } });
    expect(again).toEqual(ack);
    // The same user's other device retrying (clientMsgIds are unique per sender, not per device).
    const fromOther = await a2.call('send', { convId: conv, clientMsgId: id, kind: 'text', body: { text: 'third' } });
    expect(fromOther).toEqual(ack);
    const log = await b1.history(conv);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ seq: ack.seq, msgId: ack.msgId, clientMsgId: id, body: { text: 'first' } });
    expect((await b1.conversation(conv))?.lastSeq).toBe(1);
    // Another sender may use the same clientMsgId: it is a different message.
    const bobs = await b1.call('send', { convId: conv, clientMsgId: id, kind: 'text', body: { text: 'bob' } });
    expect(bobs.seq).toBe(2);
    expect(bobs.msgId).not.toBe(ack.msgId);
  });

  it('answers pipelined duplicates identically and stores one entry', async () => {
    const { conv, a1, b1 } = await pair(srv);
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => a1.call('send', { convId: conv, clientMsgId: id, kind: 'text', body: { text: 'dup' } })));
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(await b1.history(conv)).toHaveLength(1);
  });

  it('delivers own sends to the sender’s other device and everything to both devices of the peer', async () => {
    const { alice, bob, conv, a1, a2, b1, b2 } = await pair(srv);
    const x = await a1.sendText(conv, 'from a1');
    const y = await b2.sendText(conv, 'from b2');
    for (const d of [a2, b1, b2]) expect(await d.nextEvent('msg', (m) => m.seq === x.seq)).toMatchObject({ from: alice.userId, body: { text: 'from a1' } });
    for (const d of [a1, a2, b1]) expect(await d.nextEvent('msg', (m) => m.seq === y.seq)).toMatchObject({ from: bob.userId, body: { text: 'from b2' } });
  });

  it('announces a new private chat to the peer with a conv event', async () => {
    const { conv, a1, b1, b2 } = await pair(srv);
    await a1.sendText(conv, 'hi');
    for (const d of [b1, b2]) {
      const c = await d.nextEvent('conv', (x) => x.convId === conv);
      expect(c).toMatchObject({ convId: conv, kind: 'private' });
    }
  });

  it('answers history of a private chat with no messages yet with an empty list', async () => {
    const { conv, a1 } = await pair(srv);
    expect(await a1.history(conv)).toEqual([]);
  });

  it('lists conversations in sync with their full shape', async () => {
    const { alice, bob, conv, a1, b1 } = await pair(srv);
    const carol = await srv.user('carol');
    await a1.sendText(conv, 'one');
    const last = await a1.sendText(conv, 'two');
    const mine = await a1.conversation(conv);
    expect(mine).toBeDefined();
    if (!mine) return;
    expect(Object.keys(mine)).toEqual(
      expect.arrayContaining(['convId', 'kind', 'title', 'lastSeq', 'readSeq', 'peerReadSeq', 'muted', 'pinned', 'updatedAt', 'lastMessage']),
    );
    expect(mine).toMatchObject({ convId: conv, kind: 'private', lastSeq: 2, peerReadSeq: 0, muted: false, pinned: false });
    // A private chat is titled after the other person.
    expect(mine.title).toBe(bob.name);
    expect(Number.isInteger(mine.readSeq)).toBe(true);
    expect(Number.isInteger(mine.updatedAt)).toBe(true);
    expect(mine.updatedAt).toBeGreaterThan(0);
    expect(mine.lastMessage).toMatchObject({ convId: conv, seq: 2, msgId: last.msgId, from: alice.userId, kind: 'text', body: { text: 'two' } });
    const theirs = await b1.conversation(conv);
    expect(theirs).toMatchObject({ convId: conv, kind: 'private', title: alice.name, lastSeq: 2, readSeq: 0, muted: false, pinned: false });
    expect(theirs?.lastMessage?.seq).toBe(2);
    const c = await srv.device(carol);
    expect((await c.call('sync', {})).conversations.find((x) => x.convId === conv)).toBeUndefined();
  });

  it('pages history with afterSeq, beforeSeq, neither, and limit', async () => {
    const { conv, a1, b1 } = await pair(srv);
    for (let i = 1; i <= 60; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, k) => a1.call('send', { convId: conv, clientMsgId: `h-${i + k}`, kind: 'text', body: { text: `m${i + k}` } })));
    }
    const seqs = async (opts: { afterSeq?: number; beforeSeq?: number; limit?: number }): Promise<number[]> => (await b1.history(conv, opts)).map((e) => e.seq);
    const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
    expect(await seqs({})).toEqual(range(11, 60)); // the latest 50 by default
    expect(await seqs({ limit: 5 })).toEqual(range(56, 60));
    expect(await seqs({ limit: 100 })).toEqual(range(1, 60));
    expect(await seqs({ afterSeq: 0, limit: 3 })).toEqual([1, 2, 3]);
    expect(await seqs({ afterSeq: 3, limit: 4 })).toEqual([4, 5, 6, 7]);
    expect(await seqs({ afterSeq: 5 })).toEqual(range(6, 55)); // the first 50 after it
    expect(await seqs({ afterSeq: 58, limit: 10 })).toEqual([59, 60]);
    expect(await seqs({ afterSeq: 60 })).toEqual([]);
    expect(await seqs({ beforeSeq: 6, limit: 3 })).toEqual([3, 4, 5]);
    expect(await seqs({ beforeSeq: 3, limit: 10 })).toEqual([1, 2]);
    expect(await seqs({ beforeSeq: 1 })).toEqual([]);
    expect(await seqs({ beforeSeq: 61, limit: 2 })).toEqual([59, 60]);
    const page = await b1.history(conv, { afterSeq: 9, limit: 1 });
    expect(page[0]).toMatchObject({ convId: conv, seq: 10, clientMsgId: 'h-10', body: { text: 'm10' } });
    for (const limit of [0, 101, -1]) expect((await b1.fail('history', { convId: conv, limit })).code).toBe('BAD_REQUEST');
  });

  it('keeps readSeq growing only and tells the peer with a read event', async () => {
    const { alice, bob, conv, a1, b1, b2 } = await pair(srv);
    for (let i = 0; i < 6; i++) await a1.sendText(conv, `r${i}`);
    expect(await b1.call('read', { convId: conv, seq: 3 })).toEqual({});
    expect(await a1.nextEvent('read', (r) => r.convId === conv)).toMatchObject({ convId: conv, userId: bob.userId, seq: 3 });
    expect((await b2.conversation(conv))?.readSeq).toBe(3);
    expect((await a1.conversation(conv))?.peerReadSeq).toBe(3);
    // Going back is ignored.
    await b1.req('read', { convId: conv, seq: 2 });
    expect((await b1.conversation(conv))?.readSeq).toBe(3);
    expect((await a1.conversation(conv))?.peerReadSeq).toBe(3);
    expect(await b2.call('read', { convId: conv, seq: 5 })).toEqual({});
    expect(await a1.nextEvent('read', (r) => r.seq === 5)).toMatchObject({ convId: conv, userId: bob.userId, seq: 5 });
    expect((await b1.conversation(conv))?.readSeq).toBe(5);
    // And the other way round.
    await a1.call('read', { convId: conv, seq: 6 });
    expect(await b1.nextEvent('read', (r) => r.userId === alice.userId)).toMatchObject({ convId: conv, userId: alice.userId, seq: 6 });
  });

  it('recalls an own entry: a recall entry, the original kept with recalled:true and an empty body', async () => {
    const { alice, conv, a1, a2, b1, b2 } = await pair(srv);
    const cmid = randomUUID();
    const orig = await a1.call('send', { convId: conv, clientMsgId: cmid, kind: 'text', body: { text: 'oops, a secret' } });
    const bobs = await b1.sendText(conv, 'from bob');
    const answer = await a1.call('recall', { convId: conv, seq: orig.seq });
    expect(answer).toEqual({ seq: bobs.seq + 1 });
    for (const d of [a2, b1, b2]) {
      const m = await d.nextEvent('msg', (e) => e.seq === answer.seq);
      expect(m).toMatchObject({ convId: conv, seq: answer.seq, from: alice.userId, kind: 'recall', body: { seq: orig.seq } });
    }
    const log = await b2.history(conv);
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log[0]).toMatchObject({ seq: orig.seq, msgId: orig.msgId, from: alice.userId, recalled: true, body: {} });
    expect(log[0]?.body).toEqual({});
    expect(log[1]?.recalled ?? false).toBe(false);
    expect(log[2]).toMatchObject({ kind: 'recall', body: { seq: orig.seq } });
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(JSON.stringify(await a1.call('sync', {}))).not.toContain('secret');
    // A retry of the recalled message's send stores nothing and brings nothing back.
    expect(await a1.call('send', { convId: conv, clientMsgId: cmid, kind: 'text', body: { text: 'oops, a secret' } })).toEqual(orig);
    const after = await b2.history(conv);
    expect(after).toHaveLength(3);
    expect(JSON.stringify(after)).not.toContain('secret');
  });

  it('a recall named with a clientMsgId (extension) is answered like a send, and its retry gets the first answer', async () => {
    const { alice, conv, a1, b1 } = await pair(srv);
    const orig = await a1.sendText(conv, 'take this back');
    const recallId = randomUUID();
    const answer = await a1.call('recall', { convId: conv, seq: orig.seq, clientMsgId: recallId });
    expect(answer).toMatchObject({ seq: orig.seq + 1, msgId: expect.any(String), ts: expect.any(Number) });
    const m = await b1.nextEvent('msg', (e) => e.seq === answer.seq);
    expect(m).toMatchObject({ kind: 'recall', clientMsgId: recallId, from: alice.userId, msgId: answer.msgId, ts: answer.ts });
    // The answer was lost, say: the retry is answered with the first answer, not CONFLICT, and stores nothing.
    expect(await a1.call('recall', { convId: conv, seq: orig.seq, clientMsgId: recallId })).toEqual(answer);
    expect((await b1.history(conv)).map((e) => e.seq)).toEqual([orig.seq, answer.seq]);
    // Without a clientMsgId a second recall is still CONFLICT.
    expect((await a1.fail('recall', { convId: conv, seq: orig.seq })).code).toBe('CONFLICT');
    // A clientMsgId that names another entry is not a recall's retry.
    const otherId = randomUUID();
    const other = await a1.sendText(conv, 'second', otherId);
    expect((await a1.fail('recall', { convId: conv, seq: other.seq, clientMsgId: otherId })).code).toBe('CONFLICT');
    expect((await b1.history(conv)).at(-1)).toMatchObject({ seq: other.seq, body: { text: 'second' } });
  });

  it('refuses to recall the peer’s entry in a private chat (FORBIDDEN)', async () => {
    const { conv, a1, b1 } = await pair(srv);
    const bobs = await b1.sendText(conv, 'mine');
    expect((await a1.fail('recall', { convId: conv, seq: bobs.seq })).code).toBe('FORBIDDEN');
    const [e] = await a1.history(conv);
    expect(e).toMatchObject({ seq: bobs.seq, body: { text: 'mine' } });
    expect(e?.recalled ?? false).toBe(false);
    // Nor an entry that does not exist.
    expect((await a1.req('recall', { convId: conv, seq: 999 })).ok).toBe(false);
  });

  it('relays typing to the peer', async () => {
    const { alice, conv, a1, b1, b2 } = await pair(srv);
    await a1.sendText(conv, 'hi');
    expect(await a1.call('typing', { convId: conv })).toEqual({});
    for (const d of [b1, b2]) expect(await d.nextEvent('typing')).toMatchObject({ convId: conv, userId: alice.userId });
  });

  it('stores conv.update on the server: the user’s other device gets a conv event and sees it in sync', async () => {
    const { conv, a1, a2, b1 } = await pair(srv);
    await b1.sendText(conv, 'hello');
    expect(await a1.call('conv.update', { convId: conv, muted: true })).toEqual({});
    const ev = await a2.nextEvent('conv', (c) => c.convId === conv && c.muted);
    expect(ev).toMatchObject({ convId: conv, kind: 'private', muted: true, pinned: false, lastSeq: 1 });
    expect(await a2.conversation(conv)).toMatchObject({ muted: true, pinned: false });
    // A partial update leaves the other setting alone.
    await a2.call('conv.update', { convId: conv, pinned: true });
    expect(await a1.nextEvent('conv', (c) => c.convId === conv && c.pinned)).toMatchObject({ muted: true, pinned: true });
    expect(await a1.conversation(conv)).toMatchObject({ muted: true, pinned: true });
    // It is the user's setting, not the peer's.
    expect(await b1.conversation(conv)).toMatchObject({ muted: false, pinned: false });
    await a1.call('conv.update', { convId: conv, muted: false });
    // (The conv event announcing the new chat is buffered too, hence the full predicate.)
    await a2.nextEvent('conv', (c) => c.convId === conv && !c.muted && c.pinned);
  });

  it('blocks: the blocked user’s messages are refused with BLOCKED until unblocked', async () => {
    const { alice, conv, a1, b1, b2 } = await pair(srv);
    await a1.sendText(conv, 'before');
    expect(await b1.call('block', { userId: alice.userId })).toEqual({});
    expect(await b2.call('blocks', {})).toMatchObject({ userIds: [alice.userId] });
    expect(await a1.call('blocks', {})).toMatchObject({ userIds: [] });
    expect((await a1.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'blocked?' } })).code).toBe('BLOCKED');
    // Nor does "typing…" reach bob: answered, and dropped (checked after a round trip on each of his devices).
    expect(await a1.call('typing', { convId: conv })).toEqual({});
    for (const d of [b1, b2]) {
      await d.call('blocks', {});
      expect(d.bufferedEvents('typing')).toEqual([]);
    }
    const log = await b1.history(conv);
    expect(log.map((e) => textOf(e))).toEqual(['before']);
    expect(await b2.call('unblock', { userId: alice.userId })).toEqual({});
    expect(await b1.call('blocks', {})).toMatchObject({ userIds: [] });
    const ok = await a1.sendText(conv, 'after');
    expect(ok.seq).toBe(2);
    expect(await b1.nextEvent('msg', (m) => m.seq === 2)).toMatchObject({ body: { text: 'after' } });
  });

  it('answers users.get with names and presence, and pushes presence to users sharing a private chat', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const carol = await srv.user('carol');
    const conv = pconv(alice.userId, bob.userId);
    const a1 = await srv.device(alice);
    const c1 = await srv.device(carol);
    let b1 = await srv.device(bob, 'b1');
    await b1.sendText(conv, 'hi');
    const got = await a1.call('users.get', { userIds: [bob.userId, carol.userId] });
    const byId = new Map(got.users.map((u) => [u.userId, u]));
    expect(byId.get(bob.userId)).toMatchObject({ userId: bob.userId, name: bob.name, online: true });
    // Carol shares no private chat with alice: her name, but not her presence.
    expect(byId.get(carol.userId)).toEqual({ userId: carol.userId, name: carol.name, online: false, lastSeen: 0 });
    for (const u of got.users) expect(typeof u.lastSeen).toBe('number');
    b1.close();
    await b1.closed;
    const off = await a1.nextEvent('presence', (p) => p.userId === bob.userId && !p.online);
    expect(off).toMatchObject({ userId: bob.userId, online: false });
    expect(off.lastSeen).toBeGreaterThan(0);
    const later = (await a1.call('users.get', { userIds: [bob.userId] })).users[0];
    expect(later).toMatchObject({ userId: bob.userId, online: false });
    expect(later?.lastSeen).toBeGreaterThan(0);
    b1 = await srv.device(bob, 'b1');
    expect(await a1.nextEvent('presence', (p) => p.userId === bob.userId && p.online)).toMatchObject({ userId: bob.userId, online: true });
    // Carol shares no private chat with bob: no presence of bob for her (checked after a round trip).
    await c1.call('blocks', {});
    expect(c1.bufferedEvents('presence').filter((p) => p.userId === bob.userId)).toEqual([]);
  });

  it('reports online only while some device of the user is connected', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const a1 = await srv.device(alice);
    const b1 = await srv.device(bob, 'b1');
    await a1.sendText(pconv(alice.userId, bob.userId), 'hi');
    const b2 = await srv.device(bob, 'b2');
    b2.close();
    await b2.closed;
    // b1 is still connected; a round trip on it makes sure the server has handled b2's close.
    await b1.call('blocks', {});
    expect((await a1.call('users.get', { userIds: [bob.userId] })).users[0]).toMatchObject({ online: true });
  });

  it('users.get shows presence only under the presence events’ rule: a private chat, and not blocked by the user', async () => {
    const [alice, bob, carol, dave] = await Promise.all([srv.user('alice'), srv.user('bob'), srv.user('carol'), srv.user('dave')]);
    const [a1, b1, c1, d1] = await Promise.all([srv.device(alice), srv.device(bob), srv.device(carol), srv.device(dave)]);
    // Bob has private chats with alice and carol, and blocks carol; dave is a stranger to him.
    await b1.sendText(pconv(alice.userId, bob.userId), 'hi alice');
    await b1.sendText(pconv(bob.userId, carol.userId), 'hi carol');
    await b1.call('block', { userId: carol.userId });
    const seen = async (viewer: WsClient) => (await viewer.call('users.get', { userIds: [bob.userId] })).users[0];

    expect(await seen(a1)).toMatchObject({ userId: bob.userId, name: bob.name, online: true });
    const hidden = { userId: bob.userId, name: bob.name, online: false, lastSeen: 0 };
    expect(await seen(c1)).toEqual(hidden);
    expect(await seen(d1)).toEqual(hidden);
    // Oneself is always visible.
    expect(await seen(b1)).toMatchObject({ online: true });

    // Bob goes offline: alice gets the event and sees lastSeen; carol (blocked) and dave (stranger) get neither.
    b1.close();
    await b1.closed;
    const off = await a1.nextEvent('presence', (p) => p.userId === bob.userId && !p.online);
    expect(off.lastSeen).toBeGreaterThan(0);
    expect((await seen(a1))?.lastSeen).toBeGreaterThan(0);
    expect(await seen(c1)).toEqual(hidden);
    expect(await seen(d1)).toEqual(hidden);
    expect(c1.bufferedEvents('presence').filter((p) => p.userId === bob.userId)).toEqual([]);
    expect(d1.bufferedEvents('presence').filter((p) => p.userId === bob.userId)).toEqual([]);

    // Unblocked, carol shares presence again (the event of bob's return reaches her; users.get agrees).
    const b2 = await srv.device(bob);
    await b2.call('unblock', { userId: carol.userId });
    b2.close();
    await b2.closed;
    expect(await c1.nextEvent('presence', (p) => p.userId === bob.userId && !p.online)).toMatchObject({ online: false });
    expect((await seen(c1))?.lastSeen).toBeGreaterThan(0);
  });

  it('refuses sends to a conversation the user is not in (FORBIDDEN) and does not leak its history', async () => {
    const { conv, a1 } = await pair(srv);
    await a1.sendText(conv, 'private matter');
    const carol = await srv.user('carol');
    const c = await srv.device(carol);
    expect((await c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'intrude' } })).code).toBe('FORBIDDEN');
    const h = await c.req('history', { convId: conv });
    expect(h.ok).toBe(false);
    if (!h.ok) expect(['FORBIDDEN', 'NOT_FOUND']).toContain(h.error.code);
    expect(JSON.stringify(h)).not.toContain('private matter');
    expect((await a1.history(conv)).map((e) => textOf(e))).toEqual(['private matter']);
  });

  it('refuses a private chat with a user who does not exist', async () => {
    const alice = await srv.user('alice');
    const a = await srv.device(alice);
    const e = await a.fail('send', { convId: pconv(alice.userId, 'nobody-here'), clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } });
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(e.code);
  });

  it('does not let a message share a file its sender may not read', async () => {
    const { alice, bob, conv, a1 } = await pair(srv);
    const carol = await srv.user('carol');
    const foreign = await srv.upload(carol.token, new TextEncoder().encode('carol only'), 'text/plain', 'c.txt');
    // Whether the send is refused or stored without granting access is the server's choice; either way the
    // file stays readable by carol alone (she never sent it anywhere).
    await a1.req('send', { convId: conv, clientMsgId: randomUUID(), kind: 'file', body: { fileId: foreign.fileId, name: 'c.txt', size: 10, mime: 'text/plain' } });
    for (const u of [alice, bob]) {
      const res = await srv.http('GET', `/v1/files/${foreign.fileId}`, { token: u.token });
      expect([403, 404]).toContain(res.status);
      expect(res.text).not.toContain('carol only');
    }
    expect((await srv.http('GET', `/v1/files/${foreign.fileId}`, { token: carol.token })).text).toBe('carol only');
  });
});

describe('recall window', () => {
  const srv = useServer({ recallWindowMs: 300 });

  it('refuses to recall an own entry after the window (FORBIDDEN)', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const conv = pconv(alice.userId, bob.userId);
    const a = await srv.device(alice);
    const ack = await a.sendText(conv, 'too late to take back');
    await clockPast(ack.ts + 300 + 200);
    expect((await a.fail('recall', { convId: conv, seq: ack.seq })).code).toBe('FORBIDDEN');
    const log = await a.history(conv);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ body: { text: 'too late to take back' } });
  });
});

describe('send rate limit', () => {
  const srv = useServer({ sendRate: 1, sendBurst: 3 });

  it('answers sends past the burst with RATE_LIMITED and retryAfterMs, per connection; the retry later succeeds', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const conv = pconv(alice.userId, bob.userId);
    const c1 = await srv.connect();
    const hello = await c1.hello(alice.token, 'a1');
    expect(hello.ok && hello.body.limits.sendPerSecond).toBe(1);
    const ids = Array.from({ length: 8 }, () => randomUUID());
    const answers = await Promise.all(ids.map((clientMsgId, i) => c1.req('send', { convId: conv, clientMsgId, kind: 'text', body: { text: `burst ${i}` } })));
    expect(answers.slice(0, 3).every((a) => a.ok)).toBe(true);
    const limited = answers.flatMap((a, i) => (a.ok ? [] : [{ a, i }]));
    expect(limited.length).toBeGreaterThan(0);
    for (const { a } of limited) {
      if (a.ok) continue;
      expect(a.error.code).toBe('RATE_LIMITED');
      expect(Number.isInteger(a.error.retryAfterMs)).toBe(true);
      expect(a.error.retryAfterMs).toBeGreaterThan(0);
    }
    const okCount = answers.filter((a) => a.ok).length;
    const b = await srv.device(bob);
    expect(await b.history(conv)).toHaveLength(okCount);
    // Other requests are not limited, and another connection has its own budget.
    expect(await c1.call('blocks', {})).toMatchObject({ userIds: [] });
    const c2 = await srv.device(alice, 'a2');
    await c2.sendText(conv, 'from the other device');
    // After the advised wait, the retry (same clientMsgId) is accepted.
    const first = limited[0];
    if (!first || first.a.ok) return;
    await clockPast(Date.now() + (first.a.error.retryAfterMs ?? 0));
    const retry = await c1.call('send', { convId: conv, clientMsgId: ids[first.i], kind: 'text', body: { text: `burst ${first.i}` } });
    expect(retry.seq).toBe(okCount + 2);
  });
});

describe('sensitive words', () => {
  const srv = useServer();

  it('masks listed words in mask mode and refuses them with CONTENT_REJECTED in reject mode', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const conv = pconv(alice.userId, bob.userId);
    const a = await srv.device(alice);
    const b = await srv.device(bob);
    const put = await srv.admin('PUT', '/v1/admin/sensitive-words', { words: ['badword', '坏词'], mode: 'mask' });
    expect(put.status).toBeGreaterThanOrEqual(200);
    expect(put.status).toBeLessThan(300);
    const ack = await a.sendText(conv, 'this badword and 坏词 here');
    const m = await b.nextEvent('msg', (e) => e.seq === ack.seq);
    const text = textOf(m) ?? '';
    expect(text).not.toContain('badword');
    expect(text).not.toContain('坏词');
    expect(text.startsWith('this ')).toBe(true);
    expect(text.endsWith(' here')).toBe(true);
    expect(text).toContain(' and ');
    const [stored] = await b.history(conv);
    expect(textOf(stored as LogEntry)).toBe(text);
    const clean = await a.sendText(conv, 'perfectly fine');
    expect((await b.nextEvent('msg', (e) => e.seq === clean.seq)).body).toEqual({ text: 'perfectly fine' });

    const put2 = await srv.admin('PUT', '/v1/admin/sensitive-words', { words: ['forbidden'], mode: 'reject' });
    expect(put2.status).toBeLessThan(300);
    const e = await a.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'this is forbidden talk' } });
    expect(e.code).toBe('CONTENT_REJECTED');
    const log = await b.history(conv);
    expect(log).toHaveLength(2);
    expect(JSON.stringify(log)).not.toContain('forbidden');
    expect((await a.sendText(conv, 'allowed')).seq).toBe(3);
  });

  it('refuses a sensitive-words update that is not signed', async () => {
    const res = await srv.http('PUT', '/v1/admin/sensitive-words', { json: { words: ['x'], mode: 'reject' } });
    expect(res.status).toBe(401);
  });
});
