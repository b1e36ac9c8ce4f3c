/** docs/protocol.md "Transport" after hello: malformed frames, bad bodies, limits, and isolation of the damage. */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { pconv, useServer, type TestUser, type WsClient } from './harness.js';

const MAX_FRAME = 64 * 1024;

describe('frames and bodies after hello', () => {
  const srv = useServer({ maxFrameBytes: MAX_FRAME });
  let alice: TestUser;
  let bob: TestUser;
  let conv: string;

  beforeAll(async () => {
    alice = await srv.user('alice');
    bob = await srv.user('bob');
    conv = pconv(alice.userId, bob.userId);
  });

  /** A connection of someone else, checked after each abuse: still open, still answering. */
  async function bystanderStillFine(by: WsClient): Promise<void> {
    expect(by.isOpen).toBe(true);
    expect(await by.call('blocks', {})).toMatchObject({ userIds: [] });
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  }

  it('answers a frame that is not JSON with BAD_REQUEST, id 0, and stays open', async () => {
    const by = await srv.device(bob);
    const c = await srv.device(alice);
    c.sendRaw('{"type":"req","id":5,');
    const a = await c.nextAnswer();
    expect(a).toMatchObject({ type: 'res', id: 0, ok: false, error: { code: 'BAD_REQUEST' } });
    if (!a.ok) expect(typeof a.error.message).toBe('string');
    expect(await c.call('sync', {})).toHaveProperty('conversations');
    await bystanderStillFine(by);
  });

  it.each([
    ['an array', '[1,2,3]'],
    ['a string', '"hello"'],
    ['a number', '42'],
    ['null', 'null'],
    ['a request without id', '{"type":"req","op":"sync","body":{}}'],
    ['a request with a string id', '{"type":"req","id":"7","op":"sync","body":{}}'],
    ['a request with a fractional id', '{"type":"req","id":1.5,"op":"sync","body":{}}'],
    ['an unknown frame type', '{"type":"evt","ev":"msg","body":{}}'],
    ['an empty object', '{}'],
  ])('answers %s with BAD_REQUEST and id 0', async (_what, frame) => {
    const c = await srv.device(alice);
    c.sendRaw(frame);
    const a = await c.nextAnswer();
    expect(a).toMatchObject({ id: 0, ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await c.call('blocks', {})).toMatchObject({ userIds: [] });
  });

  it('answers a wrong-shape frame whose id is known with that id', async () => {
    // `op` must be a string and `body` an object; the integer id is usable, so a client can match the answer.
    const c = await srv.device(alice);
    c.sendRaw(JSON.stringify({ type: 'req', id: 900001, op: 17, body: {} }));
    c.sendRaw(JSON.stringify({ type: 'req', id: 900002, op: 'sync', body: [1] }));
    const a1 = await c.nextAnswer((x) => x.id === 900001 || x.id === 0);
    const a2 = await c.nextAnswer((x) => x.id === 900002 || x.id === 0);
    for (const [a, id] of [
      [a1, 900001],
      [a2, 900002],
    ] as const) {
      expect(a).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      expect(a.id).toBe(id);
    }
    expect(c.isOpen).toBe(true);
  });

  it('answers an unknown op with BAD_REQUEST and the request id', async () => {
    const c = await srv.device(alice);
    const a = await c.req('no.such.op', {});
    expect(a).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(a.id).toBeGreaterThan(0);
    // Also the ops of the answer/event namespace and prototype names are not ops.
    for (const op of ['constructor', '__proto__', 'toString', 'msg', 'res', 'HELLO', 'Send']) {
      expect((await c.fail(op, {})).code).toBe('BAD_REQUEST');
    }
  });

  it.each([
    ['history limit as a string', 'history', () => ({ convId: conv, limit: '10' })],
    ['history limit 0', 'history', () => ({ convId: conv, limit: 0 })],
    ['history limit 101', 'history', () => ({ convId: conv, limit: 101 })],
    ['history limit fractional', 'history', () => ({ convId: conv, limit: 2.5 })],
    ['read seq as a string', 'read', () => ({ convId: conv, seq: '3' })],
    ['read seq negative', 'read', () => ({ convId: conv, seq: -1 })],
    ['read without convId', 'read', () => ({ seq: 1 })],
    ['send body as a string', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'text', body: 'hi' })],
    ['send without clientMsgId', 'send', () => ({ convId: conv, kind: 'text', body: { text: 'hi' } })],
    ['send text as a number', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 42 } })],
    ['send of an unknown kind', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'sticker', body: { id: 1 } })],
    ['send with replyTo 0', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' }, replyTo: 0 })],
    ['send with mentions not an array', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' }, mentions: 'bob' })],
    ['location lat 91', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'location', body: { lat: 91, lng: 0, label: 'x' } })],
    ['location lng as a string', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'location', body: { lat: 1, lng: '2', label: 'x' } })],
    ['custom data over 8 KiB', 'send', () => ({ convId: conv, clientMsgId: randomUUID(), kind: 'custom', body: { type: 'card', data: 'x'.repeat(8300) } })],
    ['users.get userIds not an array', 'users.get', () => ({ userIds: 'bob' })],
    ['users.get with 101 ids', 'users.get', () => ({ userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) })],
    ['conv.update muted as a string', 'conv.update', () => ({ convId: conv, muted: 'yes' })],
    ['typing without convId', 'typing', () => ({})],
  ])('answers %s with BAD_REQUEST', async (_what, op, body) => {
    const c = await srv.device(alice);
    const e = await c.fail(op, body());
    expect(e.code).toBe('BAD_REQUEST');
    expect(c.isOpen).toBe(true);
  });

  it.each([
    ['block of an id with a space', 'block', () => ({ userId: 'bad id' })],
    ['block of an id with a slash', 'block', () => ({ userId: '../bob' })],
    ['block of an empty id', 'block', () => ({ userId: '' })],
    ['block of a 65-character id', 'block', () => ({ userId: 'a'.repeat(65) })],
    ['users.get of a non-ASCII id', 'users.get', () => ({ userIds: ['bób'] })],
    ['send to a conversation id with a bad member', 'send', () => ({ convId: 'p:a b|c', clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })],
    ['send to an unknown conversation prefix', 'send', () => ({ convId: 'x:foo', clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })],
    ['send with a 65-character clientMsgId', 'send', () => ({ convId: conv, clientMsgId: 'c'.repeat(65), kind: 'text', body: { text: 'x' } })],
    ['send with an empty clientMsgId', 'send', () => ({ convId: conv, clientMsgId: '', kind: 'text', body: { text: 'x' } })],
    ['history of a group id with a slash', 'history', () => ({ convId: 'g:../../etc' })],
  ])('answers %s with BAD_REQUEST', async (_what, op, body) => {
    const c = await srv.device(alice);
    expect((await c.fail(op, body())).code).toBe('BAD_REQUEST');
  });

  it('refuses a private conversation id that is not canonical', async () => {
    const c = await srv.device(alice);
    const [lo, hi] = [alice.userId, bob.userId].sort() as [string, string];
    const reversed = `p:${hi}|${lo}`;
    expect((await c.fail('send', { convId: reversed, clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).code).toBe('BAD_REQUEST');
    expect((await c.fail('send', { convId: `p:${alice.userId}|${alice.userId}`, clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('counts text in code points: 8000 emoji pass, 8001 characters do not', async () => {
    const c = await srv.device(alice);
    const emoji = '😀'.repeat(8000);
    const ack = await c.sendText(conv, emoji);
    const [stored] = await c.history(conv, { afterSeq: ack.seq - 1, limit: 1 });
    expect(stored?.body).toEqual({ text: emoji });
    expect((await c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'a'.repeat(8001) } })).code).toBe('BAD_REQUEST');
    expect((await c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: '😀'.repeat(8001) } })).code).toBe('BAD_REQUEST');
    expect((await c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'edit', body: { seq: ack.seq, text: 'é'.repeat(8001) } })).code).toBe(
      'BAD_REQUEST',
    );
    // Nothing of the refused sends was stored.
    expect((await c.history(conv, { afterSeq: ack.seq })).length).toBe(0);
  });

  it('does not let system or recall entries be sent by clients', async () => {
    const c = await srv.device(alice);
    const before = (await c.history(conv, { limit: 1 }))[0]?.seq ?? 0;
    for (const [kind, body] of [
      ['system', { event: 'group.created', actor: alice.userId }],
      ['recall', { seq: 1 }],
    ] as const) {
      const e = await c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind, body });
      // Which refusal is not spelled out; either is a client error that must not be retried.
      expect(['BAD_REQUEST', 'FORBIDDEN']).toContain(e.code);
    }
    expect((await c.history(conv, { limit: 1 }))[0]?.seq ?? 0).toBe(before);
  });

  it('closes after more than 20 malformed frames (1008), not counting well-formed bad requests', async () => {
    const by = await srv.device(bob);
    const c = await srv.device(alice);
    for (let i = 0; i < 20; i++) {
      c.sendRaw(i % 2 ? 'garbage' : '[]');
      const a = await c.nextAnswer();
      expect(a).toMatchObject({ id: 0, ok: false, error: { code: 'BAD_REQUEST' } });
    }
    // Requests with bad bodies are answered and do not count.
    for (let i = 0; i < 25; i++) {
      expect((await c.fail(i % 2 ? 'no.such.op' : 'history', { convId: conv, limit: 1000 })).code).toBe('BAD_REQUEST');
    }
    expect(await c.call('blocks', {})).toMatchObject({ userIds: [] });
    c.sendRaw('one too many');
    expect((await c.closed).code).toBe(1008);
    await bystanderStillFine(by);
  });

  it('closes a connection that sends a frame over the limit (1009); a frame under it is fine', async () => {
    const by = await srv.device(bob);
    const c = await srv.device(alice);
    const hello = await (await srv.connect()).hello(alice.token, 'limits-probe');
    expect(hello.ok && hello.body.limits.maxFrameBytes).toBe(MAX_FRAME);
    // Just under the limit: a well-formed request with a bad body, answered.
    const filler = 'x'.repeat(MAX_FRAME - 200);
    const under = await c.req('send', { convId: conv, clientMsgId: randomUUID(), kind: 'custom', body: { type: 'blob', data: filler } });
    expect(under).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } }); // custom data over 8 KiB
    expect(c.isOpen).toBe(true);
    c.sendRaw(JSON.stringify({ type: 'req', id: 77, op: 'sync', body: { pad: 'y'.repeat(MAX_FRAME + 10) } }));
    expect((await c.closed).code).toBe(1009);
    await bystanderStillFine(by);
  });

  it('closes an oversized frame before hello too (1009)', async () => {
    const c = await srv.connect();
    c.sendRaw('z'.repeat(MAX_FRAME * 2));
    expect((await c.closed).code).toBe(1009);
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  });

  it('survives a binary frame', async () => {
    const c = await srv.device(alice);
    c.sendRaw(Buffer.from([0, 1, 2, 255, 254]));
    // Not valid JSON: an error answer, or a close; either way the server keeps serving others.
    const outcome = await Promise.race([c.nextAnswer().then((a) => a.ok), c.closed.then(() => 'closed' as const)]);
    expect(outcome === false || outcome === 'closed').toBe(true);
    const d = await srv.device(alice);
    expect(await d.call('blocks', {})).toMatchObject({ userIds: [] });
  });
});

describe('keep-alive', () => {
  const srv = useServer({ pingIntervalMs: 100, pongTimeoutMs: 400 });

  it('pings, and keeps a connection that answers pongs', async () => {
    const u = await srv.user('alive');
    const c = await srv.device(u);
    await c.waitFor(() => (c.pings >= 8 ? true : undefined), 'eight pings');
    expect(c.isOpen).toBe(true);
    expect(await c.call('blocks', {})).toMatchObject({ userIds: [] });
  });

  it('closes a connection that stops answering pings', async () => {
    const u = await srv.user('silent');
    const c = await srv.connect({ autoPong: false });
    expect((await c.hello(u.token, 'd')).ok).toBe(true);
    const info = await c.closed;
    expect(info.code).not.toBe(1000);
  });
});
