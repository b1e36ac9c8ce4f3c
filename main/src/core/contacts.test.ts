/**
 * Contacts and the directory through the client core, against a real server: finding a user by part of a Chinese
 * name, request and accept between two accounts (the renderer's bus told on both sides), the local copy answering
 * offline after a restart, catching up from the last seq at start and when a live entry skips one, public groups
 * and paging, the IPC edge, and a send the server refuses because the two are not contacts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/index.js';
import type { ApiEvents, ContactsView } from '../../../preload/contract.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import { createEventBus } from '../ipc/event-bus.js';
import { openStore } from '../store/store.js';
import { CoreFixture, call, nextEvent, signUp as signUpOn } from '../test-support/cores.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import { accountKey } from './session-file.js';
import type { ClientCore } from './client-core.js';
import { Contacts } from './contacts.js';
import type { ServerConnection } from './server-connection.js';

let server: TestServer;
const fixture = new CoreFixture();
const signUp = (core: ClientCore, userId: string): Promise<void> => signUpOn(core, server, userId);

async function register(core: ClientCore, userId: string, name: string): Promise<void> {
  await call(core, 'auth.register', { serverUrl: server.url, userId, password: 'correct horse battery', name });
  await until(() => core.current?.conn.online === true, 10_000, `${userId} online`);
}

const contactIds = (v: ContactsView) => v.contacts.map((c) => c.userId).sort();

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

describe('contacts in the client core', () => {
  beforeEach(async () => {
    server = await startTestServer();
  });

  it('two users find each other by a Chinese name and become contacts; the copy survives a restart and answers offline', async () => {
    const aliceDir = tempDir('alice');
    let alice = fixture.newCore(aliceDir);
    const bob = fixture.newCore();
    await signUp(alice, 'alice');
    await register(bob, 'bob', '王小明');

    expect((await call(alice, 'contacts.list', {})).messaging).toBe('anyone');
    const { users } = await call(alice, 'directory.searchUsers', { query: '小明' });
    expect(users.map((u) => [u.userId, u.name])).toEqual([['bob', '王小明']]);

    const bobAsked = nextEvent(bob, 'contacts:changed', (v) => v.requests.some((r) => r.userId === 'alice' && r.direction === 'in'));
    expect(await call(alice, 'contacts.request', { userId: 'bob', message: '你好，我是爱丽丝' })).toEqual({ status: 'pending' });
    // Held locally by the time the call returns, with the other user's name.
    expect((await call(alice, 'contacts.list', {})).requests).toEqual([
      expect.objectContaining({ userId: 'bob', direction: 'out', message: '你好，我是爱丽丝', name: '王小明' }),
    ]);
    expect((await bobAsked).requests).toEqual([expect.objectContaining({ userId: 'alice', direction: 'in', message: '你好，我是爱丽丝', name: 'ALICE' })]);

    const aliceAdded = nextEvent(alice, 'contacts:changed', (v) => v.contacts.some((c) => c.userId === 'bob'));
    await call(bob, 'contacts.accept', { userId: 'alice' });
    expect(contactIds(await call(bob, 'contacts.list', {}))).toEqual(['alice']);
    expect((await call(bob, 'contacts.list', {})).requests).toEqual([]);
    const seen = await aliceAdded;
    expect(seen.contacts).toEqual([expect.objectContaining({ userId: 'bob', name: '王小明', remark: '', tags: [] })]);
    expect(seen.requests).toEqual([]);

    // A new name reaches the contact's list (the server's profile event).
    const renamed = nextEvent(alice, 'contacts:changed', (v) => v.contacts.some((c) => c.name === '王大明'));
    await bob.current!.conn.request('profile.update', { name: '王大明', status: '在开会' });
    expect((await renamed).contacts[0]).toMatchObject({ userId: 'bob', name: '王大明', status: '在开会' });
    await bob.current!.conn.request('profile.update', { name: '王小明' });
    await until(async () => (await call(alice, 'contacts.list', {})).contacts[0]?.name === '王小明', 10_000, 'name back');

    await call(alice, 'contacts.update', { userId: 'bob', remark: '小明', tags: ['同事'] });
    expect((await call(alice, 'contacts.list', {})).contacts[0]).toMatchObject({ remark: '小明', tags: ['同事'] });

    // The app restarts while the server is down: the list comes from the local database.
    await fixture.stopCore(alice);
    const port = server.port;
    const config = server.config;
    await server.close();
    alice = fixture.newCore(aliceDir);
    expect(alice.current?.conn.online).toBe(false);
    const offline = await call(alice, 'contacts.list', {});
    expect(offline.contacts).toEqual([expect.objectContaining({ userId: 'bob', name: '王小明', remark: '小明', tags: ['同事'] })]);
    await expect(call(alice, 'contacts.request', { userId: 'carol' })).rejects.toMatchObject({ code: 'OFFLINE' });

    // The server is back: the remark still holds and the chat works.
    server = await startTestServer({ ...config, port, dataDir: server.dataDir });
    await until(() => alice.current?.conn.online === true, 10_000, 'alice back online');
    const { convId } = await call(alice, 'conversation.startPrivate', { userId: 'bob' });
    await call(alice, 'messages.send', { convId, kind: 'text', body: { text: '见到你很高兴' } });
    await until(() => bob.current!.store.listMessages(convId).some((m) => m.body.text === '见到你很高兴'), 10_000, 'bob gets the message');
  });

  it('catches up from its last seq at start, and fills a gap when a live entry skips one', async () => {
    const aliceDir = tempDir('alice');
    let alice = fixture.newCore(aliceDir);
    const bob = fixture.newCore();
    const carol = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await signUp(carol, 'carol');
    await call(alice, 'contacts.request', { userId: 'bob' });
    await call(bob, 'contacts.accept', { userId: 'alice' });
    await until(async () => contactIds(await call(alice, 'contacts.list', {})).includes('bob'), 10_000, 'alice has bob');

    // Away: Carol asks, Bob ends the contact.
    await fixture.stopCore(alice);
    await call(carol, 'contacts.request', { userId: 'alice', message: 'hi' });
    await call(bob, 'contacts.remove', { userId: 'alice' });
    alice = fixture.newCore(aliceDir);
    await until(async () => {
      const v = await call(alice, 'contacts.list', {});
      return v.contacts.length === 0 && v.requests.some((r) => r.userId === 'carol' && r.direction === 'in');
    }, 10_000, 'alice caught up');
    const held = alice.current!.store.contacts.lastSeq();
    expect(held).toBeGreaterThanOrEqual(4);

    // This device missed entries (its copy is set back to seq 1): the next live entry skips, and sync fills the gap.
    alice.current!.store.contacts.replace({ contacts: [], requests: [], lastSeq: 1 });
    const filled = nextEvent(alice, 'contacts:changed', (v) => v.requests.length === 2);
    await call(bob, 'contacts.request', { userId: 'alice', message: 'again?' });
    const after = await filled;
    expect(after.contacts).toEqual([]);
    expect(after.requests.map((r) => [r.userId, r.direction, r.message]).sort()).toEqual([
      ['bob', 'in', 'again?'],
      ['carol', 'in', 'hi'],
    ]);
    expect(alice.current!.store.contacts.lastSeq()).toBe(held + 1);
  });

  it('finds public groups by name, pages users with the cursor, and joins an open group from the result', async () => {
    const alice = fixture.newCore();
    const bob = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    for (let i = 0; i < 3; i++) await server.register(`team${i}`, `团队成员${i}`);
    const { groupId } = await call(alice, 'groups.create', { name: '读书会', members: [], joinPolicy: 'open' });
    expect((await call(bob, 'directory.searchGroups', { query: '读书' })).groups).toEqual([]);
    await call(alice, 'group.update', { groupId, public: true });
    const { groups } = await call(bob, 'directory.searchGroups', { query: '读书' });
    expect(groups).toEqual([{ groupId, name: '读书会', memberCount: 1, joinPolicy: 'open' }]);
    expect(await call(bob, 'group.join', { groupId })).toEqual({ status: 'joined' });

    const first = await call(bob, 'directory.searchUsers', { query: '团队', limit: 2 });
    expect(first.users).toHaveLength(2);
    const rest = await call(bob, 'directory.searchUsers', { query: '团队', limit: 2, cursor: first.nextCursor! });
    expect([...first.users, ...rest.users].map((u) => u.userId).sort()).toEqual(['team0', 'team1', 'team2']);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('refuses bad contacts and directory arguments at the IPC edge, before the server sees them', async () => {
    const alice = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(fixture.newCore(), 'bob');
    const dispatcher = createDispatcher(alice.handlers);
    const ctx = { transport: 'host' as const, clientId: 't' };
    const bad = [
      ['contacts.request', { userId: 'bob', message: '长'.repeat(201) }],
      ['contacts.request', { userId: 'bob', extra: true }],
      ['contacts.request', { userId: 'not an id' }],
      ['contacts.update', { userId: 'bob', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
      ['contacts.update', { userId: 'bob', remark: 'x'.repeat(65) }],
      ['contacts.accept', {}],
      ['directory.searchUsers', { query: '' }],
      ['directory.searchUsers', { query: 'x'.repeat(65) }],
      ['directory.searchGroups', { query: 'team', limit: 51 }],
    ] as const;
    for (const [method, arg] of bad) {
      expect(await dispatcher.dispatch(method, arg, ctx), method).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect((await call(alice, 'contacts.list', {})).requests).toEqual([]);
  });

  it('marks a private send refused for not being contacts, and sends once they are', async () => {
    await server.destroy();
    server = await startTestServer({ messaging: 'contacts' });
    const alice = fixture.newCore();
    const bob = fixture.newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    expect((await call(alice, 'contacts.list', {})).messaging).toBe('contacts');
    const { convId } = await call(alice, 'conversation.startPrivate', { userId: 'bob' });
    const failed = nextEvent(alice, 'message:updated', ({ message }) => message.status === 'failed');
    const { clientMsgId } = await call(alice, 'messages.send', { convId, kind: 'text', body: { text: 'hello?' } });
    expect((await failed).message.failure).toEqual({ code: 'FORBIDDEN', message: 'NOT_CONTACTS' });

    await call(alice, 'contacts.request', { userId: 'bob' });
    await call(bob, 'contacts.accept', { userId: 'alice' });
    const sent = nextEvent(alice, 'message:updated', ({ message }) => message.clientMsgId === clientMsgId && message.status === 'sent');
    await call(alice, 'messages.retry', { clientMsgId });
    await sent;
  });
});

describe('contacts with several accounts', () => {
  beforeEach(async () => {
    server = await startTestServer();
  });

  it('tells the window only the active account\'s contacts; a switch shows the other account\'s', async () => {
    const core = fixture.newCore();
    await signUp(core, 'alice');
    await signUp(core, 'bob'); // added last: active
    await until(() => core.accounts().every((a) => a.conn.online), 10_000, 'both online');
    const carol = fixture.newCore();
    await signUp(carol, 'carol');

    const seen: Array<ApiEvents['contacts:changed']> = [];
    const off = core.events.on('contacts:changed', (v) => seen.push(v));
    await call(carol, 'contacts.request', { userId: 'alice', message: 'for alice' });
    // A later request to the active account arrives; the one to the background account never did.
    const forBob = nextEvent(core, 'contacts:changed', (v) => v.requests.some((r) => r.userId === 'carol'));
    await call(carol, 'contacts.request', { userId: 'bob', message: 'for bob' });
    expect((await forBob).requests.map((r) => r.message)).toEqual(['for bob']);
    off();
    expect(seen.flatMap((v) => v.requests.map((r) => r.message))).not.toContain('for alice');

    await call(core, 'accounts.switch', { key: accountKey(server.url, 'alice') });
    expect((await call(core, 'contacts.list', {})).requests.map((r) => [r.userId, r.message])).toEqual([['carol', 'for alice']]);
  });
});

describe('contacts on a server without them', () => {
  it('are empty, and say so, when the server does not know the ops', async () => {
    server = await startTestServer();
    const dir = tempDir('old-server');
    const store = openStore({ path: `${dir}/parley.db`, userId: 'me' });
    const events = createEventBus();
    // An older server answers ops it does not know with BAD_REQUEST.
    const conn = {
      online: true,
      messaging: 'anyone',
      request: () => Promise.reject(new ProtocolError('BAD_REQUEST', 'unknown op')),
    } as unknown as ServerConnection;
    const contacts = new Contacts({ conn, repo: store.contacts, events });
    await contacts.online();
    expect(contacts.view()).toEqual({ contacts: [], requests: [], supported: false, messaging: 'anyone' });
    store.close();
  });
});
