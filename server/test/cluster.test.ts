/**
 * Several server nodes on one PostgreSQL and one NATS (docs/deploy.md "Cluster"): every live event reaches every
 * connection of its addressees exactly once whatever node each is on; presence, device replacement, chatrooms and
 * revocation are cluster-wide; a node cut off from NATS closes its connections and refuses new ones until NATS is
 * back, and the other nodes settle its users' presence.
 *
 * Needs PostgreSQL and NATS: `npm run test:postgres` sets PARLEY_TEST_DATABASE_URL and PARLEY_TEST_NATS_URL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, type LogEntry } from '../../protocol/index.js';
import { TestServer, pconv, takeConformanceViolations, type TestUser, type WsClient } from './harness.js';
import { TcpRelay } from './tcp-relay.js';
import { TEST_DATABASE_URL, databaseUrlFor } from './test-database.js';

const NATS_URL = process.env.PARLEY_TEST_NATS_URL || null;
const skip = !TEST_DATABASE_URL || !NATS_URL;
if (skip) {
  process.stdout.write('cluster tests skipped: set PARLEY_TEST_DATABASE_URL and PARLEY_TEST_NATS_URL (or run npm run test:postgres) to run them\n');
}

describe.skipIf(skip)('a cluster of nodes on one PostgreSQL and one NATS', () => {
  const prefix = `parley_test_${randomUUID().slice(0, 8)}`;
  const nodes: TestServer[] = [];
  let relay: TcpRelay;

  beforeAll(async () => {
    relay = new TcpRelay(new URL(NATS_URL!), 4222);
    await relay.open();
    const first = new TestServer({ natsUrl: NATS_URL!, natsPrefix: prefix, sendRate: 0 });
    const databaseUrl = await databaseUrlFor(first.dataDir);
    nodes.push(first);
    // The third node reaches NATS through the relay, so a test can cut it off.
    nodes.push(new TestServer({ databaseUrl, natsUrl: NATS_URL!, natsPrefix: prefix, sendRate: 0 }));
    nodes.push(new TestServer({ databaseUrl, natsUrl: `nats://127.0.0.1:${relay.port}`, natsPrefix: prefix, sendRate: 0 }));
    await first.start(); // runs the migrations before the others start
    await Promise.all(nodes.slice(1).map((n) => n.start()));
    await untilNodesKnowEachOther();
  });

  afterEach(() => {
    for (const n of nodes) n.closeClients();
    const violations = takeConformanceViolations();
    if (violations.length > 0) throw new Error(`the server sent frames outside protocol/'s schemas:\n${violations.slice(0, 10).join('\n')}`);
  });

  afterAll(async () => {
    await relay.cut();
    for (const n of nodes.slice(1).reverse()) await n.dispose();
    await nodes[0]?.dispose(); // drops the schema the nodes shared
  });

  /** Every node has heard the others' snapshots (presence is what this waits on: a user online on each node). */
  async function untilNodesKnowEachOther(): Promise<void> {
    const probe = await nodes[0]!.user('probe');
    const peer = await nodes[0]!.user('peer');
    await (await nodes[0]!.device(probe)).sendText(pconv(probe.userId, peer.userId), 'hi');
    for (const [i, node] of nodes.entries()) {
      const c = await node.device(probe, `probe-${i}`);
      const viewer = await nodes[(i + 1) % nodes.length]!.device(peer, `peer-${i}`);
      await until(async () => (await viewer.call('users.get', { userIds: [probe.userId] })).users[0]?.online === true, `node ${i} known to node ${(i + 1) % nodes.length}`);
      c.close();
      viewer.close();
    }
  }

  /** `n` new users (registered on node 0; the nodes share the database). */
  async function users(n: number, tag: string): Promise<[TestUser, TestUser, TestUser, TestUser]> {
    return (await Promise.all(Array.from({ length: n }, () => nodes[0]!.user(tag)))) as [TestUser, TestUser, TestUser, TestUser];
  }

  /** Waits until a message sent after everything else arrived at `c`: NATS keeps one node's order. */
  async function caughtUp(from: WsClient, to: WsClient, convId: string): Promise<void> {
    const entry = await from.call('send', { convId, clientMsgId: randomUUID(), kind: 'text', body: { text: 'marker' } });
    await to.nextEvent('msg', (m) => m.convId === convId && m.seq === entry.seq);
  }

  /** The presence events of `userId` that `c` received, oldest first: true for online. */
  function presenceOf(c: WsClient, userId: string): boolean[] {
    return c.received.flatMap((f) => (f.type === 'evt' && f.ev === 'presence' && (f.body as { userId: string }).userId === userId ? [(f.body as { online: boolean }).online] : []));
  }

  function msgCount(c: WsClient, convId: string, seq: number): number {
    return c.received.filter((f) => f.type === 'evt' && f.ev === 'msg' && (f.body as LogEntry).convId === convId && (f.body as LogEntry).seq === seq).length;
  }

  it('delivers a private message to every device of both users, on every node, exactly once per connection', async () => {
    const [alice, bob] = await users(2, 'ca');
    const a0 = await nodes[0]!.device(alice);
    const a1 = await nodes[1]!.device(alice);
    const b1 = await nodes[1]!.device(bob);
    const b2 = await nodes[2]!.device(bob);
    const conv = pconv(alice.userId, bob.userId);
    const entry = await a0.call('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: '你好, across nodes' } });
    for (const c of [a1, b1, b2]) expect(await c.nextEvent('msg', (m) => m.seq === entry.seq)).toMatchObject({ convId: conv, from: alice.userId, body: { text: '你好, across nodes' } });
    for (const c of [a1, b1, b2]) await caughtUp(a0, c, conv);
    for (const c of [a1, b1, b2]) expect(msgCount(c, conv, entry.seq)).toBe(1);
    // The sender's own connection learns the entry from its acknowledgement only.
    expect(msgCount(a0, conv, entry.seq)).toBe(0);
  });

  it('carries read receipts, typing and conversation changes across nodes', async () => {
    const [alice, bob] = await users(2, 'cr');
    const a = await nodes[0]!.device(alice);
    const b = await nodes[2]!.device(bob);
    const b2 = await nodes[1]!.device(bob);
    const conv = pconv(alice.userId, bob.userId);
    const entry = await a.call('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'read me' } });
    await b.nextEvent('msg', (m) => m.seq === entry.seq);
    await b.call('read', { convId: conv, seq: entry.seq });
    expect(await a.nextEvent('read', (r) => r.convId === conv)).toMatchObject({ userId: bob.userId, seq: entry.seq });
    await a.call('typing', { convId: conv });
    expect(await b.nextEvent('typing', (t) => t.convId === conv)).toMatchObject({ userId: alice.userId });
    await b.call('conv.update', { convId: conv, pinned: true });
    expect(await b2.nextEvent('conv', (c) => c.convId === conv && c.pinned === true)).toBeTruthy();
  });

  it('delivers group messages to members on all nodes, and group changes everywhere', async () => {
    const [owner, m1, m2, late] = await users(4, 'cg');
    const o = await nodes[0]!.device(owner);
    const c1 = await nodes[1]!.device(m1);
    const c2 = await nodes[2]!.device(m2);
    const { groupId } = await o.call('group.create', { name: 'Cluster group', members: [m1.userId, m2.userId], joinPolicy: 'invite' });
    const convId = `g:${groupId}`;
    const entry = await o.call('send', { convId, clientMsgId: randomUUID(), kind: 'text', body: { text: 'to all nodes' } });
    for (const c of [c1, c2]) expect(await c.nextEvent('msg', (m) => m.convId === convId && m.seq === entry.seq)).toMatchObject({ body: { text: 'to all nodes' } });
    // A member added on node 0 receives on node 2 at once: node 2's cached member list was dropped.
    const l = await nodes[2]!.device(late);
    await o.call('group.invite', { groupId, userIds: [late.userId] });
    const after = await o.call('send', { convId, clientMsgId: randomUUID(), kind: 'text', body: { text: 'welcome' } });
    expect(await l.nextEvent('msg', (m) => m.convId === convId && m.seq === after.seq)).toMatchObject({ body: { text: 'welcome' } });
    for (const c of [c1, c2]) await caughtUp(o, c, convId);
    for (const c of [c1, c2]) expect(msgCount(c, convId, entry.seq)).toBe(1);
  });

  it('announces presence once a user has no connection on any node, and not while one is left', async () => {
    const [alice, bob] = await users(2, 'cp');
    const conv = pconv(alice.userId, bob.userId);
    const first = await nodes[0]!.device(alice);
    await first.sendText(conv, 'so we share a chat');
    const b = await nodes[0]!.device(bob);
    const b1 = await nodes[1]!.device(bob);
    const b2 = await nodes[2]!.device(bob);
    first.close();
    await b.nextEvent('presence', (p) => p.userId === alice.userId && !p.online);
    // Node 1 has heard that alice left node 0 once it has relayed node 0's announcement of it.
    await b1.nextEvent('presence', (p) => p.userId === alice.userId && !p.online);
    const a1 = await nodes[1]!.device(alice);
    expect(await b.nextEvent('presence', (p) => p.userId === alice.userId && p.online)).toMatchObject({ online: true });
    // Node 2 has heard of alice on node 1 once it has relayed node 1's announcement: her connection there is no news.
    await b2.nextEvent('presence', (p) => p.userId === alice.userId && p.online);
    const a2 = await nodes[2]!.device(alice);
    // Node 1 has heard of node 2's connection once it has relayed a message node 2 published after it.
    const hi = await a2.sendText(conv, 'from node 2');
    await b1.nextEvent('msg', (m) => m.seq === hi.seq);
    a1.close();
    await a1.closed;
    await caughtUp(a2, b, conv);
    expect(presenceOf(b, alice.userId)).toEqual([false, true]);
    a2.close();
    const off = await b.nextEvent('presence', (p) => p.userId === alice.userId && !p.online);
    expect(off.lastSeen).toBeGreaterThan(0);
    expect(presenceOf(b, alice.userId)).toEqual([false, true, false]);
    expect((await b.call('users.get', { userIds: [alice.userId] })).users[0]).toMatchObject({ online: false, lastSeen: off.lastSeen });
  });

  it('leaves viewers seeing online when a device leaves one node before it hears of her new connection on another', async () => {
    const [alice, bob] = await users(2, 'cx');
    const conv = pconv(alice.userId, bob.userId);
    const a1 = await nodes[1]!.device(alice);
    const b = await nodes[0]!.device(bob);
    const b2 = await nodes[2]!.device(bob);
    // Node 2 has heard of alice's connection on node 1 once it has relayed a message node 1 published after it.
    const hi = await a1.sendText(conv, 'so we share a chat');
    await b2.nextEvent('msg', (m) => m.seq === hi.seq);
    // Node 2's news of alice's new connection is held back, so node 1 sees her last device there leave first.
    relay.hold();
    const a2 = await nodes[2]!.device(alice);
    a1.close();
    expect(await b.nextEvent('presence', (p) => p.userId === alice.userId && !p.online)).toMatchObject({ online: false });
    relay.release();
    // Node 2 hears that node 1 announced her offline, and corrects it.
    expect(await b.nextEvent('presence', (p) => p.userId === alice.userId && p.online)).toMatchObject({ online: true });
    await caughtUp(a2, b, conv);
    expect(presenceOf(b, alice.userId)).toEqual([false, true]);
    expect((await b.call('users.get', { userIds: [alice.userId] })).users[0]?.online).toBe(true);
  });

  it('closes the older connection of a device with 4409 when the device connects to another node', async () => {
    const [alice] = await users(1, 'cd');
    const first = await nodes[0]!.device(alice, 'laptop');
    await nodes[2]!.device(alice, 'laptop');
    expect((await first.closed).code).toBe(CloseCode.replaced);
  });

  it('ends revoked sessions on whichever node they are', async () => {
    const [alice] = await users(1, 'cv');
    const here = await nodes[0]!.device(alice, 'desk');
    const login = await nodes[1]!.login(alice.userId);
    const other = await nodes[2]!.device({ token: (login.json as { token: string }).token }, 'phone');
    // Each node writes the devices its hellos came from within a second.
    await until(async () => (await here.call('devices.list', {})).devices.length === 2, 'both devices listed');
    expect((await here.call('devices.list', {})).devices.map((d) => d.deviceId).sort()).toEqual(['desk', 'phone']);
    await here.call('devices.revoke', { deviceId: 'phone' });
    expect(await other.nextEvent('session.revoked')).toMatchObject({ reason: 'signed out from another device' });
    expect((await other.closed).code).toBe(CloseCode.sessionRevoked);
  });

  it('runs chatrooms across nodes: one online count, every member gets each message once, one room at a time', async () => {
    const roomId = `room-${randomUUID().slice(0, 8)}`;
    expect((await nodes[1]!.admin('POST', '/v1/admin/rooms', { roomId, name: 'Cluster room' })).status).toBe(201);
    const [a, b, c] = await users(3, 'cc');
    const ca = await nodes[0]!.device(a);
    const cb = await nodes[1]!.device(b);
    const cc = await nodes[2]!.device(c);
    for (const conn of [ca, cb, cc]) await conn.call('room.join', { roomId });
    for (const conn of [ca, cb, cc]) {
      await until(async () => (await conn.call('room.list', {})).rooms.find((r) => r.roomId === roomId)?.online === 3, 'three online in the room on every node');
    }
    const convId = `r:${roomId}`;
    const sent = await ca.call('send', { convId, clientMsgId: randomUUID(), kind: 'text', body: { text: 'live' } });
    for (const conn of [cb, cc]) expect(await conn.nextEvent('msg', (m) => m.convId === convId && m.seq === sent.seq)).toMatchObject({ body: { text: 'live' } });
    const marker = await cb.call('send', { convId, clientMsgId: randomUUID(), kind: 'text', body: { text: 'marker' } });
    await ca.nextEvent('msg', (m) => m.convId === convId && m.seq === marker.seq);
    await cc.nextEvent('msg', (m) => m.convId === convId && m.seq === marker.seq);
    expect(msgCount(cc, convId, sent.seq)).toBe(1);
    expect(msgCount(ca, convId, sent.seq)).toBe(0);
    // A late joiner on another node gets the latest entries from the shared log.
    const [d] = await users(1, 'cc');
    const cd = await nodes[2]!.device(d);
    expect((await cd.call('room.join', { roomId })).messages.map((m) => m.seq)).toEqual([sent.seq, marker.seq]);
    // C joins another room from a second device on node 0: C's connection on node 2 leaves the first room.
    const other = `room-${randomUUID().slice(0, 8)}`;
    await nodes[0]!.admin('POST', '/v1/admin/rooms', { roomId: other, name: 'Other' });
    const cc2 = await nodes[0]!.device(c);
    await cc2.call('room.join', { roomId: other });
    expect(await cc.nextEvent('room.left', (l) => l.roomId === roomId)).toEqual({ roomId, reason: 'switched' });
    // Deleted through node 1: members on every node are told.
    expect((await nodes[1]!.admin('DELETE', `/v1/admin/rooms/${roomId}`)).status).toBe(204);
    for (const conn of [ca, cb, cd]) expect(await conn.nextEvent('room.left', (l) => l.roomId === roomId)).toEqual({ roomId, reason: 'deleted' });
  });

  it('a node cut off from NATS closes its connections (1012), refuses new ones, and takes them again once NATS is back', async () => {
    const [alice, bob] = await users(2, 'cn');
    const conv = pconv(alice.userId, bob.userId);
    await (await nodes[0]!.device(alice)).sendText(conv, 'so we share a chat');
    const a = await nodes[0]!.device(alice);
    const b = await nodes[2]!.device(bob);
    await a.nextEvent('presence', (p) => p.userId === bob.userId && p.online);
    await relay.cut();
    expect((await b.closed).code).toBe(CloseCode.serviceRestart);
    expect((await nodes[2]!.http('GET', '/healthz')).status).toBe(503);
    const refused = await nodes[2]!.rawHttp('GET', '/v1/ws', { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    expect(refused.status).toBe(503);
    // The other nodes stop hearing node 2 and settle its users: bob goes offline, once.
    expect(await a.nextEvent('presence', (p) => p.userId === bob.userId && !p.online, 15_000)).toMatchObject({ online: false });
    // Meanwhile bob reconnects elsewhere (through the load balancer) and misses nothing.
    const b0 = await nodes[1]!.device(bob);
    const sent = await a.call('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'while node 2 was cut off' } });
    expect(await b0.nextEvent('msg', (m) => m.seq === sent.seq)).toMatchObject({ body: { text: 'while node 2 was cut off' } });
    await relay.open();
    await until(async () => (await nodes[2]!.http('GET', '/healthz')).status === 200, 'node 2 healthy again', 20_000);
    const back = await nodes[2]!.device(bob, 'back');
    const again = await a.call('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'node 2 is back' } });
    expect(await back.nextEvent('msg', (m) => m.seq === again.seq)).toMatchObject({ body: { text: 'node 2 is back' } });
  }, 60_000);
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(skip)('chatroom idleness in a cluster', () => {
  const prefix = `parley_test_${randomUUID().slice(0, 8)}`;
  const nodes: TestServer[] = [];
  const IDLE_MS = 1500;

  beforeAll(async () => {
    const first = new TestServer({ natsUrl: NATS_URL!, natsPrefix: prefix, sendRate: 0, roomIdleMs: IDLE_MS });
    const databaseUrl = await databaseUrlFor(first.dataDir);
    nodes.push(first, new TestServer({ databaseUrl, natsUrl: NATS_URL!, natsPrefix: prefix, sendRate: 0, roomIdleMs: IDLE_MS }));
    await first.start();
    await nodes[1]!.start();
  });

  afterAll(async () => {
    await nodes[1]?.dispose();
    await nodes[0]?.dispose();
  });

  it('is the room’s: messages through one node keep it alive on the other, and once quiet everywhere its members are told once', async () => {
    const [quiet, talker] = [await nodes[0]!.user('ci'), await nodes[0]!.user('ci')];
    const roomId = `room-${randomUUID().slice(0, 8)}`;
    expect((await nodes[0]!.admin('POST', '/v1/admin/rooms', { roomId, name: 'Kept alive elsewhere' })).status).toBe(201);
    const q = await nodes[0]!.device(quiet);
    const t = await nodes[1]!.device(talker);
    await q.call('room.join', { roomId });
    await t.call('room.join', { roomId });
    // Node 0 sees nothing of its own in the room for 2.5 idle periods: only node 1's member talks.
    const until = Date.now() + 2.5 * IDLE_MS;
    while (Date.now() < until) {
      await t.call('send', { convId: `r:${roomId}`, clientMsgId: randomUUID(), kind: 'text', body: { text: 'still here' } });
      await new Promise((r) => setTimeout(r, IDLE_MS / 4));
    }
    expect(q.received.filter((f) => f.type === 'evt' && f.ev === 'room.left')).toEqual([]);
    expect(await q.nextEvent('room.left', (l) => l.roomId === roomId, 4 * IDLE_MS)).toEqual({ roomId, reason: 'idle' });
    expect(await t.nextEvent('room.left', (l) => l.roomId === roomId, 4 * IDLE_MS)).toEqual({ roomId, reason: 'idle' });
    await new Promise((r) => setTimeout(r, 300));
    for (const c of [q, t]) expect(c.received.filter((f) => f.type === 'evt' && f.ev === 'room.left')).toHaveLength(1);
    expect((await q.call('room.list', {})).rooms.some((r) => r.roomId === roomId)).toBe(false);
    expect((await t.call('room.list', {})).rooms.some((r) => r.roomId === roomId)).toBe(false);
  }, 30_000);
});
