/**
 * Several accounts in one core, against real servers: all connected at once, the window told only the active
 * one's events, background accounts notified (named) and counted, switching, signing one out, a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, NotificationRequest } from '../../../preload/contract.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import { createAccountNotifications, type AccountNotifications } from '../notify/account-notifications.js';
import { unreadSummary } from '../notify/unread.js';
import { CoreFixture, call, nextEvent, signUp } from '../test-support/cores.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';
import { accountKey } from './session-file.js';

let server: TestServer;
let other: TestServer | null = null;
const fixture = new CoreFixture();
const notifications: AccountNotifications[] = [];

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  for (const n of notifications.splice(0)) n.dispose();
  await fixture.cleanup();
  await server.destroy();
  await other?.destroy();
  other = null;
});

const text = (t: string) => ({ kind: 'text' as const, body: { text: t } });

/** A core with alice (first) and bob (added second, so active) signed in on the test server, both online. */
async function twoAccounts(dataDir?: string): Promise<ClientCore> {
  const core = fixture.newCore(dataDir);
  await signUp(core, server, 'alice');
  await signUp(core, server, 'bob');
  await until(() => core.accounts().every((a) => a.conn.online), 10_000, 'both online');
  return core;
}

/** Notifications as host mode wires them (coalescing shortened), collected. */
function notified(core: ClientCore): { shown: NotificationRequest[]; badge: () => number } {
  const shown: NotificationRequest[] = [];
  const n = createAccountNotifications({ handlers: core.handlers, events: core.events, feed: core.feed, windowMs: 20, show: (r) => shown.push(r) });
  notifications.push(n);
  return { shown, badge: () => unreadSummary(n.conversations()).total };
}

const keyOn = (s: TestServer, userId: string) => accountKey(s.url, userId);
const byUser = (accounts: AccountView[], userId: string) => accounts.find((a) => a.userId === userId);

describe('several accounts', () => {
  it('keeps both accounts connected; the one added last is active and session.get describes it', async () => {
    const core = await twoAccounts();
    expect(await call(core, 'session.get', {})).toMatchObject({ state: 'signed-in', userId: 'bob' });
    const { accounts } = await call(core, 'accounts.list', {});
    expect(accounts).toEqual([
      { key: keyOn(server, 'alice'), userId: 'alice', serverUrl: server.url, name: 'ALICE', active: false, unread: 0, connection: 'online' },
      { key: keyOn(server, 'bob'), userId: 'bob', serverUrl: server.url, name: 'BOB', active: true, unread: 0, connection: 'online' },
    ]);
  });

  it('a message to the background account: its unread rises, a notification names it, the window is not told the message', async () => {
    const core = await twoAccounts();
    const carol = fixture.newCore();
    await signUp(carol, server, 'carol');
    const { shown, badge } = notified(core);
    await until(() => core.feed.accounts().length === 2, 5000, 'feed');
    const toWindow: string[] = [];
    core.events.on('message:added', ({ message }) => toWindow.push(String((message.body as { text?: string }).text)));

    const raised = nextEvent(core, 'accounts:changed', ({ accounts }) => byUser(accounts, 'alice')?.unread === 1);
    await call(carol, 'messages.send', { convId: 'p:alice|carol', ...text('for alice, in the background') });
    const { accounts } = await raised;
    expect(byUser(accounts, 'alice')).toMatchObject({ active: false, unread: 1 });
    expect(byUser(accounts, 'bob')).toMatchObject({ active: true, unread: 0 });
    await until(() => shown.length === 1, 5000, 'notification');
    expect(shown[0]).toMatchObject({ accountKey: keyOn(server, 'alice'), convId: 'p:alice|carol', title: 'CAROL · ALICE', body: 'for alice, in the background' });

    // Then a message to the active account: it reaches the window, and the background one had not.
    const ping = nextEvent(core, 'message:added', ({ message }) => message.convId === 'p:bob|carol');
    await call(carol, 'messages.send', { convId: 'p:bob|carol', ...text('for bob') });
    await ping;
    expect(toWindow).toEqual(['for bob']);
    expect((await call(core, 'conversations.list', {})).conversations.map((c) => c.convId)).toEqual(['p:bob|carol']);
    await until(() => shown.length === 2, 5000, 'second notification');
    expect(shown[1]).toMatchObject({ accountKey: keyOn(server, 'bob'), title: 'CAROL · BOB' });
    // The badge counts both accounts' unread messages.
    await until(() => badge() === 2, 5000, 'badge of both accounts');
  });

  it('switching shows the other account: session:changed, its conversations, its connection; messages are sent as it', async () => {
    const core = await twoAccounts();
    const carol = fixture.newCore();
    await signUp(carol, server, 'carol');
    await call(carol, 'messages.send', { convId: 'p:alice|carol', ...text('hi alice') });
    await until(() => core.account(keyOn(server, 'alice'))!.store.getConversation('p:alice|carol') !== null, 5000, 'alice has it');

    const changed = nextEvent(core, 'session:changed');
    const listed = nextEvent(core, 'accounts:changed', ({ accounts }) => byUser(accounts, 'alice')?.active === true);
    expect(await call(core, 'accounts.switch', { key: keyOn(server, 'alice') })).toMatchObject({ state: 'signed-in', userId: 'alice' });
    expect(await changed).toMatchObject({ state: 'signed-in', userId: 'alice' });
    await listed;
    expect((await call(core, 'conversations.list', {})).conversations).toMatchObject([{ convId: 'p:alice|carol', unread: 1 }]);
    expect(await call(core, 'connection.get', {})).toMatchObject({ state: 'online' });

    const reply = nextEvent(carol, 'message:added', ({ message }) => message.from === 'alice');
    await call(core, 'messages.send', { convId: 'p:alice|carol', ...text('hi carol') });
    expect((await reply).message.body).toEqual({ text: 'hi carol' });

    // Switching to the active one changes nothing; an unknown key is refused with a typed error.
    expect(await call(core, 'accounts.switch', { key: keyOn(server, 'alice') })).toMatchObject({ userId: 'alice' });
    await expect(call(core, 'accounts.switch', { key: 'nobody@nowhere' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('signing in to an account already here switches to it instead of adding it twice; it still notifies after', async () => {
    const core = await twoAccounts();
    const { shown } = notified(core);
    await call(core, 'auth.login', { serverUrl: server.url, userId: 'alice', password: 'correct horse battery' });
    const { accounts } = await call(core, 'accounts.list', {});
    expect(accounts.map((a) => [a.userId, a.active, a.name])).toEqual([
      ['alice', true, 'ALICE'],
      ['bob', false, 'BOB'],
    ]);
    await until(() => core.accounts().every((a) => a.conn.online), 10_000, 'both online again');

    // The new sign-in's events feed the notifications (not the closed one's).
    await call(core, 'accounts.switch', { key: keyOn(server, 'bob') });
    const carol = fixture.newCore();
    await signUp(carol, server, 'carol');
    await call(carol, 'messages.send', { convId: 'p:alice|carol', ...text('after signing in again') });
    await until(() => shown.length === 1, 5000, 'notification');
    expect(shown[0]).toMatchObject({ accountKey: keyOn(server, 'alice'), body: 'after signing in again' });
  });

  it('learns the name of an account signed in with only its id, once online', async () => {
    await server.register('erin', 'Erin E.');
    const core = await twoAccounts();
    const named = nextEvent(core, 'accounts:changed', ({ accounts }) => byUser(accounts, 'erin')?.name === 'Erin E.');
    await call(core, 'auth.login', { serverUrl: server.url, userId: 'erin', password: 'correct horse battery' });
    await named;
    expect(await call(core, 'session.get', {})).toMatchObject({ userId: 'erin', name: 'Erin E.' });
  });

  it('signing out the active account keeps the other connected and makes it active; the last one leaves the sign-in screen', async () => {
    const core = await twoAccounts();
    const aliceKey = keyOn(server, 'alice');
    const alice = core.account(aliceKey)!;
    const toAlice = nextEvent(core, 'session:changed', (s) => s.userId === 'alice');
    await call(core, 'auth.logout', {});
    await toAlice;
    expect(await call(core, 'accounts.list', {})).toMatchObject({ accounts: [{ key: aliceKey, active: true, connection: 'online' }] });
    expect(core.account(aliceKey)).toBe(alice);
    expect(alice.conn.online).toBe(true);
    expect(core.account(keyOn(server, 'bob'))).toBeNull();

    const out = nextEvent(core, 'session:changed', (s) => s.state === 'signed-out');
    await call(core, 'auth.logout', {});
    expect(await out).toEqual({ state: 'signed-out', userId: 'alice', serverUrl: server.url });
    expect(await call(core, 'accounts.list', {})).toEqual({ accounts: [] });
    await expect(call(core, 'conversations.list', {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('a background account signed out by the server (another device revoked it) leaves; the active one stays', async () => {
    const core = await twoAccounts();
    const phone = fixture.newCore();
    await call(phone, 'auth.login', { serverUrl: server.url, userId: 'alice', password: 'correct horse battery' });
    await until(() => phone.current?.conn.online === true, 10_000, 'phone online');
    const laptop = (await call(phone, 'devices.list', {})).devices.find((d) => !d.current)!;
    let sessionChanges = 0;
    core.events.on('session:changed', () => (sessionChanges += 1));

    const gone = nextEvent(core, 'accounts:changed', ({ accounts }) => accounts.length === 1);
    await call(phone, 'devices.revoke', { deviceId: laptop.deviceId });
    expect((await gone).accounts).toMatchObject([{ userId: 'bob', active: true, connection: 'online' }]);
    expect(sessionChanges).toBe(0);
    expect(await call(core, 'session.get', {})).toMatchObject({ state: 'signed-in', userId: 'bob' });
    expect(core.account(keyOn(server, 'bob'))!.conn.online).toBe(true);
  });

  it('a restart of the core restores every account, on two servers, and which one was active', async () => {
    other = await startTestServer({ recallWindowMs: 42_000 });
    const dataDir = tempDir('accounts');
    const core = fixture.newCore(dataDir);
    await signUp(core, server, 'alice');
    await signUp(core, other, 'alice');
    await call(core, 'accounts.switch', { key: keyOn(server, 'alice') });
    await server.register('dave');
    await call(core, 'conversation.startPrivate', { userId: 'dave' });
    await fixture.stopCore(core);

    const again = fixture.newCore(dataDir);
    await until(() => again.accounts().length === 2 && again.accounts().every((a) => a.conn.online), 10_000, 'both back online');
    expect(await call(again, 'session.get', {})).toMatchObject({ state: 'signed-in', userId: 'alice', serverUrl: server.url });
    expect((await call(again, 'accounts.list', {})).accounts.map((a) => [a.key, a.active])).toEqual([
      [keyOn(server, 'alice'), true],
      [keyOn(other, 'alice'), false],
    ]);
    // Each its own database and server: the other server's account does not see the first's conversation, and
    // the window is told that server's limits.
    const limits = nextEvent(again, 'limits:changed', (l) => l.recallWindowMs === 42_000);
    await call(again, 'accounts.switch', { key: keyOn(other, 'alice') });
    await limits;
    expect(await call(again, 'server.limits', {})).toMatchObject({ recallWindowMs: 42_000, announced: true });
    expect((await call(again, 'conversations.list', {})).conversations.some((c) => c.convId === 'p:alice|dave')).toBe(false);
  });

  it('refuses bad accounts.switch arguments at the IPC edge', async () => {
    const core = await twoAccounts();
    const dispatcher = createDispatcher(core.handlers);
    const ctx = { transport: 'host' as const, clientId: 't' };
    for (const arg of [{}, { key: 1 }, { key: '' }, { key: 'x'.repeat(401) }, { key: keyOn(server, 'alice'), extra: true }, null]) {
      expect(await dispatcher.dispatch('accounts.switch', arg, ctx), JSON.stringify(arg)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(await dispatcher.dispatch('accounts.list', { all: true }, ctx)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await call(core, 'session.get', {})).toMatchObject({ userId: 'bob' });
  });
});
