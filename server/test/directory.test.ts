/** docs/protocol.md part 2, "Directory": users.search, groups.search, directory.optOut, group.update's `public`. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pconv, useServer, type TestServer, type TestUser, type WsClient } from './harness.js';

/** A prefix of ids no other test uses (tests share the server). */
function tag(): string {
  return `d${randomUUID().slice(0, 6)}`;
}

async function code(c: WsClient, op: string, body: unknown): Promise<string> {
  return (await c.fail(op, body)).code;
}

async function signedIn(srv: TestServer, userId: string, name: string): Promise<{ user: TestUser; c: WsClient }> {
  const user = await srv.register(userId, name);
  return { user, c: await srv.device(user) };
}

/** Every user a query finds, page after page of `limit`; fails on a repeated user. */
async function allPages(c: WsClient, query: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await c.call('users.search', cursor === undefined ? { query, limit } : { query, limit, cursor });
    pages++;
    expect(page.users.length).toBeLessThanOrEqual(limit);
    ids.push(...page.users.map((u) => u.userId));
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages < 100);
  expect(new Set(ids).size).toBe(ids.length);
  return { ids, pages };
}

describe('directory: users.search', () => {
  const srv = useServer({ sendRate: 0 });

  it('finds by exact id first, then id prefix, then name; case, accents and width folded; CJK substrings', async () => {
    const t = tag();
    const { c } = await signedIn(srv, `${t}-searcher`, 'Searcher');
    await srv.register(`${t}jo`, 'Someone');
    await srv.register(`${t}jo-2`, 'Second');
    await srv.register(`${t}x-jose`, 'José Ortiz');
    await srv.register(`${t}x-wide`, 'ＪＯＳＥ Wide');
    await srv.register(`${t}x-wang`, '王小明');
    await srv.register(`${t}x-other`, 'Another');

    const byId = await c.call('users.search', { query: `${t}jo` });
    expect(byId.users.map((u) => u.userId)).toEqual([`${t}jo`, `${t}jo-2`]);
    expect(byId.nextCursor).toBeUndefined();
    expect(byId.users[0]).toMatchObject({ userId: `${t}jo`, name: 'Someone', online: false, lastSeen: 0 });

    const jose = (await c.call('users.search', { query: 'jose' })).users.map((u) => u.userId).filter((id) => id.startsWith(t));
    expect(jose).toEqual([`${t}x-jose`, `${t}x-wide`]);
    const accented = (await c.call('users.search', { query: 'JOSÉ' })).users.map((u) => u.userId).filter((id) => id.startsWith(t));
    expect(accented).toEqual(jose);

    const chinese = await c.call('users.search', { query: '小明' });
    expect(chinese.users.map((u) => u.userId).filter((id) => id.startsWith(t))).toEqual([`${t}x-wang`]);
    expect(chinese.users.find((u) => u.userId === `${t}x-wang`)?.name).toBe('王小明');

    // The searcher never finds themselves, not even by exact id.
    expect((await c.call('users.search', { query: `${t}-searcher` })).users).toEqual([]);
    // An exact id outranks a name that contains the query.
    await srv.register(`${t}z`, `Has ${t}jo-2 in the name`);
    expect((await c.call('users.search', { query: `${t}jo-2` })).users.map((u) => u.userId)).toEqual([`${t}jo-2`, `${t}z`]);
  });

  it('finds a name as changed through the admin API, and no longer by the old one', async () => {
    const t = tag();
    const { c } = await signedIn(srv, `${t}-searcher`, 'Searcher');
    await srv.register(`${t}-renamed`, `Old ${t}`);
    const res = await srv.admin('POST', '/v1/admin/users', { userId: `${t}-renamed`, name: `Nouvelle Étoile ${t}` });
    expect(res.status).toBeLessThan(300);
    expect((await c.call('users.search', { query: `old ${t}` })).users).toEqual([]);
    expect((await c.call('users.search', { query: `etoile ${t}` })).users.map((u) => u.userId)).toEqual([`${t}-renamed`]);
  });

  it('finds traditional and simplified Chinese names by either script', async () => {
    const t = tag();
    const { c } = await signedIn(srv, `${t}-searcher`, 'Searcher');
    await srv.register(`${t}x-trad`, '陳曉明');
    await srv.register(`${t}x-simp`, '陈晓东');
    const ours = async (query: string) => (await c.call('users.search', { query })).users.map((u) => u.userId).filter((id) => id.startsWith(t));
    expect(await ours('陈晓')).toEqual([`${t}x-simp`, `${t}x-trad`]);
    expect(await ours('陳曉')).toEqual([`${t}x-simp`, `${t}x-trad`]);
    expect(await ours('晓明')).toEqual([`${t}x-trad`]);
    expect(await ours('曉東')).toEqual([`${t}x-simp`]);
  });

  it('pages by cursor without repeating anyone, until every match is listed', async () => {
    const t = tag();
    const { c } = await signedIn(srv, `${t}-searcher`, 'Searcher');
    const ids = Array.from({ length: 23 }, (_, i) => `${t}p${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await srv.register(id, i % 2 === 0 ? 'Page Person' : `Friend of ${t}p`);
    const { ids: found, pages } = await allPages(c, `${t}p`, 5);
    expect(pages).toBe(5);
    expect(found.sort()).toEqual([...ids].sort());
    // The default page is 20.
    const first = await c.call('users.search', { query: `${t}p` });
    expect(first.users).toHaveLength(20);
    expect(typeof first.nextCursor).toBe('string');
  });

  it('shows presence only where the privacy rule lets the searcher see it', async () => {
    const t = tag();
    const { user: me, c } = await signedIn(srv, `${t}-me`, 'Me');
    const { user: friend } = await signedIn(srv, `${t}-friend`, `Presence ${t}`);
    const { user: stranger } = await signedIn(srv, `${t}-stranger`, `Presence ${t}`);
    await c.call('send', { convId: pconv(me.userId, friend.userId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'hi' } });
    const users = (await c.call('users.search', { query: `presence ${t}` })).users;
    expect(users.find((u) => u.userId === friend.userId)).toMatchObject({ online: true });
    expect(users.find((u) => u.userId === stranger.userId)).toMatchObject({ online: false, lastSeen: 0 });
    // The same answers as users.get.
    expect(users).toEqual((await c.call('users.get', { userIds: [friend.userId, stranger.userId] })).users);
  });

  it('directory.optOut hides a user from name and prefix search, not from an exact id; opting in again shows them', async () => {
    const t = tag();
    const { c } = await signedIn(srv, `${t}-searcher`, 'Searcher');
    const { c: hider } = await signedIn(srv, `${t}-hider`, `Hidden ${t}`);
    expect(await hider.call('directory.optOut', { hidden: true })).toEqual({});
    expect((await c.call('users.search', { query: `hidden ${t}` })).users).toEqual([]);
    expect((await c.call('users.search', { query: `${t}-hid` })).users).toEqual([]);
    expect((await c.call('users.search', { query: `${t}-hider` })).users.map((u) => u.userId)).toEqual([`${t}-hider`]);
    await hider.call('directory.optOut', { hidden: false });
    expect((await c.call('users.search', { query: `hidden ${t}` })).users.map((u) => u.userId)).toEqual([`${t}-hider`]);
    expect(await code(hider, 'directory.optOut', {})).toBe('BAD_REQUEST');
  });

  it('hides a user who blocked the searcher from name search, not from an exact id', async () => {
    const t = tag();
    const { user: me, c } = await signedIn(srv, `${t}-me`, 'Me');
    const { c: blocker } = await signedIn(srv, `${t}-blocker`, `Blocking ${t}`);
    await blocker.call('block', { userId: me.userId });
    expect((await c.call('users.search', { query: `blocking ${t}` })).users).toEqual([]);
    expect((await c.call('users.search', { query: `${t}-blocker` })).users.map((u) => u.userId)).toEqual([`${t}-blocker`]);
  });

  it('refuses bad input with BAD_REQUEST', async () => {
    const { c } = await signedIn(srv, `${tag()}-searcher`, 'Searcher');
    for (const body of [
      {},
      { query: '' },
      { query: '   ' },
      { query: 'x'.repeat(65) },
      { query: 'x', limit: 0 },
      { query: 'x', limit: 51 },
      { query: 'x', limit: 1.5 },
      { query: 'x', cursor: 'not a cursor' },
      { query: 'x', cursor: Buffer.from('9.abc').toString('base64url') },
      { query: 'x', cursor: '' },
    ]) {
      for (const op of ['users.search', 'groups.search']) expect(await code(c, op, body), `${op} ${JSON.stringify(body)}`).toBe('BAD_REQUEST');
    }
    expect((await c.call('users.search', { query: '字'.repeat(64), limit: 50 })).users).toBeInstanceOf(Array);
  });
});

describe('directory with PARLEY_DIRECTORY=none', () => {
  const srv = useServer({ directory: 'none' });

  it('finds exact ids only', async () => {
    const t = tag();
    const { c } = await signedIn(srv, `${t}-searcher`, 'Searcher');
    await srv.register(`${t}-alice`, `Alice ${t}`);
    expect((await c.call('users.search', { query: `alice ${t}` })).users).toEqual([]);
    expect((await c.call('users.search', { query: `${t}-ali` })).users).toEqual([]);
    expect((await c.call('users.search', { query: `${t}-alice` })).users.map((u) => u.userId)).toEqual([`${t}-alice`]);
  });
});

describe('directory with PARLEY_DIRECTORY=contacts-of-contacts', () => {
  const srv = useServer({ directory: 'contacts-of-contacts', sendRate: 0 });

  it('finds by name only users who share a conversation with the searcher; anyone by exact id', async () => {
    const t = tag();
    const { user: me, c } = await signedIn(srv, `${t}-me`, 'Me');
    const { user: peer } = await signedIn(srv, `${t}-peer`, `Known ${t}`);
    const { user: member } = await signedIn(srv, `${t}-member`, `Known ${t}`);
    await signedIn(srv, `${t}-stranger`, `Known ${t}`);
    await c.call('send', { convId: pconv(me.userId, peer.userId), clientMsgId: randomUUID(), kind: 'text', body: { text: 'hi' } });
    await c.call('group.create', { name: 'G', members: [member.userId], joinPolicy: 'invite' });
    expect((await c.call('users.search', { query: `known ${t}` })).users.map((u) => u.userId)).toEqual([`${t}-member`, `${t}-peer`]);
    expect((await c.call('users.search', { query: `${t}-stranger` })).users.map((u) => u.userId)).toEqual([`${t}-stranger`]);
  });
});

describe('directory: groups.search and group.update public', () => {
  const srv = useServer({ sendRate: 0 });

  it('lists public groups by name with member count and join policy; private and dismissed ones are not listed', async () => {
    const t = tag();
    const { c: owner } = await signedIn(srv, `${t}-owner`, 'Owner');
    const { user: other, c: otherC } = await signedIn(srv, `${t}-other`, 'Other');
    const { groupId: listed } = await owner.call('group.create', { name: `Café ${t} Club`, members: [other.userId], joinPolicy: 'approval' });
    const { groupId: unlisted } = await owner.call('group.create', { name: `Café ${t} Secret`, members: [], joinPolicy: 'open' });
    expect(await owner.call('group.info', { groupId: listed })).toMatchObject({ public: false });
    expect((await otherC.call('groups.search', { query: `cafe ${t}` })).groups).toEqual([]);

    // A plain member may not list the group; the owner may.
    expect(await code(otherC, 'group.update', { groupId: listed, public: true })).toBe('FORBIDDEN');
    expect(await owner.call('group.update', { groupId: listed, public: true })).toEqual({});
    expect(await owner.call('group.info', { groupId: listed })).toMatchObject({ public: true, joinPolicy: 'approval' });
    const entry = await otherC.nextEvent('msg', (e) => e.convId === `g:${listed}` && e.kind === 'system' && (e.body as { event: string }).event === 'group.updated');
    expect(entry.body).toMatchObject({ event: 'group.updated', public: true });

    const found = await otherC.call('groups.search', { query: `CAFÉ ${t}` });
    expect(found.groups).toEqual([{ groupId: listed, name: `Café ${t} Club`, memberCount: 2, joinPolicy: 'approval' }]);
    expect(found.nextCursor).toBeUndefined();
    expect((await otherC.call('groups.search', { query: listed })).groups.map((g) => g.groupId)).toEqual([listed]);
    expect((await otherC.call('groups.search', { query: unlisted })).groups).toEqual([]);

    // Paging over several public groups.
    for (let i = 0; i < 4; i++) {
      const { groupId } = await owner.call('group.create', { name: `Paged ${t} ${i}`, members: [], joinPolicy: 'open' });
      await owner.call('group.update', { groupId, public: true });
    }
    const first = await otherC.call('groups.search', { query: `paged ${t}`, limit: 3 });
    expect(first.groups).toHaveLength(3);
    const second = await otherC.call('groups.search', { query: `paged ${t}`, limit: 3, cursor: first.nextCursor });
    expect(second.groups).toHaveLength(1);
    expect(second.nextCursor).toBeUndefined();
    expect(new Set([...first.groups, ...second.groups].map((g) => g.groupId)).size).toBe(4);

    await owner.call('group.dismiss', { groupId: listed });
    expect((await otherC.call('groups.search', { query: `cafe ${t}` })).groups).toEqual([]);
  });

  it('an admin may list a group too', async () => {
    const t = tag();
    const { c: owner } = await signedIn(srv, `${t}-owner`, 'Owner');
    const { user: admin, c: adminC } = await signedIn(srv, `${t}-admin`, 'Admin');
    const { groupId } = await owner.call('group.create', { name: `Admins ${t}`, members: [admin.userId], joinPolicy: 'invite' });
    await owner.call('group.admins', { groupId, userIds: [admin.userId], admin: true });
    await adminC.call('group.update', { groupId, public: true });
    expect((await owner.call('groups.search', { query: `admins ${t}` })).groups).toEqual([{ groupId, name: `Admins ${t}`, memberCount: 2, joinPolicy: 'invite' }]);
  });
});
