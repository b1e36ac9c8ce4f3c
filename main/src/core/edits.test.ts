/**
 * Edits and recalls end to end through real cores and a real server: the editor's own devices show them, they
 * queue offline like messages, survive a restart and go out in order, and are retried when rate-limited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreFixture, call, nextEvent, texts } from '../test-support/cores.js';
import { restartTestServer, startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';

let server: TestServer;
const fixture = new CoreFixture();
const conv = 'p:alice|bob';
const PASSWORD = 'correct horse battery';

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

async function register(core: ClientCore, userId: string): Promise<void> {
  await call(core, 'auth.register', { serverUrl: server.url, userId, password: PASSWORD, name: userId.toUpperCase() });
  await until(() => core.current?.conn.online === true, 10_000, `${userId} online`);
}

async function login(core: ClientCore, userId: string): Promise<void> {
  await call(core, 'auth.login', { serverUrl: server.url, userId, password: PASSWORD });
  await until(() => core.current?.conn.online === true, 10_000, `${userId} online`);
}

/** Alice on two devices (the first on a data directory that survives a restart) and Bob, all signed in. */
async function aliceTwiceAndBob() {
  const aliceDir = tempDir('alice');
  const alice = fixture.newCore(aliceDir);
  const alice2 = fixture.newCore();
  const bob = fixture.newCore();
  await register(alice, 'alice');
  await login(alice2, 'alice');
  await register(bob, 'bob');
  return { aliceDir, alice, alice2, bob };
}

const message = (core: ClientCore, seq: number) => core.current!.store.getMessage(conv, seq);
const allSent = (core: ClientCore) => core.current!.store.outbox.list().length === 0;

async function sendAndWait(from: ClientCore, to: ClientCore[], text: string): Promise<number> {
  await call(from, 'messages.send', { convId: conv, kind: 'text', body: { text } });
  await until(() => allSent(from), 5000, 'ack');
  const seq = from.current!.store.listMessages(conv).at(-1)!.seq!;
  for (const core of to) await until(() => message(core, seq) !== null, 5000, `seq ${seq} everywhere`);
  return seq;
}

describe('edits and recalls', () => {
  it('an edit shows on the editor’s own devices and the peer’s, in search and previews, after a restart too', async () => {
    const devices = await aliceTwiceAndBob();
    const { aliceDir, alice2, bob } = devices;
    let { alice } = devices;
    const seq = await sendAndWait(alice, [alice2, bob], 'see you tomorow');

    const shown = nextEvent(alice, 'message:updated', ({ message: m }) => m.seq === seq && m.change?.status === 'pending');
    const { clientMsgId } = await call(alice, 'messages.edit', { convId: conv, seq, text: 'see you tomorrow' });
    expect((await shown).message).toMatchObject({ body: { text: 'see you tomorrow' }, edited: true, change: { kind: 'edit', clientMsgId } });
    const done = nextEvent(alice, 'message:updated', ({ message: m }) => m.seq === seq && m.change === undefined);
    expect((await done).message).toMatchObject({ body: { text: 'see you tomorrow' }, edited: true });

    for (const core of [alice, alice2, bob]) {
      await until(() => message(core, seq)?.body.text === 'see you tomorrow', 5000, 'edit everywhere');
      expect(message(core, seq)).toMatchObject({ edited: true });
      expect(core.current!.store.getConversation(conv)?.lastMessage).toMatchObject({ seq, preview: 'see you tomorrow' });
      expect((await call(core, 'search.query', { query: 'tomorrow' })).hits.map((h) => h.seq)).toEqual([seq]);
      expect((await call(core, 'search.query', { query: 'tomorow' })).hits).toEqual([]);
    }
    // The edit entry is in the editor's own log.
    expect(alice.current!.store.getConversation(conv)).toMatchObject({ heldSeq: seq + 1, lastSeq: seq + 1 });

    await fixture.stopCore(alice);
    alice = fixture.newCore(aliceDir);
    expect(message(alice, seq)).toMatchObject({ body: { text: 'see you tomorrow' }, edited: true });
  });

  it('edits and recalls made offline are queued, survive a restart, and go out in order when the server is back', async () => {
    const aliceDir = tempDir('alice');
    let alice = fixture.newCore(aliceDir);
    const bob = fixture.newCore();
    await register(alice, 'alice');
    await register(bob, 'bob');
    const first = await sendAndWait(alice, [bob], 'first draft');
    const second = await sendAndWait(alice, [bob], 'regrettable');

    await server.close();
    await until(() => alice.current!.conn.state.state !== 'online', 5000, 'alice offline');
    // Offline: no OFFLINE error — queued like messages, shown as pending.
    await call(alice, 'messages.edit', { convId: conv, seq: first, text: 'second draft' });
    await call(alice, 'messages.edit', { convId: conv, seq: first, text: 'final draft' });
    await call(alice, 'messages.recall', { convId: conv, seq: second });
    await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: 'after' } });
    expect(message(alice, first)).toMatchObject({ body: { text: 'final draft' }, change: { kind: 'edit', status: 'pending' } });
    expect(message(alice, second)).toMatchObject({ recalled: false, change: { kind: 'recall', status: 'pending' } });
    expect((await call(alice, 'connection.get', {})).queued).toBe(4);

    await fixture.stopCore(alice);
    alice = fixture.newCore(aliceDir);
    expect(message(alice, first)?.change?.status).toBe('pending');
    server = await restartTestServer(server);

    await until(() => texts(bob, conv).includes('after'), 15_000, 'bob gets the queued message');
    for (const core of [alice, bob]) {
      await until(() => message(core, second)?.recalled === true && message(core, first)?.body.text === 'final draft', 5000, 'changes applied');
      expect(message(core, first)).toMatchObject({ edited: true });
      expect(core.current!.store.getConversation(conv)?.lastMessage).toMatchObject({ preview: 'after' });
    }
    // In the order they were made: two edits, the recall, then the message.
    const log = bob.current!.store.listMessages(conv, { limit: 50 }).map((m) => [m.seq, m.body.text ?? null]);
    expect(log).toEqual([[first, 'final draft'], [second, null], [second + 4, 'after']]);
    expect(allSent(alice)).toBe(true);
  });

  it('a recall the server already has (another device recalled it) counts as done', async () => {
    const { alice, alice2, bob } = await aliceTwiceAndBob();
    const seq = await sendAndWait(alice, [alice2, bob], 'twice recalled');
    await server.close();
    await until(() => alice.current!.conn.state.state !== 'online' && alice2.current!.conn.state.state !== 'online', 5000, 'offline');
    await call(alice, 'messages.recall', { convId: conv, seq });
    await call(alice2, 'messages.recall', { convId: conv, seq });
    server = await restartTestServer(server);
    for (const core of [alice, alice2, bob]) await until(() => message(core, seq)?.recalled === true && allSent(core), 10_000, 'recalled everywhere');
    expect(message(alice, seq)?.change).toBeUndefined();
    expect(message(alice2, seq)?.change).toBeUndefined();
  });

  it('an edit refused with RATE_LIMITED is retried until it goes out', async () => {
    await server.close();
    server = await restartTestServer(server, { sendRate: 1, sendBurst: 1 });
    const alice = fixture.newCore();
    const bob = fixture.newCore();
    await register(alice, 'alice');
    await register(bob, 'bob');
    const seq = await sendAndWait(alice, [bob], 'v0');
    for (const text of ['v1', 'v2', 'v3']) await call(alice, 'messages.edit', { convId: conv, seq, text });
    await until(() => message(bob, seq)?.body.text === 'v3', 15_000, 'every edit goes out');
    await until(() => allSent(alice), 5000, 'outbox empty');
    expect(message(alice, seq)).toMatchObject({ body: { text: 'v3' }, edited: true });
  });

  it('refuses at once what cannot be done: someone else’s message, or one not held', async () => {
    const alice = fixture.newCore();
    const bob = fixture.newCore();
    await register(alice, 'alice');
    await register(bob, 'bob');
    const seq = await sendAndWait(bob, [alice], 'bob’s');
    await expect(call(alice, 'messages.edit', { convId: conv, seq, text: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(call(alice, 'messages.recall', { convId: conv, seq })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(call(alice, 'messages.edit', { convId: conv, seq: 99, text: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(allSent(alice)).toBe(true);
  });
});

describe('reads', () => {
  it('a read made offline reaches the server and the other devices even when the app quit before reconnecting', async () => {
    const devices = await aliceTwiceAndBob();
    const { aliceDir, alice2, bob } = devices;
    let { alice } = devices;
    const seq = await sendAndWait(bob, [alice, alice2], 'read me');
    await server.close();
    await until(() => alice.current!.conn.state.state !== 'online', 5000, 'offline');
    await call(alice, 'conversation.markRead', { convId: conv, seq });
    await fixture.stopCore(alice); // quits before the server is back
    server = await restartTestServer(server);
    alice = fixture.newCore(aliceDir);
    await until(() => alice2.current?.store.getConversation(conv)?.readSeq === seq, 10_000, 'the other device learns the read');
    await until(() => bob.current?.store.getConversation(conv)?.peerReadSeq === seq, 10_000, 'the peer sees it read');
    expect(alice.current!.store.unsentReads()).toEqual([]);
  });
});
