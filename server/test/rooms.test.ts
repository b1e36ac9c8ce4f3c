/**
 * docs/protocol.md "Groups and chatrooms", the chatroom half: admin create/delete, room.list/join/leave, the latest
 * 50 entries on join, online-only delivery, one room at a time, membership ending with the connection, idle
 * destruction, auto-creation and the overload refusal.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpErrorCode, useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

const rconv = (roomId: string) => `r:${roomId}`;

function newRoomId(): string {
  return `room-${randomUUID().slice(0, 8)}`;
}

async function createRoom(srv: TestServer, roomId = newRoomId(), name = `Live ${roomId}`): Promise<string> {
  const res = await srv.admin('POST', '/v1/admin/rooms', { roomId, name });
  expect(res.status, res.text).toBe(201);
  return roomId;
}

/** One signed-in connection per user given (a user given twice gets two devices). */
async function online<T extends TestUser[]>(srv: TestServer, ...users: T): Promise<{ [K in keyof T]: WsClient }> {
  return (await Promise.all(users.map((u) => srv.device(u)))) as { [K in keyof T]: WsClient };
}

/** A request round trip: every frame the server wrote to `c` before answering it has arrived. */
async function settled(c: WsClient): Promise<void> {
  await c.call('blocks', {});
}

async function onlineCount(c: WsClient, roomId: string): Promise<number | undefined> {
  return (await c.call('room.list', {})).rooms.find((r) => r.roomId === roomId)?.online;
}

/** Asks until the room's online count is `n` (the server learns of a closed socket asynchronously). */
async function untilOnline(c: WsClient, roomId: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) if ((await onlineCount(c, roomId)) === n) return;
  throw new Error(`room ${roomId} never had ${n} online`);
}

function send(c: WsClient, roomId: string, text: string) {
  return c.req('send', { convId: rconv(roomId), clientMsgId: randomUUID(), kind: 'text', body: { text } });
}

describe('chatrooms', () => {
  const srv = useServer({ sendRate: 0 });

  it('are created by the admin API (201, then 200 renames), listed with an online count, and joined', async () => {
    const roomId = newRoomId();
    expect((await srv.admin('POST', '/v1/admin/rooms', { roomId, name: '直播间' })).status).toBe(201);
    const [alice, bob] = await Promise.all([srv.user('ra'), srv.user('rb')]);
    const [a, b] = await online(srv, alice, bob);
    expect((await a.call('room.list', {})).rooms).toContainEqual({ roomId, name: '直播间', online: 0 });
    expect(await a.call('room.join', { roomId })).toEqual({ room: { roomId, name: '直播间' }, messages: [] });
    expect(await onlineCount(b, roomId)).toBe(1);
    await b.call('room.join', { roomId });
    expect(await onlineCount(b, roomId)).toBe(2);
    const renamed = await srv.admin('POST', '/v1/admin/rooms', { roomId, name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect((await b.call('room.join', { roomId })).room).toEqual({ roomId, name: 'Renamed' });
    expect(await onlineCount(b, roomId)).toBe(2); // joining again changes nothing
    // Chatrooms are not conversations of sync.
    expect((await a.call('sync', {})).conversations.filter((c) => c.convId.startsWith('r:'))).toEqual([]);
    const bad = await srv.admin('POST', '/v1/admin/rooms', { roomId: 'bad/id', name: 'x' });
    expect(bad.status).toBe(400);
    expect(httpErrorCode(bad)).toBe('BAD_REQUEST');
  });

  it('returns the latest 50 entries on join: after 60 messages a late joiner gets seq 11..60', async () => {
    const roomId = await createRoom(srv);
    const [talker, late] = await Promise.all([srv.user('rt'), srv.user('rl')]);
    const [t, l] = await online(srv, talker, late);
    await t.call('room.join', { roomId });
    for (let i = 1; i <= 60; i++) {
      const a = await send(t, roomId, `line ${i}`);
      expect(a.ok && a.body.seq).toBe(i);
    }
    const { messages } = await l.call('room.join', { roomId });
    expect(messages.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(messages[49]).toMatchObject({ convId: rconv(roomId), from: talker.userId, kind: 'text', body: { text: 'line 60' } });
    // Members may also page back through the room's log.
    expect((await l.history(rconv(roomId), { beforeSeq: 11, limit: 100 })).map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('delivers only to connections that joined, except the sender’s own; non-members may not send or read', async () => {
    const roomId = await createRoom(srv);
    const [alice, bob, carol] = await Promise.all([srv.user('ro'), srv.user('ro'), srv.user('ro')]);
    const [a, aOther, b, c] = await online(srv, alice, alice, bob, carol);
    await a.call('room.join', { roomId });
    await b.call('room.join', { roomId });
    const sent = await send(a, roomId, 'hi room');
    expect(sent.ok).toBe(true);
    const seq = sent.ok ? sent.body.seq : -1;
    expect(await b.nextEvent('msg', (e) => e.convId === rconv(roomId))).toMatchObject({ seq, from: alice.userId, body: { text: 'hi room' } });
    await Promise.all([settled(a), settled(aOther), settled(c)]);
    for (const x of [a, aOther, c]) expect(x.bufferedEvents('msg').filter((e) => e.convId === rconv(roomId))).toEqual([]);

    for (const x of [aOther, c]) {
      const refused = await send(x, roomId, 'let me in');
      expect(refused.ok ? 'ok' : refused.error.code).toBe('FORBIDDEN');
      expect((await x.fail('history', { convId: rconv(roomId) })).code).toBe('FORBIDDEN');
    }
    expect((await b.fail('read', { convId: rconv(roomId), seq })).code).toBe('BAD_REQUEST');
    expect((await b.fail('typing', { convId: rconv(roomId) })).code).toBe('BAD_REQUEST');
  });

  it('room.leave ends delivery; unknown rooms are NOT_FOUND', async () => {
    const roomId = await createRoom(srv);
    const [alice, bob] = await Promise.all([srv.user('rv'), srv.user('rv')]);
    const [a, b] = await online(srv, alice, bob);
    await a.call('room.join', { roomId });
    await b.call('room.join', { roomId });
    await b.call('room.leave', { roomId });
    expect(await onlineCount(a, roomId)).toBe(1);
    const sent = await send(a, roomId, 'anyone?');
    expect(sent.ok).toBe(true);
    await settled(b);
    expect(b.bufferedEvents('msg').filter((e) => e.convId === rconv(roomId))).toEqual([]);
    await b.call('room.leave', { roomId }); // leaving twice is fine
    const unknown = newRoomId();
    expect((await b.fail('room.join', { roomId: unknown })).code).toBe('NOT_FOUND');
    expect((await b.fail('room.leave', { roomId: unknown })).code).toBe('NOT_FOUND');
    const s = await send(b, unknown, 'x');
    expect(s.ok ? '' : s.error.code).toBe('NOT_FOUND');
  });

  it('holds a user in one room at a time: joining a second leaves the first, on every device', async () => {
    const [first, second] = [await createRoom(srv), await createRoom(srv)];
    const [user, watcher] = await Promise.all([srv.user('r1'), srv.user('rw')]);
    const [d1, d2, w] = await online(srv, user, user, watcher);
    await d1.call('room.join', { roomId: first });
    await d2.call('room.join', { roomId: first });
    await w.call('room.join', { roomId: first });
    expect(await onlineCount(w, first)).toBe(2); // users, not connections
    await d1.call('room.join', { roomId: second });
    expect(await d2.nextEvent('room.left')).toEqual({ roomId: first, reason: 'switched' });
    expect(await onlineCount(w, first)).toBe(1);
    expect(await onlineCount(w, second)).toBe(1);
    for (const d of [d1, d2]) {
      const refused = await send(d, first, 'still here?');
      expect(refused.ok ? 'ok' : refused.error.code).toBe('FORBIDDEN');
    }
    const sent = await send(w, first, 'only me');
    expect(sent.ok).toBe(true);
    await Promise.all([settled(d1), settled(d2)]);
    expect([...d1.bufferedEvents('msg'), ...d2.bufferedEvents('msg')].filter((e) => e.convId === rconv(first))).toEqual([]);
    expect(d1.bufferedEvents('room.left')).toEqual([]); // the joining connection knows from its answer
  });

  it('ends membership with the connection; a reconnect must join again', async () => {
    const roomId = await createRoom(srv);
    const [user, watcher] = await Promise.all([srv.user('rc'), srv.user('rw')]);
    const [u, w] = await online(srv, user, watcher);
    await u.call('room.join', { roomId });
    await w.call('room.join', { roomId });
    expect(await onlineCount(w, roomId)).toBe(2);
    u.terminate();
    await untilOnline(w, roomId, 1);
    const [again] = await online(srv, user);
    const refused = await send(again, roomId, 'back');
    expect(refused.ok ? 'ok' : refused.error.code).toBe('FORBIDDEN');
    await again.call('room.join', { roomId });
    expect((await send(again, roomId, 'back for real')).ok).toBe(true);
    await w.nextEvent('msg', (e) => e.convId === rconv(roomId) && e.from === user.userId);
  });

  it('DELETE /v1/admin/rooms/<id> answers 204 and tells the members; the room is then NOT_FOUND', async () => {
    const roomId = await createRoom(srv);
    const [alice, bob] = await Promise.all([srv.user('rd'), srv.user('rd')]);
    const [a, b] = await online(srv, alice, bob);
    await a.call('room.join', { roomId });
    await b.call('room.join', { roomId });
    expect((await send(a, roomId, 'soon gone')).ok).toBe(true);
    const res = await srv.admin('DELETE', `/v1/admin/rooms/${roomId}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await a.nextEvent('room.left')).toEqual({ roomId, reason: 'deleted' });
    expect(await b.nextEvent('room.left')).toEqual({ roomId, reason: 'deleted' });
    expect((await a.call('room.list', {})).rooms.find((r) => r.roomId === roomId)).toBeUndefined();
    expect((await a.fail('room.join', { roomId })).code).toBe('NOT_FOUND');
    const s = await send(a, roomId, 'x');
    expect(s.ok ? '' : s.error.code).toBe('NOT_FOUND');
    const again = await srv.admin('DELETE', `/v1/admin/rooms/${roomId}`);
    expect(again.status).toBe(404);
    expect(httpErrorCode(again)).toBe('NOT_FOUND');
    // Created again, the room starts a new log.
    await createRoom(srv, roomId, 'Reborn');
    expect(await a.call('room.join', { roomId })).toEqual({ room: { roomId, name: 'Reborn' }, messages: [] });
    const first = await send(a, roomId, 'fresh');
    expect(first.ok && first.body.seq).toBe(1);
  });
});

describe('chatrooms without activity (roomIdleMs = 1000)', () => {
  const IDLE_MS = 1000;
  const srv = useServer({ sendRate: 0, roomIdleMs: IDLE_MS });

  it('are destroyed roomIdleMs after the last message or join, and their members told', async () => {
    // The user first (registering hashes a password): the room's idle clock starts when it is created.
    const [user] = await Promise.all([srv.user('ri')]);
    const [u] = await online(srv, user);
    const roomId = await createRoom(srv);
    await u.call('room.join', { roomId });
    let lastActivity = Date.now();
    for (let i = 0; i < 3; i++) {
      const a = await send(u, roomId, `keep alive ${i}`);
      if (a.ok) lastActivity = a.body.ts;
    }
    expect(await u.nextEvent('room.left')).toEqual({ roomId, reason: 'idle' });
    expect(Date.now() - lastActivity).toBeGreaterThanOrEqual(IDLE_MS);
    expect((await u.fail('room.join', { roomId })).code).toBe('NOT_FOUND');
    expect((await u.call('room.list', {})).rooms.find((r) => r.roomId === roomId)).toBeUndefined();
  });
});

describe('chatrooms created on join (roomAutoCreate)', () => {
  const srv = useServer({ sendRate: 0, roomAutoCreate: true });

  it('creates an unknown room when a user joins it, named by its id', async () => {
    const roomId = newRoomId();
    const [user] = await Promise.all([srv.user('rj')]);
    const [u] = await online(srv, user);
    expect(await u.call('room.join', { roomId })).toEqual({ room: { roomId, name: roomId }, messages: [] });
    expect((await u.call('room.list', {})).rooms).toContainEqual({ roomId, name: roomId, online: 1 });
  });
});

describe('chatrooms under overload (roomMaxPending = 1, roomFlushMs = 60000)', () => {
  const srv = useServer({ sendRate: 0, roomMaxPending: 1, roomFlushMs: 60_000 });

  it('refuse a send with RATE_LIMITED before storing it when the room’s undelivered backlog is full', async () => {
    const roomId = await createRoom(srv);
    const [alice, bob, late] = await Promise.all([srv.user('rx'), srv.user('ry'), srv.user('rz')]);
    const [a, b, l] = await online(srv, alice, bob, late);
    await a.call('room.join', { roomId });
    await b.call('room.join', { roomId });
    // The first message after a quiet spell goes out at once; the next waits for the next batch, 60 s later.
    expect((await send(a, roomId, 'first')).ok).toBe(true);
    await b.nextEvent('msg', (e) => e.convId === rconv(roomId) && e.seq === 1);
    const second = await send(a, roomId, 'second');
    expect(second.ok && second.body.seq).toBe(2);
    const clientMsgId = randomUUID();
    const third = await a.req('send', { convId: rconv(roomId), clientMsgId, kind: 'text', body: { text: 'third' } });
    expect(third.ok).toBe(false);
    if (!third.ok) {
      expect(third.error.code).toBe('RATE_LIMITED');
      expect(third.error.retryAfterMs).toBeGreaterThan(0);
    }
    // Acknowledged messages are stored; the refused one is not.
    expect((await l.call('room.join', { roomId })).messages.map((e) => e.seq)).toEqual([1, 2]);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_room_sends_refused_total 1$/m);
  });
});
