/**
 * Groups and chatrooms through the client core, against a real server: a member catching up after being
 * offline, removal (live and while away), read counts, join requests; chatrooms keep the latest 50 on join,
 * receive only while in, re-join after reconnecting, and leave no local copy behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreFixture, TEST_ADMIN, admin, call, nextEvent, signUp as signUpOn, texts } from '../test-support/cores.js';
import { restartTestServer, startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';

let server: TestServer;
const fixture = new CoreFixture();
const signUp = (core: ClientCore, userId: string): Promise<void> => signUpOn(core, server, userId);

beforeEach(async () => {
  server = await startTestServer({ ...TEST_ADMIN });
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

const systemEvents = (core: ClientCore, convId: string) =>
  core.current!.store.listMessages(convId, { limit: 500 }).filter((m) => m.kind === 'system').map((m) => String(m.body.event));

async function listed(core: ClientCore, convId: string) {
  return (await call(core, 'conversations.list', {})).conversations.find((c) => c.convId === convId);
}

describe('groups in the client core', () => {
  it('a member who was offline catches up in order, with the mention marked; removal makes the group read-only', async () => {
    const alice = fixture.newCore();
    const bobDir = tempDir('bob');
    let bob = fixture.newCore(bobDir);
    const carol = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await signUp(carol, 'carol');

    const bobSees = nextEvent(bob, 'conversations:changed', ({ conversations }) => conversations.some((c) => c.kind === 'group'));
    const { groupId, convId } = await call(alice, 'groups.create', { name: '项目组', members: ['bob', 'carol'], joinPolicy: 'invite' });
    expect(convId).toBe(`g:${groupId}`);
    expect((await bobSees).conversations.find((c) => c.convId === convId)).toMatchObject({ kind: 'group', title: '项目组' });
    await until(() => systemEvents(bob, convId).includes('group.created'), 5000, 'created entry');

    // Bob closes the app; the group goes on without him.
    await bob.stop();
    await call(alice, 'messages.send', { convId, kind: 'text', body: { text: 'one' } });
    await call(alice, 'messages.send', { convId, kind: 'text', body: { text: '@bob two' }, mentions: ['bob'] });
    await call(alice, 'messages.send', { convId, kind: 'text', body: { text: 'three' } });
    await until(() => alice.current!.store.listMessages(convId).every((m) => m.status === 'sent'), 5000, 'acks');
    const carolOut = nextEvent(carol, 'conversations:changed', ({ conversations }) => conversations.some((c) => c.convId === convId && c.left === true));
    await call(alice, 'group.kick', { groupId, userIds: ['carol'] });

    // Carol, online, is told at once: she keeps what she had, read-only, and can delete it.
    await carolOut;
    expect(texts(carol, convId).filter(Boolean)).toEqual(['one', '@bob two', 'three']);
    expect(systemEvents(carol, convId)).toEqual(['group.created', 'member.kicked']);
    await call(carol, 'conversation.markRead', { convId, seq: 5 }); // no error, nothing sent
    await expect(call(carol, 'group.members', { groupId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await call(carol, 'conversation.delete', { convId });
    expect(await listed(carol, convId)).toBeUndefined();

    // Bob comes back: everything in order, the mention marked until read.
    bob = fixture.newCore(bobDir);
    await until(() => texts(bob, convId).filter(Boolean).length === 3 && systemEvents(bob, convId).length === 2, 10_000, 'catch-up');
    expect(bob.current!.store.listMessages(convId, { limit: 500 }).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await listed(bob, convId)).toMatchObject({ unread: 3, mentioned: true }); // the two notices are shown, not counted
    expect((await listed(bob, convId))?.left).toBeUndefined();
    await expect(call(bob, 'conversation.delete', { convId })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    // Read counts: the sender sees how many members have read her message.
    expect(await call(alice, 'group.readCount', { groupId, seq: 4 })).toEqual({ count: 0, total: 1 });
    await call(bob, 'conversation.markRead', { convId, seq: 5 });
    expect(await listed(bob, convId)).toMatchObject({ unread: 0, mentioned: false });
    await until(async () => (await call(alice, 'group.readCount', { groupId, seq: 4 })).count === 1, 5000, 'read count');

    // Removed while away: the next sync no longer lists the group, so it turns read-only.
    await bob.stop();
    await call(alice, 'group.kick', { groupId, userIds: ['bob'] });
    bob = fixture.newCore(bobDir);
    await until(async () => (await listed(bob, convId))?.left === true, 10_000, 'bob marked as left');
    expect(texts(bob, convId).filter(Boolean)).toEqual(['one', '@bob two', 'three']);
    // ...and joining again (an invite) makes him a member again.
    await call(alice, 'group.invite', { groupId, userIds: ['bob'] });
    await until(async () => (await listed(bob, convId))?.left === undefined, 10_000, 'bob back in');
  });

  it('passes on whom the server did not add (they blocked the user) from groups.create and group.invite', async () => {
    const alice = fixture.newCore();
    const bob = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await signUp(fixture.newCore(), 'carol');
    await call(bob, 'users.block', { userId: 'alice' });
    const created = await call(alice, 'groups.create', { name: 'Blocked', members: ['bob', 'carol'], joinPolicy: 'open' });
    expect(created).toEqual({ groupId: created.groupId, convId: `g:${created.groupId}`, notAdded: ['bob'] });
    expect(await call(alice, 'group.invite', { groupId: created.groupId, userIds: ['bob'] })).toEqual({ notAdded: ['bob'] });
    await call(bob, 'users.unblock', { userId: 'alice' });
    expect(await call(alice, 'group.invite', { groupId: created.groupId, userIds: ['bob'] })).toEqual({});
  });

  it('tells the owner and admins about join requests; approval brings the requester in', async () => {
    const alice = fixture.newCore();
    const dave = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(dave, 'dave');
    const { groupId, convId } = await call(alice, 'groups.create', { name: 'Approval', members: [], joinPolicy: 'approval' });
    expect(await call(dave, 'group.info', { groupId })).toMatchObject({ name: 'Approval', memberCount: 1, joinPolicy: 'approval' });
    const requested = nextEvent(alice, 'group:join-requested');
    expect(await call(dave, 'group.join', { groupId, note: 'hi, I am Dave' })).toEqual({ status: 'pending' });
    expect(await requested).toMatchObject({ groupId, convId, userId: 'dave', note: 'hi, I am Dave' });
    expect((await call(alice, 'group.requests', { groupId })).requests).toMatchObject([{ userId: 'dave', note: 'hi, I am Dave' }]);
    const daveIn = nextEvent(dave, 'conversations:changed', ({ conversations }) => conversations.some((c) => c.convId === convId));
    await call(alice, 'group.approve', { groupId, userId: 'dave' });
    await daveIn;
    await until(() => systemEvents(dave, convId).includes('member.joined'), 5000, 'joined entry');
    expect((await call(dave, 'group.members', { groupId, limit: 10 })).members).toEqual([
      { userId: 'alice', role: 'owner' },
      { userId: 'dave', role: 'member' },
    ]);
  });
});

describe('chatrooms in the client core', () => {
  async function createRoom(roomId: string, name: string): Promise<void> {
    const res = await admin(server, 'POST', '/v1/admin/rooms', { roomId, name });
    expect(res.status).toBe(201);
  }

  async function post(roomId: string, from: string, text: string): Promise<void> {
    const res = await admin(server, 'POST', '/v1/admin/messages', { from, convId: `r:${roomId}`, kind: 'text', body: { text } });
    expect(res.status).toBe(200);
  }

  it('a late joiner gets the latest 50, then only what is said while in; leaving clears the local copy', async () => {
    await createRoom('live', '直播间');
    const alice = fixture.newCore();
    const bob = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    expect((await call(alice, 'rooms.list', {})).rooms).toEqual([{ roomId: 'live', name: '直播间', online: 0 }]);
    expect(await call(alice, 'room.join', { roomId: 'live' })).toEqual({ convId: 'r:live', name: '直播间' });
    for (let i = 1; i <= 60; i++) await call(alice, 'messages.send', { convId: 'r:live', kind: 'text', body: { text: `m${i}` } });
    await until(() => alice.current!.store.listMessages('r:live', { limit: 100 }).every((m) => m.status === 'sent'), 10_000, 'acks');

    expect(await call(bob, 'room.join', { roomId: 'live' })).toEqual({ convId: 'r:live', name: '直播间' });
    expect(texts(bob, 'r:live')).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 11}`));
    expect(await listed(bob, 'r:live')).toMatchObject({ kind: 'room', title: '直播间', unread: 0 });
    expect((await call(bob, 'rooms.list', {})).rooms).toEqual([{ roomId: 'live', name: '直播间', online: 2 }]);

    // A new message arrives live; the history before the join is not fetched.
    const arrived = nextEvent(bob, 'message:added', ({ message }) => (message.body as { text?: string }).text === 'after');
    await call(alice, 'messages.send', { convId: 'r:live', kind: 'text', body: { text: 'after' } });
    await arrived;
    await new Promise((r) => setTimeout(r, 200));
    expect(texts(bob, 'r:live')).toHaveLength(51);
    await call(bob, 'conversation.markRead', { convId: 'r:live', seq: 61 }); // local only: rooms keep no read state

    // Leaving: the local copy goes, and nothing more arrives.
    const removed = nextEvent(bob, 'conversations:changed', ({ removed: gone }) => gone.includes('r:live'));
    await call(bob, 'room.leave', { roomId: 'live' });
    await removed;
    expect(bob.current!.store.getConversation('r:live')).toBeNull();
    expect(texts(bob, 'r:live')).toEqual([]);
    await call(alice, 'messages.send', { convId: 'r:live', kind: 'text', body: { text: 'not for bob' } });
    await until(() => texts(alice, 'r:live').includes('not for bob'), 5000, 'sent');
    await new Promise((r) => setTimeout(r, 200));
    expect(bob.current!.store.getConversation('r:live')).toBeNull();
  });

  it('re-joins after a reconnect, clears a room the server deleted, and starts without any room after a restart', async () => {
    await createRoom('stage', 'Stage');
    await createRoom('other', 'Other');
    const aliceDir = tempDir('alice');
    let alice = fixture.newCore(aliceDir);
    await signUp(alice, 'alice');
    await call(alice, 'room.join', { roomId: 'stage' });

    // The connection drops (server restart): the room is re-joined, and messages arrive again.
    server = await restartTestServer(server);
    await until(() => alice.current!.conn.online, 10_000, 'reconnected');
    await until(async () => (await call(alice, 'rooms.list', {})).rooms.find((r) => r.roomId === 'stage')?.online === 1, 10_000, 're-joined');
    await post('stage', 'alice', 'after restart');
    await until(() => texts(alice, 'r:stage').includes('after restart'), 5000, 'live after re-join');

    // Joining another room leaves the first, locally too.
    const gone = nextEvent(alice, 'conversations:changed', ({ removed }) => removed.includes('r:stage'));
    await call(alice, 'room.join', { roomId: 'other' });
    await gone;
    expect(alice.current!.store.getConversation('r:stage')).toBeNull();

    // The administrator deletes the room: the user is told why, and the copy is cleared.
    const left = nextEvent(alice, 'room:left');
    expect((await admin(server, 'DELETE', '/v1/admin/rooms/other')).status).toBe(204);
    expect(await left).toEqual({ roomId: 'other', convId: 'r:other', reason: 'deleted' });
    expect(alice.current!.store.getConversation('r:other')).toBeNull();

    // Closing the app clears the room; a crash that skipped that is cleaned up at the next start.
    await call(alice, 'room.join', { roomId: 'stage' });
    await post('stage', 'alice', 'kept until closed');
    await until(() => texts(alice, 'r:stage').includes('kept until closed'), 5000, 'message');
    await alice.stop();
    alice = fixture.newCore(aliceDir);
    await until(() => alice.current?.conn.online === true, 10_000, 'online again');
    expect((await call(alice, 'conversations.list', {})).conversations.filter((c) => c.kind === 'room')).toEqual([]);
    expect(alice.current!.store.search('closed')).toEqual([]);
  });
});
