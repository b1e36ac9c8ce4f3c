/** docs/protocol.md part 2, "Contacts": requests and their answers, the contact log, PARLEY_MESSAGING, the limits. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_CONTACT_TAGS, MAX_REMARK, NOT_CONTACTS_REASON, type ContactEntry, type OpResult } from '../../protocol/index.js';
import { pconv, useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

/** A prefix of ids no other test uses (tests share the server). */
function tag(): string {
  return `c${randomUUID().slice(0, 6)}`;
}

async function signedIn(srv: TestServer, userId: string, name = `Name of ${userId}`): Promise<{ user: TestUser; c: WsClient; id: string }> {
  const user = await srv.register(userId, name);
  return { user, c: await srv.device(user), id: user.userId };
}

/** The next `contact` event about `other` with `event`. */
function entry(c: WsClient, other: string, event: string): Promise<ContactEntry> {
  return c.nextEvent('contact', (e) => e.userId === other && e.event === event);
}

/** The whole log, page by page. */
async function wholeLog(c: WsClient, limit = 500): Promise<ContactEntry[]> {
  const entries: ContactEntry[] = [];
  let after = 0;
  for (;;) {
    const page = await c.call('contacts.sync', { afterSeq: after, limit });
    entries.push(...page.entries);
    if (!page.more) return entries;
    after = page.entries.at(-1)!.seq;
  }
}

/** The state a client builds by applying the log's entries in order (each replaces the state for its user). */
function replay(entries: readonly ContactEntry[]): Pick<OpResult<'contacts.list'>, 'contacts' | 'requests'> {
  const state = new Map<string, ContactEntry>();
  for (const e of entries) state.set(e.userId, e);
  const values = [...state.values()];
  return {
    contacts: values.flatMap((e) => (e.contact ? [e.contact] : [])).sort((x, y) => x.userId.localeCompare(y.userId)),
    requests: values.flatMap((e) => (e.request ? [e.request] : [])),
  };
}

function sortedRequests(list: Pick<OpResult<'contacts.list'>, 'requests'>) {
  return [...list.requests].sort((x, y) => x.userId.localeCompare(y.userId));
}

describe('contacts: requests and their answers', () => {
  const srv = useServer({ sendRate: 0 });

  it('a request is pending in both logs; accepting makes both contacts; asking again changes nothing', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    expect(await a.c.call('contacts.request', { userId: b.id, message: 'hello, it is A' })).toEqual({ status: 'pending' });
    const sent = await entry(a.c, b.id, 'request.sent');
    expect(sent).toMatchObject({ seq: 1, userId: b.id, contact: null, request: { userId: b.id, direction: 'out', message: 'hello, it is A' } });
    const received = await entry(b.c, a.id, 'request.received');
    expect(received).toMatchObject({ seq: 1, userId: a.id, contact: null, request: { userId: a.id, direction: 'in', message: 'hello, it is A' } });

    expect(await a.c.call('contacts.list')).toMatchObject({ contacts: [], requests: [{ userId: b.id, direction: 'out' }], lastSeq: 1 });
    expect(await b.c.call('contacts.list')).toMatchObject({ contacts: [], requests: [{ userId: a.id, direction: 'in' }], lastSeq: 1 });

    expect(await b.c.call('contacts.accept', { userId: a.id })).toEqual({});
    const addedA = await entry(a.c, b.id, 'added');
    const addedB = await entry(b.c, a.id, 'added');
    expect(addedA).toMatchObject({ seq: 2, request: null, contact: { userId: b.id, remark: '', tags: [] } });
    expect(addedB).toMatchObject({ seq: 2, request: null, contact: { userId: a.id, remark: '', tags: [] } });
    const listA = await a.c.call('contacts.list');
    expect(listA).toEqual({ contacts: [{ userId: b.id, remark: '', tags: [], since: addedA.contact!.since }], requests: [], lastSeq: 2 });

    // Already contacts: answered at once, nothing written.
    expect(await a.c.call('contacts.request', { userId: b.id })).toEqual({ status: 'contacts' });
    expect((await a.c.call('contacts.list')).lastSeq).toBe(2);
    expect((await b.c.call('contacts.list')).lastSeq).toBe(2);
    // Accepting a request that is no longer there.
    expect((await b.c.fail('contacts.accept', { userId: a.id })).code).toBe('NOT_FOUND');
  });

  it('two users asking each other become contacts at once', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    expect(await a.c.call('contacts.request', { userId: b.id })).toEqual({ status: 'pending' });
    expect(await b.c.call('contacts.request', { userId: a.id, message: 'you too' })).toEqual({ status: 'contacts' });
    await entry(a.c, b.id, 'added');
    await entry(b.c, a.id, 'added');
    expect((await a.c.call('contacts.list')).contacts.map((x) => x.userId)).toEqual([b.id]);
    expect(await b.c.call('contacts.list')).toMatchObject({ contacts: [{ userId: a.id }], requests: [] });
  });

  it('a repeated request replaces its message and is delivered again', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    await a.c.call('contacts.request', { userId: b.id, message: 'first' });
    await entry(b.c, a.id, 'request.received');
    await a.c.call('contacts.request', { userId: b.id, message: 'second' });
    expect((await entry(b.c, a.id, 'request.received')).request).toMatchObject({ message: 'second' });
    expect((await b.c.call('contacts.list')).requests).toMatchObject([{ userId: a.id, direction: 'in', message: 'second' }]);
  });

  it('declining removes the request for both', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    await a.c.call('contacts.request', { userId: b.id });
    expect(await b.c.call('contacts.decline', { userId: a.id })).toEqual({});
    expect(await entry(a.c, b.id, 'request.declined')).toMatchObject({ contact: null, request: null });
    expect(await entry(b.c, a.id, 'request.declined')).toMatchObject({ contact: null, request: null });
    expect((await a.c.call('contacts.list')).requests).toEqual([]);
    expect((await b.c.call('contacts.list')).requests).toEqual([]);
    expect((await b.c.fail('contacts.decline', { userId: a.id })).code).toBe('NOT_FOUND');
    // The requester may not answer their own request.
    await a.c.call('contacts.request', { userId: b.id });
    expect((await a.c.fail('contacts.accept', { userId: b.id })).code).toBe('NOT_FOUND');
    expect((await a.c.fail('contacts.decline', { userId: b.id })).code).toBe('NOT_FOUND');
    expect((await a.c.fail('contacts.ignore', { userId: b.id })).code).toBe('NOT_FOUND');
  });

  it('an ignored request stays pending for its sender, and asking again does not bother the target until they act', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    const c = await signedIn(srv, `${t}-c`);
    await a.c.call('contacts.request', { userId: b.id, message: 'please' });
    await entry(a.c, b.id, 'request.sent');
    await entry(b.c, a.id, 'request.received');
    expect(await b.c.call('contacts.ignore', { userId: a.id })).toEqual({});
    expect(await entry(b.c, a.id, 'request.ignored')).toMatchObject({ seq: 2, request: null, contact: null });
    expect((await b.c.call('contacts.list')).requests).toEqual([]);
    expect((await a.c.call('contacts.list')).requests).toMatchObject([{ userId: b.id, direction: 'out', message: 'please' }]);
    // Ignoring cannot be answered or ignored again.
    expect((await b.c.fail('contacts.accept', { userId: a.id })).code).toBe('NOT_FOUND');

    expect(await a.c.call('contacts.request', { userId: b.id, message: 'please!!' })).toEqual({ status: 'pending' });
    expect(await entry(a.c, b.id, 'request.sent')).toMatchObject({ seq: 2, request: { direction: 'out', message: 'please!!' } });
    // A later request from someone else reaches B, and nothing from A came before it.
    await c.c.call('contacts.request', { userId: b.id });
    expect(await entry(b.c, c.id, 'request.received')).toMatchObject({ seq: 3 });
    expect(b.c.bufferedEvents('contact').filter((e) => e.userId === a.id)).toEqual([]);
    expect((await b.c.call('contacts.list')).requests.map((r) => r.userId)).toEqual([c.id]);

    // B acts: asking A accepts A's request.
    expect(await b.c.call('contacts.request', { userId: a.id })).toEqual({ status: 'contacts' });
    await entry(a.c, b.id, 'added');
    await entry(b.c, a.id, 'added');
  });

  it('withdrawing an ignored request and asking again does not reach the target either, until the target asks', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    const c = await signedIn(srv, `${t}-c`);
    await a.c.call('contacts.request', { userId: b.id });
    await b.c.call('contacts.ignore', { userId: a.id });
    await a.c.call('contacts.cancel', { userId: b.id });
    expect(await a.c.call('contacts.request', { userId: b.id, message: 'fresh start' })).toEqual({ status: 'pending' });
    expect(await a.c.nextEvent('contact', (e) => e.seq === 3)).toMatchObject({ event: 'request.sent', request: { direction: 'out', message: 'fresh start' } });
    await c.c.call('contacts.request', { userId: b.id });
    await entry(b.c, c.id, 'request.received');
    expect((await b.c.call('contacts.sync', { afterSeq: 0 })).entries.map((e) => [e.userId, e.event])).toEqual([
      [a.id, 'request.received'],
      [a.id, 'request.ignored'],
      [c.id, 'request.received'],
    ]);
    // A cancels again; B, acting, asks A: a plain request now, and A's later requests reach B again.
    await a.c.call('contacts.cancel', { userId: b.id });
    expect(await b.c.call('contacts.request', { userId: a.id })).toEqual({ status: 'pending' });
    expect(await entry(a.c, b.id, 'request.received')).toMatchObject({ request: { direction: 'in' } });
    await b.c.call('contacts.cancel', { userId: a.id });
    await a.c.call('contacts.request', { userId: b.id, message: 'hello again' });
    expect(await b.c.nextEvent('contact', (e) => e.request?.message === 'hello again')).toMatchObject({ userId: a.id, event: 'request.received' });
  });

  it('cancelling withdraws the request from both; a request the target ignored is withdrawn from the sender only', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    const c = await signedIn(srv, `${t}-c`);
    expect((await a.c.fail('contacts.cancel', { userId: b.id })).code).toBe('NOT_FOUND');
    await a.c.call('contacts.request', { userId: b.id });
    expect(await a.c.call('contacts.cancel', { userId: b.id })).toEqual({});
    expect(await entry(a.c, b.id, 'request.cancelled')).toMatchObject({ seq: 2, request: null });
    expect(await entry(b.c, a.id, 'request.cancelled')).toMatchObject({ seq: 2, request: null });
    expect((await b.c.call('contacts.list')).requests).toEqual([]);

    await a.c.call('contacts.request', { userId: c.id });
    await c.c.call('contacts.ignore', { userId: a.id });
    await a.c.call('contacts.cancel', { userId: c.id });
    expect(await entry(a.c, c.id, 'request.cancelled')).toMatchObject({ seq: 4, request: null });
    expect((await c.c.call('contacts.sync', { afterSeq: 0 })).entries.map((e) => e.event)).toEqual(['request.received', 'request.ignored']);
    expect((await a.c.call('contacts.list')).requests).toEqual([]);
  });

  it('removing ends the contact for both', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    expect((await a.c.fail('contacts.remove', { userId: b.id })).code).toBe('NOT_FOUND');
    await a.c.call('contacts.request', { userId: b.id });
    await b.c.call('contacts.accept', { userId: a.id });
    expect(await b.c.call('contacts.remove', { userId: a.id })).toEqual({});
    expect(await entry(a.c, b.id, 'removed')).toMatchObject({ contact: null, request: null });
    expect(await entry(b.c, a.id, 'removed')).toMatchObject({ contact: null, request: null });
    expect((await a.c.call('contacts.list')).contacts).toEqual([]);
    expect((await b.c.call('contacts.list')).contacts).toEqual([]);
    expect((await a.c.fail('contacts.remove', { userId: b.id })).code).toBe('NOT_FOUND');
    // A new request starts over.
    expect(await a.c.call('contacts.request', { userId: b.id })).toEqual({ status: 'pending' });
  });

  it('refuses oneself, unknown users, and blocks either way', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    const c = await signedIn(srv, `${t}-c`);
    expect((await a.c.fail('contacts.request', { userId: a.id })).code).toBe('BAD_REQUEST');
    expect((await a.c.fail('contacts.request', { userId: `${t}-nobody` })).code).toBe('NOT_FOUND');
    expect((await a.c.fail('contacts.accept', { userId: `${t}-nobody` })).code).toBe('NOT_FOUND');
    await b.c.call('block', { userId: a.id });
    expect((await a.c.fail('contacts.request', { userId: b.id })).code).toBe('BLOCKED');
    expect((await b.c.fail('contacts.request', { userId: a.id })).code).toBe('BLOCKED');
    await b.c.call('unblock', { userId: a.id });
    expect(await a.c.call('contacts.request', { userId: b.id })).toEqual({ status: 'pending' });
    // A block made after the request: accepting it is refused too.
    await c.c.call('contacts.request', { userId: a.id });
    await a.c.call('block', { userId: c.id });
    expect((await a.c.fail('contacts.accept', { userId: c.id })).code).toBe('BLOCKED');
    expect((await a.c.call('contacts.list')).lastSeq).toBe(2);
  });
});

describe('contacts: remark and tags', () => {
  const srv = useServer({ sendRate: 0 });

  it('are the user’s own: written to their log only, de-duplicated, validated', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    expect((await a.c.fail('contacts.update', { userId: b.id, remark: 'Bee' })).code).toBe('NOT_FOUND');
    await a.c.call('contacts.request', { userId: b.id });
    await b.c.call('contacts.accept', { userId: a.id });
    await entry(b.c, a.id, 'added');
    const bSeq = (await b.c.call('contacts.list')).lastSeq;

    expect(await a.c.call('contacts.update', { userId: b.id, remark: 'Bee', tags: ['work', 'gym', 'work'] })).toEqual({});
    expect(await entry(a.c, b.id, 'updated')).toMatchObject({ contact: { userId: b.id, remark: 'Bee', tags: ['work', 'gym'] }, request: null });
    expect(await a.c.call('contacts.update', { userId: b.id, tags: [] })).toEqual({});
    expect((await entry(a.c, b.id, 'updated')).contact).toMatchObject({ remark: 'Bee', tags: [] });
    expect((await a.c.call('contacts.list')).contacts).toMatchObject([{ userId: b.id, remark: 'Bee', tags: [] }]);
    // B's view of A is untouched, and B's log got nothing.
    expect(await b.c.call('contacts.list')).toMatchObject({ contacts: [{ userId: a.id, remark: '', tags: [] }], lastSeq: bSeq });

    expect((await a.c.fail('contacts.update', { userId: b.id })).code).toBe('BAD_REQUEST');
    expect((await a.c.fail('contacts.update', { userId: b.id, remark: 'x'.repeat(MAX_REMARK + 1) })).code).toBe('BAD_REQUEST');
    const tooMany = Array.from({ length: MAX_CONTACT_TAGS + 1 }, (_, i) => `t${i}`);
    expect((await a.c.fail('contacts.update', { userId: b.id, tags: tooMany })).code).toBe('BAD_REQUEST');
    expect((await a.c.fail('contacts.update', { userId: b.id, tags: [''] })).code).toBe('BAD_REQUEST');
    expect((await a.c.fail('contacts.update', { userId: a.id, remark: 'me' })).code).toBe('BAD_REQUEST');
    expect((await a.c.call('contacts.list')).contacts).toMatchObject([{ remark: 'Bee', tags: [] }]);
  });
});

describe('contacts: the log', () => {
  const srv = useServer({ sendRate: 0 });

  it('every device of a user gets each entry, the acting one included', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const a2 = await srv.device(a.user);
    const b = await signedIn(srv, `${t}-b`);
    const b2 = await srv.device(b.user);
    await a.c.call('contacts.request', { userId: b.id });
    for (const c of [a.c, a2]) expect(await entry(c, b.id, 'request.sent')).toMatchObject({ seq: 1 });
    for (const c of [b.c, b2]) expect(await entry(c, a.id, 'request.received')).toMatchObject({ seq: 1 });
    await b2.call('contacts.accept', { userId: a.id });
    for (const c of [a.c, a2]) expect(await entry(c, b.id, 'added')).toMatchObject({ seq: 2 });
    for (const c of [b.c, b2]) expect(await entry(c, a.id, 'added')).toMatchObject({ seq: 2 });
  });

  it('seqs are gap-free across a mix of changes; sync pages it; list agrees; a new device rebuilds the same state', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`);
    const others = await Promise.all([1, 2, 3, 4, 5].map((i) => signedIn(srv, `${t}-o${i}`)));
    const [o1, o2, o3, o4, o5] = others as [(typeof others)[0], (typeof others)[0], (typeof others)[0], (typeof others)[0], (typeof others)[0]];
    // Concurrent changes touching `me` from several sides at once.
    await Promise.all([
      me.c.call('contacts.request', { userId: o1.id, message: 'one' }),
      o2.c.call('contacts.request', { userId: me.id, message: 'two' }),
      o3.c.call('contacts.request', { userId: me.id }),
      me.c.call('contacts.request', { userId: o4.id }),
      o5.c.call('contacts.request', { userId: me.id }),
    ]);
    await Promise.all([
      o1.c.call('contacts.accept', { userId: me.id }),
      me.c.call('contacts.accept', { userId: o2.id }),
      me.c.call('contacts.ignore', { userId: o3.id }),
      me.c.call('contacts.cancel', { userId: o4.id }),
    ]);
    await me.c.call('contacts.update', { userId: o1.id, remark: 'First', tags: ['a'] });
    await me.c.call('contacts.remove', { userId: o2.id });
    await me.c.call('contacts.request', { userId: o4.id, message: 'again' });

    const log = await wholeLog(me.c);
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log).toHaveLength(12);
    // What the device received live is the log itself, in some order.
    const live = await me.c.waitFor(() => {
      const got = me.c.bufferedEvents('contact');
      return got.length >= log.length ? got : undefined;
    }, 'every contact entry');
    expect([...live].sort((x, y) => x.seq - y.seq)).toEqual(log);

    // Paged in twos: the same entries, `more` until the last page.
    const pages: Array<OpResult<'contacts.sync'>> = [];
    let after = 0;
    do {
      pages.push(await me.c.call('contacts.sync', { afterSeq: after, limit: 5 }));
      after = pages.at(-1)!.entries.at(-1)?.seq ?? after;
    } while (pages.at(-1)!.more);
    expect(pages.map((p) => p.entries.length)).toEqual([5, 5, 2]);
    expect(pages.flatMap((p) => p.entries)).toEqual(log);
    expect(pages.every((p) => p.lastSeq === 12)).toBe(true);
    expect(await me.c.call('contacts.sync', { afterSeq: 12 })).toEqual({ entries: [], lastSeq: 12, more: false });

    const list = await me.c.call('contacts.list');
    expect(list.lastSeq).toBe(12);
    expect(list.contacts).toMatchObject([{ userId: o1.id, remark: 'First', tags: ['a'] }]);
    expect(sortedRequests(list).map((r) => [r.userId, r.direction])).toEqual([
      [o4.id, 'out'],
      [o5.id, 'in'],
    ]);

    // A device signing in later rebuilds the same state from the log alone.
    const later = await srv.device(me.user);
    const rebuilt = replay(await wholeLog(later, 3));
    expect(rebuilt.contacts).toEqual(list.contacts);
    expect(sortedRequests(rebuilt)).toEqual(sortedRequests(list));
  });
});

describe('contacts on a server with PARLEY_MESSAGING=contacts', () => {
  const srv = useServer({ messaging: 'contacts', sendRate: 0 });

  it('hello says so; only contacts may message each other privately; removing closes it again', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    const hello = await (await srv.connect()).hello(a.user.token, `dev-${t}`);
    expect(hello).toMatchObject({ ok: true, body: { messaging: 'contacts' } });
    const conv = pconv(a.id, b.id);
    const refused = await a.c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'hi' } });
    expect(refused).toMatchObject({ code: 'FORBIDDEN', reason: NOT_CONTACTS_REASON });

    await a.c.call('contacts.request', { userId: b.id });
    await b.c.call('contacts.accept', { userId: a.id });
    const ack = await a.c.sendText(conv, 'now we may');
    expect((await b.c.nextEvent('msg', (e) => e.convId === conv)).seq).toBe(ack.seq);
    const back = await b.c.sendText(conv, 'and back');
    const typo = await b.c.sendText(conv, 'typo');

    await a.c.call('contacts.remove', { userId: b.id });
    expect(await b.c.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'still?' } })).toMatchObject({
      code: 'FORBIDDEN',
      reason: NOT_CONTACTS_REASON,
    });
    // An edit is new content too; a recall only takes back.
    const edit = { convId: conv, clientMsgId: randomUUID(), kind: 'edit', body: { seq: back.seq, text: 'edited' } };
    expect(await b.c.fail('send', edit)).toMatchObject({ code: 'FORBIDDEN', reason: NOT_CONTACTS_REASON });
    expect(await b.c.call('recall', { convId: conv, seq: typo.seq })).toMatchObject({ seq: typo.seq + 1 });
  });

  it('groups and the admin API are not gated; a block wins over being contacts', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    const { groupId } = await a.c.call('group.create', { name: 'G', members: [b.id], joinPolicy: 'invite' });
    await b.c.sendText(`g:${groupId}`, 'in a group anyone speaks');
    const admin = await srv.admin('POST', '/v1/admin/messages', { from: a.id, convId: pconv(a.id, b.id), kind: 'text', body: { text: 'from the app' } });
    expect(admin.status).toBe(200);
    await b.c.nextEvent('msg', (e) => e.convId === pconv(a.id, b.id));

    await a.c.call('contacts.request', { userId: b.id });
    await b.c.call('contacts.accept', { userId: a.id });
    await a.c.call('block', { userId: b.id });
    expect((await b.c.fail('send', { convId: pconv(a.id, b.id), clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).code).toBe('BLOCKED');
  });
});

describe('contacts on a default server', () => {
  const srv = useServer({ sendRate: 0 });

  it('hello says anyone may message anyone, and they may', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    expect(await (await srv.connect()).hello(a.user.token, `dev-${t}`)).toMatchObject({ ok: true, body: { messaging: 'anyone' } });
    await a.c.sendText(pconv(a.id, b.id), 'no contact needed');
  });
});

describe('contacts: limits', () => {
  // The op group `change` unlimited, so that only the contact-request budget can refuse.
  const srv = useServer({ sendRate: 0, changeRate: 0, contactMaxPending: 2 });

  it('a user sending 10,000 requests is refused RATE_LIMITED long before, with retryAfterMs', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    let sent = 0;
    let refusal: Awaited<ReturnType<WsClient['fail']>> | undefined;
    while (sent < 10_000 && !refusal) {
      const answer = await a.c.req('contacts.request', { userId: b.id, message: `#${sent}` });
      if (answer.ok) sent++;
      else refusal = answer.error;
    }
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refusal!.retryAfterMs).toBeGreaterThan(0);
    // The default burst is 50 requests.
    expect(sent).toBe(50);
    // Other users are not affected.
    const c = await signedIn(srv, `${t}-c`);
    expect(await c.c.call('contacts.request', { userId: b.id })).toEqual({ status: 'pending' });
  });

  it('a user with too many pending requests refuses more until they answer some', async () => {
    const t = tag();
    const target = await signedIn(srv, `${t}-target`);
    const askers = await Promise.all([1, 2, 3].map((i) => signedIn(srv, `${t}-asker${i}`)));
    await askers[0]!.c.call('contacts.request', { userId: target.id });
    await askers[1]!.c.call('contacts.request', { userId: target.id });
    expect((await askers[2]!.c.fail('contacts.request', { userId: target.id })).code).toBe('FORBIDDEN');
    // A pending asker may still renew theirs.
    expect(await askers[1]!.c.call('contacts.request', { userId: target.id, message: 'again' })).toEqual({ status: 'pending' });
    await target.c.call('contacts.ignore', { userId: askers[0]!.id });
    expect(await askers[2]!.c.call('contacts.request', { userId: target.id })).toEqual({ status: 'pending' });
    expect((await target.c.call('contacts.list')).requests).toHaveLength(2);
  });
});

describe('contacts with PARLEY_CONTACT_REQUEST_RATE=0', () => {
  const srv = useServer({ sendRate: 0, changeRate: 0, contactRequestRate: 0 });

  it('has no request budget (for load tests)', async () => {
    const t = tag();
    const a = await signedIn(srv, `${t}-a`);
    const b = await signedIn(srv, `${t}-b`);
    for (let i = 0; i < 120; i++) expect(await a.c.call('contacts.request', { userId: b.id, message: `#${i}` })).toEqual({ status: 'pending' });
  });
});

describe('directory with PARLEY_DIRECTORY=contacts-of-contacts and contacts', () => {
  const srv = useServer({ directory: 'contacts-of-contacts', sendRate: 0 });

  it('finds by name the searcher’s contacts and their contacts, not further', async () => {
    const t = tag();
    const me = await signedIn(srv, `${t}-me`, 'Me');
    const friend = await signedIn(srv, `${t}-friend`, `Found ${t}`);
    const fof = await signedIn(srv, `${t}-fof`, `Found ${t}`);
    const far = await signedIn(srv, `${t}-far`, `Found ${t}`);
    await signedIn(srv, `${t}-stranger`, `Found ${t}`);
    const befriend = async (x: typeof me, y: typeof me) => {
      await x.c.call('contacts.request', { userId: y.id });
      await y.c.call('contacts.accept', { userId: x.id });
    };
    await befriend(me, friend);
    await befriend(friend, fof);
    await befriend(fof, far);
    expect((await me.c.call('users.search', { query: `found ${t}` })).users.map((u) => u.userId)).toEqual([`${t}-fof`, `${t}-friend`]);
    await me.c.call('contacts.remove', { userId: friend.id });
    expect((await me.c.call('users.search', { query: `found ${t}` })).users).toEqual([]);
  });
});
