/**
 * docs/protocol.md "Groups and chatrooms", the group half: every group op and who may do it, system entries in the
 * group's log, fan-out, removed members, GROUP_FULL, MUTED, recall and @all rules, read counts.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../protocol/index.js';
import { useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

const gconv = (groupId: string) => `g:${groupId}`;

function isSystem(entry: LogEntry, groupId: string, event: string): boolean {
  return entry.convId === gconv(groupId) && entry.kind === 'system' && (entry.body as { event?: string }).event === event;
}

/** The next `system` entry `event` of the group that `c` receives. */
function nextSystem(c: WsClient, groupId: string, event: string): Promise<LogEntry> {
  return c.nextEvent('msg', (e) => isSystem(e, groupId, event));
}

/** A request round trip: every frame the server wrote to `c` before answering it has arrived. */
async function settled(c: WsClient): Promise<void> {
  await c.call('blocks', {});
}

/** The group's entries that `c` received as `msg` events (not consumed). */
function received(c: WsClient, groupId: string): LogEntry[] {
  return c.bufferedEvents('msg').filter((e) => e.convId === gconv(groupId));
}

/** One signed-in connection per user given (a user given twice gets two devices). */
async function online<T extends TestUser[]>(srv: TestServer, ...users: T): Promise<{ [K in keyof T]: WsClient }> {
  return (await Promise.all(users.map((u) => srv.device(u)))) as { [K in keyof T]: WsClient };
}

async function createGroup(owner: WsClient, members: TestUser[], joinPolicy = 'open', name = 'Team 团队'): Promise<string> {
  const { groupId } = await owner.call('group.create', { name, members: members.map((m) => m.userId), joinPolicy });
  return groupId;
}

async function code(c: WsClient, op: string, body: unknown): Promise<string> {
  return (await c.fail(op, body)).code;
}

describe('groups', () => {
  const srv = useServer({ sendRate: 0, maxGroupMembers: 3000 });

  it('creates a group: members get a conv event (kind group, title = name) and the group.created entry at seq 1', async () => {
    const [alice, bob, carol] = await Promise.all([srv.user('ga'), srv.user('gb'), srv.user('gc')]);
    const [a1, a2, b] = await online(srv, alice, alice, bob);
    const groupId = await createGroup(a1, [bob, carol]);
    const conv = await b.nextEvent('conv', (c) => c.convId === gconv(groupId));
    expect(conv).toMatchObject({ convId: gconv(groupId), kind: 'group', title: 'Team 团队', lastSeq: 1 });
    const created = await nextSystem(b, groupId, 'group.created');
    expect(created).toMatchObject({ seq: 1, kind: 'system', from: alice.userId, body: { event: 'group.created', actor: alice.userId, targets: [bob.userId, carol.userId] } });
    await nextSystem(a2, groupId, 'group.created');
    await nextSystem(a1, groupId, 'group.created');

    const info = await b.call('group.info', { groupId });
    expect(info).toEqual({ groupId, name: 'Team 团队', owner: alice.userId, admins: [], announcement: '', joinPolicy: 'open', memberCount: 3, mutedAll: false, public: false });
    const { members, cursor } = await b.call('group.members', { groupId });
    expect(members[0]).toEqual({ userId: alice.userId, role: 'owner' });
    expect(members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId, carol.userId].sort());
    expect(cursor).toBeUndefined();

    // Fan-out: every connection of every member but the sending one.
    const ack = await a1.sendText(gconv(groupId), 'hello group');
    expect(ack.seq).toBe(2);
    expect(await b.nextEvent('msg', (e) => e.seq === 2 && e.convId === gconv(groupId))).toMatchObject({ from: alice.userId, body: { text: 'hello group' } });
    await a2.nextEvent('msg', (e) => e.seq === 2 && e.convId === gconv(groupId));
    await settled(a1);
    expect(received(a1, groupId).some((e) => e.seq === 2)).toBe(false);

    // An offline member finds it through sync and history.
    const [c] = await online(srv, carol);
    const listed = await c.conversation(gconv(groupId));
    expect(listed).toMatchObject({ kind: 'group', title: 'Team 团队', lastSeq: 2, readSeq: 0 });
    expect((await c.history(gconv(groupId))).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('answers NOT_FOUND for unknown groups and FORBIDDEN to non-members; a taken group id is CONFLICT', async () => {
    const [owner, outsider] = await Promise.all([srv.user('go'), srv.user('gx')]);
    const [o, x] = await online(srv, owner, outsider);
    const groupId = `team-${randomUUID().slice(0, 8)}`;
    expect(await o.call('group.create', { groupId, name: 'Named', members: [], joinPolicy: 'invite' })).toEqual({ groupId });
    expect(await code(o, 'group.create', { groupId, name: 'Again', members: [], joinPolicy: 'open' })).toBe('CONFLICT');
    expect(await code(x, 'send', { convId: gconv(groupId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'hi' } })).toBe('FORBIDDEN');
    expect(await code(x, 'history', { convId: gconv(groupId) })).toBe('FORBIDDEN');
    expect(await code(x, 'group.members', { groupId })).toBe('FORBIDDEN');
    expect((await x.call('group.info', { groupId })).memberCount).toBe(1);
    const unknown = `nope-${randomUUID().slice(0, 8)}`;
    for (const [op, body] of [
      ['group.info', { groupId: unknown }],
      ['group.join', { groupId: unknown }],
      ['group.members', { groupId: unknown }],
      ['history', { convId: gconv(unknown) }],
      ['send', { convId: gconv(unknown), clientMsgId: randomUUID(), kind: 'text', body: { text: 'hi' } }],
    ] as const) {
      expect(await code(x, op, body), op).toBe('NOT_FOUND');
    }
    expect(await code(o, 'group.create', { name: 'x', members: ['no-such-user-zz'], joinPolicy: 'open' })).toBe('NOT_FOUND');
  });

  it('open groups: anyone joins (member.joined); any member invites (member.invited); the newcomer gets a conv event', async () => {
    const [owner, member, joiner, invitee] = await Promise.all([srv.user('oo'), srv.user('om'), srv.user('oj'), srv.user('oi')]);
    const [o, m, j, i] = await online(srv, owner, member, joiner, invitee);
    const groupId = await createGroup(o, [member]);
    expect(await j.call('group.join', { groupId })).toEqual({ status: 'joined' });
    expect(await j.nextEvent('conv', (c) => c.convId === gconv(groupId))).toMatchObject({ kind: 'group', lastSeq: 2 });
    const joined = await nextSystem(o, groupId, 'member.joined');
    expect(joined).toMatchObject({ seq: 2, body: { actor: joiner.userId, targets: [joiner.userId] } });
    await nextSystem(j, groupId, 'member.joined');
    expect(await j.call('group.join', { groupId })).toEqual({ status: 'joined' }); // already in: nothing new

    await m.call('group.invite', { groupId, userIds: [invitee.userId, owner.userId] });
    const invited = await nextSystem(o, groupId, 'member.invited');
    expect(invited).toMatchObject({ seq: 3, body: { actor: member.userId, targets: [invitee.userId] } });
    await i.nextEvent('conv', (c) => c.convId === gconv(groupId));
    await nextSystem(i, groupId, 'member.invited');
    expect((await o.call('group.info', { groupId })).memberCount).toBe(4);
    expect(await code(m, 'group.invite', { groupId, userIds: ['no-such-user-zz'] })).toBe('NOT_FOUND');
  });

  it('approval groups: a join is pending until an admin approves (or rejects); members cannot approve', async () => {
    const [owner, admin, member, asker, other] = await Promise.all([srv.user('ao'), srv.user('aa'), srv.user('am'), srv.user('ak'), srv.user('ar')]);
    const [o, a, m, k, r] = await online(srv, owner, admin, member, asker, other);
    const groupId = await createGroup(o, [admin, member], 'approval');
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });

    expect(await k.call('group.join', { groupId, note: '请让我加入' })).toEqual({ status: 'pending' });
    expect(await a.nextEvent('group.request', (e) => e.groupId === groupId)).toMatchObject({ userId: asker.userId, note: '请让我加入' });
    await o.nextEvent('group.request', (e) => e.groupId === groupId);
    expect(await r.call('group.join', { groupId })).toEqual({ status: 'pending' });
    expect(await code(k, 'history', { convId: gconv(groupId) })).toBe('FORBIDDEN');

    expect(await code(m, 'group.requests', { groupId })).toBe('FORBIDDEN');
    const { requests } = await a.call('group.requests', { groupId });
    expect(requests.map((q) => q.userId)).toEqual([asker.userId, other.userId]);
    expect(requests[0]).toMatchObject({ note: '请让我加入' });
    expect(typeof requests[0]!.ts).toBe('number');

    expect(await code(m, 'group.approve', { groupId, userId: asker.userId })).toBe('FORBIDDEN');
    expect(await code(m, 'group.reject', { groupId, userId: other.userId })).toBe('FORBIDDEN');
    await a.call('group.approve', { groupId, userId: asker.userId });
    expect(await nextSystem(k, groupId, 'member.joined')).toMatchObject({ body: { actor: admin.userId, targets: [asker.userId] } });
    await o.call('group.reject', { groupId, userId: other.userId });
    expect(await code(o, 'group.approve', { groupId, userId: other.userId })).toBe('NOT_FOUND');
    expect(await code(o, 'group.reject', { groupId, userId: other.userId })).toBe('NOT_FOUND');
    expect((await o.call('group.requests', { groupId })).requests).toEqual([]);
    expect(await code(r, 'send', { convId: gconv(groupId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).toBe('FORBIDDEN');
    await k.sendText(gconv(groupId), 'thanks');
  });

  it('invite groups: group.join is FORBIDDEN, only the owner and admins invite', async () => {
    const [owner, admin, member, x, y] = await Promise.all([srv.user('io'), srv.user('ia'), srv.user('im'), srv.user('ix'), srv.user('iy')]);
    const [o, a, m, cx] = await online(srv, owner, admin, member, x);
    const groupId = await createGroup(o, [admin, member], 'invite');
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    expect(await code(cx, 'group.join', { groupId })).toBe('FORBIDDEN');
    expect(await code(m, 'group.invite', { groupId, userIds: [x.userId] })).toBe('FORBIDDEN');
    await a.call('group.invite', { groupId, userIds: [x.userId] });
    await o.call('group.invite', { groupId, userIds: [y.userId] });
    expect((await o.call('group.info', { groupId })).memberCount).toBe(5);
    await nextSystem(cx, groupId, 'member.invited');
  });

  it('kick: owner and admins only; an admin cannot kick an admin or the owner; nobody kicks themselves', async () => {
    const [owner, a1u, a2u, m1u, m2u] = await Promise.all([srv.user('ko'), srv.user('ka'), srv.user('kb'), srv.user('km'), srv.user('kn')]);
    const [o, a1, , m1] = await online(srv, owner, a1u, a2u, m1u);
    const groupId = await createGroup(o, [a1u, a2u, m1u, m2u]);
    await o.call('group.admins', { groupId, userIds: [a1u.userId, a2u.userId], admin: true });
    expect(await code(m1, 'group.kick', { groupId, userIds: [m2u.userId] })).toBe('FORBIDDEN');
    expect(await code(a1, 'group.kick', { groupId, userIds: [a2u.userId] })).toBe('FORBIDDEN');
    expect(await code(a1, 'group.kick', { groupId, userIds: [owner.userId] })).toBe('FORBIDDEN');
    expect(await code(a1, 'group.kick', { groupId, userIds: [a1u.userId] })).toBe('BAD_REQUEST');
    await a1.call('group.kick', { groupId, userIds: [m2u.userId] });
    expect(await nextSystem(m1, groupId, 'member.kicked')).toMatchObject({ body: { actor: a1u.userId, targets: [m2u.userId] } });
    await o.call('group.kick', { groupId, userIds: [a2u.userId] });
    expect(await nextSystem(m1, groupId, 'member.kicked')).toMatchObject({ body: { actor: owner.userId, targets: [a2u.userId] } });
    const info = await o.call('group.info', { groupId });
    expect(info.memberCount).toBe(3);
    expect(info.admins).toEqual([a1u.userId]);
  });

  it('removed members get the entry that removes them and a conv event marked removed, then nothing; history is FORBIDDEN', async () => {
    const [owner, kicked, stays] = await Promise.all([srv.user('ro'), srv.user('rk'), srv.user('rs')]);
    const [o, k, s] = await online(srv, owner, kicked, stays);
    const groupId = await createGroup(o, [kicked, stays]);
    await o.sendText(gconv(groupId), 'before');
    await k.nextEvent('msg', (e) => e.convId === gconv(groupId) && e.seq === 2);

    await o.call('group.kick', { groupId, userIds: [kicked.userId] });
    const removal = await nextSystem(k, groupId, 'member.kicked');
    expect(removal).toMatchObject({ seq: 3, body: { actor: owner.userId, targets: [kicked.userId] } });
    expect(await k.nextEvent('conv', (c) => c.convId === gconv(groupId) && c.removed === true)).toMatchObject({ kind: 'group', lastSeq: 3 });

    const after = await o.sendText(gconv(groupId), 'after');
    await s.nextEvent('msg', (e) => e.convId === gconv(groupId) && e.seq === after.seq);
    await o.call('group.update', { groupId, name: 'Renamed' });
    await nextSystem(s, groupId, 'group.updated');
    await settled(k);
    expect(received(k, groupId).map((e) => e.seq)).not.toContain(after.seq);
    expect(received(k, groupId).filter((e) => e.seq > 3)).toEqual([]);
    expect(k.bufferedEvents('conv').filter((c) => c.convId === gconv(groupId) && c.lastSeq > 3)).toEqual([]);

    expect(await code(k, 'history', { convId: gconv(groupId) })).toBe('FORBIDDEN');
    expect(await code(k, 'send', { convId: gconv(groupId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).toBe('FORBIDDEN');
    expect(await code(k, 'group.members', { groupId })).toBe('FORBIDDEN');
    expect(await code(k, 'read', { convId: gconv(groupId), seq: 4 })).toBe('FORBIDDEN');
    expect(await k.conversation(gconv(groupId))).toBeUndefined();

    // Joining an open group again makes the member active again.
    expect(await k.call('group.join', { groupId })).toEqual({ status: 'joined' });
    expect((await k.history(gconv(groupId))).at(-1)).toMatchObject({ kind: 'system', body: { event: 'member.joined' } });
    expect(await k.conversation(gconv(groupId))).toMatchObject({ title: 'Renamed' });
  });

  it('leave: the leaver gets member.left and nothing after; the owner cannot leave', async () => {
    const [owner, leaver, stays] = await Promise.all([srv.user('lo'), srv.user('ll'), srv.user('ls')]);
    const [o, l, s] = await online(srv, owner, leaver, stays);
    const groupId = await createGroup(o, [leaver, stays]);
    expect(await code(o, 'group.leave', { groupId })).toBe('FORBIDDEN');
    await l.call('group.leave', { groupId });
    expect(await nextSystem(l, groupId, 'member.left')).toMatchObject({ body: { actor: leaver.userId, targets: [leaver.userId] } });
    await l.nextEvent('conv', (c) => c.convId === gconv(groupId) && c.removed === true);
    await nextSystem(s, groupId, 'member.left');
    const after = await s.sendText(gconv(groupId), 'bye');
    await o.nextEvent('msg', (e) => e.seq === after.seq && e.convId === gconv(groupId));
    await settled(l);
    expect(received(l, groupId).map((e) => e.seq)).not.toContain(after.seq);
    expect(await code(l, 'history', { convId: gconv(groupId) })).toBe('FORBIDDEN');
    expect(await code(l, 'group.leave', { groupId })).toBe('FORBIDDEN');
  });

  it('dismiss: owner only; everyone gets group.dismissed; then the group answers NOT_FOUND', async () => {
    const [owner, admin, member] = await Promise.all([srv.user('do'), srv.user('da'), srv.user('dm')]);
    const [o, a, m] = await online(srv, owner, admin, member);
    const groupId = await createGroup(o, [admin, member]);
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    expect(await code(a, 'group.dismiss', { groupId })).toBe('FORBIDDEN');
    expect(await code(m, 'group.dismiss', { groupId })).toBe('FORBIDDEN');
    await o.call('group.dismiss', { groupId });
    for (const c of [o, a, m]) {
      expect(await nextSystem(c, groupId, 'group.dismissed')).toMatchObject({ body: { actor: owner.userId } });
      await c.nextEvent('conv', (v) => v.convId === gconv(groupId) && v.removed === true);
    }
    for (const [op, body] of [
      ['group.info', { groupId }],
      ['group.members', { groupId }],
      ['group.join', { groupId }],
      ['group.leave', { groupId }],
      ['group.dismiss', { groupId }],
      ['group.update', { groupId, name: 'x' }],
      ['group.invite', { groupId, userIds: [member.userId] }],
      ['history', { convId: gconv(groupId) }],
      ['send', { convId: gconv(groupId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } }],
    ] as const) {
      expect(await code(o, op, body), op).toBe('NOT_FOUND');
    }
    expect(await m.conversation(gconv(groupId))).toBeUndefined();
    expect(await code(o, 'group.create', { groupId, name: 'reuse', members: [], joinPolicy: 'open' })).toBe('CONFLICT');
  });

  it('transfer: owner only; the old owner becomes an admin and loses owner rights', async () => {
    const [owner, next, member] = await Promise.all([srv.user('to'), srv.user('tn'), srv.user('tm')]);
    const [o, n, m] = await online(srv, owner, next, member);
    const groupId = await createGroup(o, [next, member]);
    expect(await code(n, 'group.transfer', { groupId, userId: member.userId })).toBe('FORBIDDEN');
    expect(await code(o, 'group.transfer', { groupId, userId: 'not-in-group-zz' })).toBe('NOT_FOUND');
    await o.call('group.transfer', { groupId, userId: next.userId });
    expect(await nextSystem(m, groupId, 'owner.transferred')).toMatchObject({ body: { actor: owner.userId, targets: [next.userId] } });
    const info = await m.call('group.info', { groupId });
    expect(info.owner).toBe(next.userId);
    expect(info.admins).toEqual([owner.userId]);
    expect((await m.call('group.members', { groupId })).members.slice(0, 2)).toEqual([
      { userId: next.userId, role: 'owner' },
      { userId: owner.userId, role: 'admin' },
    ]);
    expect(await code(o, 'group.dismiss', { groupId })).toBe('FORBIDDEN');
    expect(await code(o, 'group.admins', { groupId, userIds: [member.userId], admin: true })).toBe('FORBIDDEN');
    await o.call('group.kick', { groupId, userIds: [member.userId] }); // still an admin
    await n.call('group.dismiss', { groupId });
  });

  it('admins: owner only; admins.changed names who changed', async () => {
    const [owner, x, y] = await Promise.all([srv.user('ho'), srv.user('hx'), srv.user('hy')]);
    const [o, cx, cy] = await online(srv, owner, x, y);
    const groupId = await createGroup(o, [x, y]);
    expect(await code(cx, 'group.admins', { groupId, userIds: [y.userId], admin: true })).toBe('FORBIDDEN');
    await o.call('group.admins', { groupId, userIds: [x.userId, y.userId], admin: true });
    expect(await nextSystem(cy, groupId, 'admins.changed')).toMatchObject({ body: { actor: owner.userId, targets: [x.userId, y.userId], admin: true } });
    expect(await code(cx, 'group.admins', { groupId, userIds: [y.userId], admin: false })).toBe('FORBIDDEN');
    await o.call('group.admins', { groupId, userIds: [x.userId], admin: false });
    expect(await nextSystem(cy, groupId, 'admins.changed')).toMatchObject({ body: { targets: [x.userId], admin: false } });
    expect((await o.call('group.info', { groupId })).admins).toEqual([y.userId]);
    expect(await code(o, 'group.admins', { groupId, userIds: [owner.userId], admin: true })).toBe('BAD_REQUEST');
    expect(await code(o, 'group.admins', { groupId, userIds: ['not-in-group-zz'], admin: true })).toBe('NOT_FOUND');
  });

  it('update: owner and admins; group.updated carries the change; members get conv events with the new title', async () => {
    const [owner, admin, member] = await Promise.all([srv.user('uo'), srv.user('ua'), srv.user('um')]);
    const [o, a, m] = await online(srv, owner, admin, member);
    const groupId = await createGroup(o, [admin, member]);
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    expect(await code(m, 'group.update', { groupId, name: 'Mine now' })).toBe('FORBIDDEN');
    expect(await code(a, 'group.update', { groupId })).toBe('BAD_REQUEST');
    await a.call('group.update', { groupId, name: '新名字', announcement: 'Be kind', joinPolicy: 'approval' });
    expect(await nextSystem(m, groupId, 'group.updated')).toMatchObject({
      body: { actor: admin.userId, name: '新名字', announcement: 'Be kind', joinPolicy: 'approval' },
    });
    expect(await m.nextEvent('conv', (c) => c.convId === gconv(groupId) && c.title === '新名字')).toMatchObject({ kind: 'group' });
    expect(await m.call('group.info', { groupId })).toMatchObject({ name: '新名字', announcement: 'Be kind', joinPolicy: 'approval' });
    expect(await m.conversation(gconv(groupId))).toMatchObject({ title: '新名字' });
  });

  it('mute: a muted member gets MUTED; 0 unmutes; mutedAll leaves the owner and admins able to speak', async () => {
    const [owner, admin, member, other] = await Promise.all([srv.user('mo'), srv.user('ma'), srv.user('mm'), srv.user('mx')]);
    const [o, a, m, x] = await online(srv, owner, admin, member, other);
    const groupId = await createGroup(o, [admin, member, other]);
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    const conv = gconv(groupId);
    const until = Date.now() + 3_600_000;
    expect(await code(m, 'group.mute', { groupId, userId: other.userId, untilTs: until })).toBe('FORBIDDEN');
    expect(await code(a, 'group.mute', { groupId, userId: owner.userId, untilTs: until })).toBe('FORBIDDEN');
    await o.call('group.admins', { groupId, userIds: [other.userId], admin: true });
    expect(await code(a, 'group.mute', { groupId, userId: other.userId, untilTs: until })).toBe('FORBIDDEN'); // admin vs admin
    await o.call('group.admins', { groupId, userIds: [other.userId], admin: false });

    await a.call('group.mute', { groupId, userId: member.userId, untilTs: until });
    expect(await nextSystem(x, groupId, 'group.muted')).toMatchObject({ body: { actor: admin.userId, targets: [member.userId], untilTs: until } });
    const muted = await m.fail('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'let me talk' } });
    expect(muted.code).toBe('MUTED');
    expect((await o.call('group.members', { groupId })).members.find((e) => e.userId === member.userId)).toEqual({ userId: member.userId, role: 'member', mutedUntil: until });
    await x.sendText(conv, 'others still speak');
    await a.call('group.mute', { groupId, userId: member.userId, untilTs: 0 });
    await m.sendText(conv, 'free again');
    expect((await o.call('group.members', { groupId })).members.find((e) => e.userId === member.userId)).toEqual({ userId: member.userId, role: 'member' });

    await o.call('group.mute', { groupId, untilTs: until });
    const all = await x.nextEvent('msg', (e) => isSystem(e, groupId, 'group.muted') && !('targets' in e.body));
    expect(all.body).toEqual({ event: 'group.muted', actor: owner.userId, untilTs: until });
    expect((await x.call('group.info', { groupId })).mutedAll).toBe(true);
    expect(await code(m, 'send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).toBe('MUTED');
    expect(await code(x, 'send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).toBe('MUTED');
    await a.sendText(conv, 'admins speak');
    await o.sendText(conv, 'owners speak');
    await a.call('group.mute', { groupId, untilTs: 0 });
    expect((await x.call('group.info', { groupId })).mutedAll).toBe(false);
    await x.sendText(conv, 'everyone again');
  });

  it('recall: own entries within the window; the owner and admins recall anyone’s', async () => {
    const [owner, admin, m1u, m2u] = await Promise.all([srv.user('co'), srv.user('ca'), srv.user('cm'), srv.user('cn')]);
    const [o, a, m1, m2] = await online(srv, owner, admin, m1u, m2u);
    const groupId = await createGroup(o, [admin, m1u, m2u]);
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    const conv = gconv(groupId);
    const own = await m1.sendText(conv, 'mine');
    const theirs = await m2.sendText(conv, 'theirs');
    const admins = await a.sendText(conv, 'admin says');
    expect(await code(m1, 'recall', { convId: conv, seq: theirs.seq })).toBe('FORBIDDEN');
    expect(await code(m1, 'recall', { convId: conv, seq: admins.seq })).toBe('FORBIDDEN');
    await m1.call('recall', { convId: conv, seq: own.seq });
    const byAdmin = await a.call('recall', { convId: conv, seq: theirs.seq });
    expect(await m2.nextEvent('msg', (e) => e.convId === conv && e.seq === byAdmin.seq)).toMatchObject({ kind: 'recall', from: admin.userId, body: { seq: theirs.seq } });
    await o.call('recall', { convId: conv, seq: admins.seq });
    const history = await m2.history(conv);
    for (const seq of [own.seq, theirs.seq, admins.seq]) expect(history.find((e) => e.seq === seq)).toMatchObject({ recalled: true, body: {} });
    expect(await code(a, 'recall', { convId: conv, seq: 1 })).toBe('BAD_REQUEST'); // system entries stay
  });

  it('@all: owner and admins only; mentions of members are for everyone', async () => {
    const [owner, admin, member] = await Promise.all([srv.user('eo'), srv.user('ea'), srv.user('em')]);
    const [o, a, m] = await online(srv, owner, admin, member);
    const groupId = await createGroup(o, [admin, member]);
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    const conv = gconv(groupId);
    const send = (c: WsClient, mentions: string[]) => c.req('send', { convId: conv, clientMsgId: randomUUID(), kind: 'text', body: { text: '@ you' }, mentions });
    const refused = await send(m, ['@all']);
    expect(refused.ok ? 'ok' : refused.error.code).toBe('FORBIDDEN');
    expect((await send(m, [owner.userId, admin.userId])).ok).toBe(true);
    expect((await send(a, ['@all'])).ok).toBe(true);
    expect((await send(o, ['@all'])).ok).toBe(true);
    const last = await m.nextEvent('msg', (e) => e.convId === conv && e.from === owner.userId && e.kind === 'text');
    expect(last.mentions).toEqual(['@all']);
  });

  it('read: the read event goes to the reader’s other devices only; group.readCount counts the readers', async () => {
    const [owner, r1u, r2u] = await Promise.all([srv.user('qo'), srv.user('qa'), srv.user('qb')]);
    const [o, r1a, r1b, r2] = await online(srv, owner, r1u, r1u, r2u);
    const groupId = await createGroup(o, [r1u, r2u]);
    const conv = gconv(groupId);
    const sent = await o.sendText(conv, 'did you read this?');
    expect(await o.call('group.readCount', { groupId, seq: sent.seq })).toEqual({ count: 0, total: 2 });
    await r1a.call('read', { convId: conv, seq: sent.seq });
    expect(await r1b.nextEvent('read', (e) => e.convId === conv)).toEqual({ convId: conv, userId: r1u.userId, seq: sent.seq });
    expect(await o.call('group.readCount', { groupId, seq: sent.seq })).toEqual({ count: 1, total: 2 });
    await r2.call('read', { convId: conv, seq: sent.seq + 10 });
    expect(await r2.call('group.readCount', { groupId, seq: sent.seq })).toEqual({ count: 2, total: 2 });
    expect((await r2.conversation(conv))?.readSeq).toBe(sent.seq);
    await settled(o);
    await settled(r1a);
    expect(o.bufferedEvents('read')).toEqual([]);
    expect(r1a.bufferedEvents('read')).toEqual([]);
    expect(await code(o, 'group.readCount', { groupId, seq: 999 })).toBe('NOT_FOUND');
  });

  it('records every change as a system entry, in order with the messages; an offline member catches up by sync + history', async () => {
    const [owner, away, m2u, extra] = await Promise.all([srv.user('so'), srv.user('sa'), srv.user('sm'), srv.user('se')]);
    const [o, w, m2] = await online(srv, owner, away, m2u);
    const groupId = await createGroup(o, [away, m2u]);
    const conv = gconv(groupId);
    await nextSystem(w, groupId, 'group.created');
    const held = 1;
    w.close();
    await w.closed;

    await o.sendText(conv, 'one');
    await o.call('group.update', { groupId, name: 'Later name' });
    await o.call('group.invite', { groupId, userIds: [extra.userId] });
    await m2.sendText(conv, 'two');
    await o.call('group.admins', { groupId, userIds: [m2u.userId], admin: true });
    await o.call('group.mute', { groupId, untilTs: Date.now() + 60_000 });
    await m2.call('group.kick', { groupId, userIds: [extra.userId] });
    await o.call('group.transfer', { groupId, userId: m2u.userId });
    await o.sendText(conv, 'three');

    const [back] = await online(srv, away);
    const listed = await back.conversation(conv);
    expect(listed).toMatchObject({ title: 'Later name', lastSeq: 10, readSeq: 0 });
    const entries = await back.history(conv, { afterSeq: held });
    expect(entries.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(entries.map((e) => (e.kind === 'system' ? (e.body as { event: string }).event : (e.body as { text: string }).text))).toEqual([
      'one',
      'group.updated',
      'member.invited',
      'two',
      'admins.changed',
      'group.muted',
      'member.kicked',
      'owner.transferred',
      'three',
    ]);
    expect(entries[6]).toMatchObject({ from: m2u.userId, body: { actor: m2u.userId, targets: [extra.userId] } });
  });

  it('pages group.members (owner first, then admins, then members), every member exactly once', async () => {
    const owner = await srv.user('po');
    const others = await Promise.all(Array.from({ length: 11 }, () => srv.user('pm')));
    const [o] = await online(srv, owner);
    const groupId = await createGroup(o, others);
    const admins = [others[7]!.userId, others[3]!.userId];
    await o.call('group.admins', { groupId, userIds: admins, admin: true });
    const seen: Array<{ userId: string; role: string }> = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await o.call('group.members', { groupId, limit: 5, ...(cursor ? { cursor } : {}) });
      expect(page.members.length).toBeLessThanOrEqual(5);
      seen.push(...page.members);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen[0]).toEqual({ userId: owner.userId, role: 'owner' });
    expect(seen.slice(1, 3).map((m) => m.role)).toEqual(['admin', 'admin']);
    expect(seen.slice(1, 3).map((m) => m.userId).sort()).toEqual([...admins].sort());
    expect(seen.slice(3).every((m) => m.role === 'member')).toBe(true);
    expect(new Set(seen.map((m) => m.userId)).size).toBe(12);
    expect(await code(o, 'group.members', { groupId, cursor: 'garbage' })).toBe('BAD_REQUEST');
    expect(await code(o, 'group.members', { groupId, limit: 501 })).toBe('BAD_REQUEST');
  });
});

describe('group size limit (maxGroupMembers = 4)', () => {
  const srv = useServer({ sendRate: 0, maxGroupMembers: 4 });

  it('answers GROUP_FULL beyond the limit, counting the owner, for create, invite, join and approve', async () => {
    const people = await Promise.all(Array.from({ length: 9 }, () => srv.user('fz')));
    const [owner, ...rest] = people;
    const [o] = await online(srv, owner!);
    expect(await code(o, 'group.create', { name: 'too big', members: rest.slice(0, 4).map((u) => u.userId), joinPolicy: 'open' })).toBe('GROUP_FULL');
    const groupId = await createGroup(o, rest.slice(0, 2)); // 3 of 4
    expect(await code(o, 'group.invite', { groupId, userIds: [rest[2]!.userId, rest[3]!.userId] })).toBe('GROUP_FULL');
    expect((await o.call('group.info', { groupId })).memberCount).toBe(3);

    // Concurrent joins for the last place: exactly one gets it.
    const joiners = await online(srv, ...rest.slice(2, 7));
    const answers = await Promise.all(joiners.map((c) => c.req('group.join', { groupId })));
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.filter((a) => !a.ok).map((a) => (a.ok ? '' : a.error.code))).toEqual(['GROUP_FULL', 'GROUP_FULL', 'GROUP_FULL', 'GROUP_FULL']);
    expect((await o.call('group.info', { groupId })).memberCount).toBe(4);

    const approvalId = await createGroup(o, rest.slice(0, 2), 'approval');
    const [asker1, asker2] = await online(srv, rest[6]!, rest[7]!);
    expect(await asker1!.call('group.join', { groupId: approvalId })).toEqual({ status: 'pending' });
    expect(await asker2!.call('group.join', { groupId: approvalId })).toEqual({ status: 'pending' });
    await o.call('group.approve', { groupId: approvalId, userId: rest[6]!.userId });
    expect(await code(o, 'group.approve', { groupId: approvalId, userId: rest[7]!.userId })).toBe('GROUP_FULL');
  });

  it('create: a user who blocked the creator is not added; the others are, and the answer names who was not', async () => {
    const [mallory, bob, carol] = await Promise.all([srv.user('bm'), srv.user('bb'), srv.user('bc')]);
    const [m, b, c] = await online(srv, mallory, bob, carol);
    await b.call('block', { userId: mallory.userId });

    const answer = await m.call('group.create', { name: 'Reach', members: [bob.userId, carol.userId], joinPolicy: 'open' });
    expect(answer).toEqual({ groupId: answer.groupId, notAdded: [bob.userId] });
    const { groupId } = answer;
    const created = await nextSystem(c, groupId, 'group.created');
    expect(created.body).toMatchObject({ actor: mallory.userId, targets: [carol.userId] });
    expect((await c.call('group.members', { groupId })).members.map((x) => x.userId).sort()).toEqual([mallory.userId, carol.userId].sort());
    expect(await c.call('group.info', { groupId })).toMatchObject({ memberCount: 2 });

    // Bob is not reachable through it: the message reaches carol, and bob (after a round trip) got nothing of the group.
    await m.sendText(gconv(groupId), 'can you hear me?');
    await c.nextEvent('msg', (e) => e.convId === gconv(groupId) && e.kind === 'text');
    await settled(b);
    expect(received(b, groupId)).toEqual([]);
    expect(b.bufferedEvents('conv').filter((x) => x.convId === gconv(groupId))).toEqual([]);
    expect(await b.conversation(gconv(groupId))).toBeUndefined();
    expect(await code(b, 'history', { convId: gconv(groupId) })).toBe('FORBIDDEN');

    // A group of blockers only is created with its owner alone; without blocks the answer is part 1's.
    const alone = await m.call('group.create', { name: 'Alone', members: [bob.userId], joinPolicy: 'open' });
    expect(alone.notAdded).toEqual([bob.userId]);
    expect(await m.call('group.info', { groupId: alone.groupId })).toMatchObject({ memberCount: 1 });
    const plain = await c.call('group.create', { name: 'Plain', members: [bob.userId, mallory.userId], joinPolicy: 'open' });
    expect(plain).toEqual({ groupId: plain.groupId });
  });

  it('invite: a user who blocked the inviter is not added; the others are; someone else may still invite them', async () => {
    const [owner, mallory, bob, carol] = await Promise.all([srv.user('io'), srv.user('im'), srv.user('ib'), srv.user('ic')]);
    const [o, m, b] = await online(srv, owner, mallory, bob);
    await b.call('block', { userId: mallory.userId });
    const groupId = await createGroup(o, [mallory]);

    expect(await m.call('group.invite', { groupId, userIds: [bob.userId, carol.userId] })).toEqual({ notAdded: [bob.userId] });
    const invited = await nextSystem(o, groupId, 'member.invited');
    expect(invited.body).toMatchObject({ actor: mallory.userId, targets: [carol.userId] });
    expect(await o.call('group.info', { groupId })).toMatchObject({ memberCount: 3 });

    // Only blockers named: nothing is written.
    const before = (await o.conversation(gconv(groupId)))?.lastSeq;
    expect(await m.call('group.invite', { groupId, userIds: [bob.userId] })).toEqual({ notAdded: [bob.userId] });
    expect((await o.conversation(gconv(groupId)))?.lastSeq).toBe(before);
    await settled(b);
    expect(received(b, groupId)).toEqual([]);
    expect(await code(b, 'history', { convId: gconv(groupId) })).toBe('FORBIDDEN');

    // Invited by someone bob did not block, he is added, and in the group they share bob gets mallory's messages
    // (one log for every member: docs/protocol.md, "Privacy").
    expect(await o.call('group.invite', { groupId, userIds: [bob.userId] })).toEqual({});
    await nextSystem(b, groupId, 'member.invited');
    await m.sendText(gconv(groupId), 'hello everyone');
    expect(await b.nextEvent('msg', (e) => e.convId === gconv(groupId) && e.kind === 'text')).toMatchObject({ from: mallory.userId });
  });
});

describe('groups across a restart', () => {
  const srv = useServer({ sendRate: 0 });

  it('keeps members, roles and settings; fan-out after the restart reaches the members', async () => {
    const [owner, admin, member] = await Promise.all([srv.user('wo'), srv.user('wa'), srv.user('wm')]);
    const [o] = await online(srv, owner);
    const groupId = await createGroup(o, [admin, member], 'approval', '重启');
    await o.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    await o.call('group.mute', { groupId, userId: member.userId, untilTs: Date.now() + 3_600_000 });
    await srv.restart();
    const [o2, a2, m2] = await online(srv, owner, admin, member);
    expect(await m2.call('group.info', { groupId })).toMatchObject({ name: '重启', owner: owner.userId, admins: [admin.userId], joinPolicy: 'approval', memberCount: 3 });
    expect(await code(m2, 'send', { convId: gconv(groupId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'x' } })).toBe('MUTED');
    const ack = await a2.sendText(gconv(groupId), 'still here');
    expect(ack.seq).toBe(4);
    await m2.nextEvent('msg', (e) => e.convId === gconv(groupId) && e.seq === 4);
    await o2.nextEvent('msg', (e) => e.convId === gconv(groupId) && e.seq === 4);
  });
});

describe('typing in groups', () => {
  const srv = useServer({ sendRate: 0, typingMaxGroupMembers: 3 });

  it('reaches the other members of a small group, and nobody in a group above typingMaxGroupMembers', async () => {
    const [alice, bob, carol, dave] = await Promise.all([srv.user('ta'), srv.user('tb'), srv.user('tc'), srv.user('td')]);
    const [a, b] = await online(srv, alice, bob);
    const small = await createGroup(a, [bob, carol]);
    const big = await createGroup(a, [bob, carol, dave]);
    await b.call('typing', { convId: gconv(small) });
    expect(await a.nextEvent('typing', (t) => t.convId === gconv(small))).toEqual({ convId: gconv(small), userId: bob.userId });
    expect(await b.call('typing', { convId: gconv(big) })).toEqual({});
    await b.call('typing', { convId: gconv(small) }); // a marker: arrives after anything the big group sent
    await a.nextEvent('typing', (t) => t.convId === gconv(small));
    await settled(a);
    expect(a.bufferedEvents('typing').filter((t) => t.convId === gconv(big))).toEqual([]);
  });
});
