import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../ipc/dispatcher.js';
import { CoreFixture, TEST_ADMIN, admin, call, nextEvent, signUp as signUpOn, texts } from '../test-support/cores.js';
import { restartTestServer, startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import type { ClientCore } from './client-core.js';
import { ServerConnection } from './server-connection.js';

let server: TestServer;
const fixture = new CoreFixture();
const newCore = (dataDir?: string): ClientCore => fixture.newCore(dataDir);
const signUp = (core: ClientCore, userId: string): Promise<void> => signUpOn(core, server, userId);

function seqs(core: ClientCore, convId: string): Array<number | null> {
  return core.current!.store.listMessages(convId, { limit: 500 }).map((m) => m.seq);
}

beforeEach(async () => {
  server = await startTestServer({ ...TEST_ADMIN });
});

afterEach(async () => {
  await fixture.cleanup();
  await server.destroy();
});

const conv = 'p:alice|bob';

describe('ClientCore', () => {
  it('chats both ways and shows read receipts', async () => {
    const alice = newCore();
    const bob = newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    expect(await call(alice, 'session.get', {})).toMatchObject({ state: 'signed-in', userId: 'alice' });

    const added = nextEvent(bob, 'message:added', ({ message }) => (message.body as { text?: string }).text === 'hello bob');
    const { clientMsgId } = await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: 'hello bob' } });
    expect((await added).message).toMatchObject({ from: 'alice', seq: 1, status: 'sent', clientMsgId });
    await until(() => alice.current!.store.listMessages(conv)[0]?.status === 'sent', 5000, 'ack');

    await call(bob, 'messages.send', { convId: conv, kind: 'text', body: { text: '你好 alice' } });
    await until(() => texts(alice, conv).includes('你好 alice'), 5000, 'reply');
    expect((await call(alice, 'conversations.list', {})).conversations).toMatchObject([{ convId: conv, title: 'BOB', unread: 1 }]);

    const receipt = nextEvent(alice, 'conversations:changed', ({ conversations }) => conversations.some((c) => c.convId === conv && c.peerReadSeq === 2));
    await call(bob, 'conversation.markRead', { convId: conv, seq: 2 });
    await receipt;
  });

  it('keeps messages composed offline across a restart of the core, then delivers them in order, once', async () => {
    const aliceDir = tempDir('alice');
    let alice = newCore(aliceDir);
    const bob = newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await server.close(); // the server goes away
    await until(() => alice.current!.conn.state.state !== 'online', 5000, 'alice offline');

    for (const text of ['one', 'two', 'three']) await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text } });
    expect(alice.current!.store.listMessages(conv).map((m) => m.status)).toEqual(['pending', 'pending', 'pending']);
    expect((await call(alice, 'connection.get', {})).queued).toBe(3);

    // The app is quit (or crashes) with the messages still queued, and starts again.
    await alice.stop();
    alice = newCore(aliceDir);
    expect(texts(alice, conv)).toEqual(['one', 'two', 'three']);
    server = await restartTestServer(server);

    await until(() => texts(bob, conv).length === 3, 15_000, 'bob receives three');
    expect(texts(bob, conv)).toEqual(['one', 'two', 'three']);
    expect(seqs(bob, conv)).toEqual([1, 2, 3]);
    await until(() => alice.current!.store.listMessages(conv).every((m) => m.status === 'sent'), 5000, 'acks');
    expect(seqs(alice, conv)).toEqual([1, 2, 3]);
    expect((await call(alice, 'connection.get', {})).queued).toBe(0);
  });

  it('fills gaps after dropped connections and a server restart: no hole, no duplicate', async () => {
    const alice = newCore();
    const bob = newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    for (let i = 0; i < 120; i++) {
      if (i % 25 === 0) bob.current!.conn.drop();
      if (i === 60) server = await restartTestServer(server);
      await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: `m${i}` } });
    }
    await until(() => alice.current!.store.listMessages(conv, { limit: 500 }).every((m) => m.status === 'sent'), 20_000, 'all acked');
    await until(() => bob.current!.store.getConversation(conv)?.heldSeq === 120, 20_000, 'bob holds 120');
    const expected = Array.from({ length: 120 }, (_, i) => `m${i}`);
    expect(texts(bob, conv)).toEqual(expected);
    expect(texts(alice, conv)).toEqual(expected);
    expect(seqs(bob, conv)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('marks refused messages failed with the reason; retry and delete work', async () => {
    const alice = newCore();
    const bob = newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await call(bob, 'users.block', { userId: 'alice' });

    const failed = nextEvent(alice, 'message:updated', ({ message }) => message.status === 'failed');
    const { clientMsgId } = await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: 'blocked?' } });
    expect((await failed).message).toMatchObject({ clientMsgId, failure: { code: 'BLOCKED' } });
    expect((await call(alice, 'connection.get', {})).queued).toBe(0);

    await call(bob, 'users.unblock', { userId: 'alice' });
    const sent = nextEvent(alice, 'message:updated', ({ message }) => message.clientMsgId === clientMsgId && message.status === 'sent');
    await call(alice, 'messages.retry', { clientMsgId });
    await sent;
    await until(() => texts(bob, conv).includes('blocked?'), 5000, 'delivered after retry');

    await call(bob, 'users.block', { userId: 'alice' });
    const second = nextEvent(alice, 'message:updated', ({ message }) => message.status === 'failed');
    const { clientMsgId: id2 } = await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: 'delete me' } });
    await second;
    await call(alice, 'messages.delete', { clientMsgId: id2 });
    expect(texts(alice, conv)).toEqual(['blocked?']);
  });

  it('retries at once when asked, instead of waiting for the next scheduled attempt', async () => {
    const alice = fixture.newCore(undefined, { baseMs: 60_000, capMs: 60_000 });
    await signUp(alice, 'alice');
    await server.close();
    await until(() => alice.current!.conn.state.state === 'offline', 5000, 'offline');
    server = await restartTestServer(server);
    expect((await call(alice, 'connection.get', {})).state).toBe('offline'); // the next attempt is a minute away
    await call(alice, 'connection.retry', {});
    await until(() => alice.current!.conn.online, 5000, 'online after Retry now');
  });

  it('is refused past the per-user connection limit without signing out, then catches up what it missed', async () => {
    server = await restartTestServer(server, { maxConnectionsPerUser: 1 });
    const bob = newCore();
    await signUp(bob, 'bob');
    // Alice's phone holds her only slot.
    const phone = new ServerConnection({ serverUrl: server.url, token: await server.register('alice'), device: { id: 'phone', platform: 'test', app: 'test' } });
    phone.start();
    await until(() => phone.online, 10_000, 'phone online');

    const alice = newCore();
    const refused = nextEvent(alice, 'connection:changed', (c) => c.state === 'offline' && (c.reason ?? '').includes('too many connections'));
    await call(alice, 'auth.login', { serverUrl: server.url, userId: 'alice', password: 'correct horse battery' });
    await refused;
    for (const text of ['one', 'two', 'three']) await call(bob, 'messages.send', { convId: conv, kind: 'text', body: { text } });
    await until(() => bob.current!.store.listMessages(conv).every((m) => m.status === 'sent'), 10_000, 'bob’s messages stored');

    phone.stop();
    await until(() => texts(alice, conv).join() === 'one,two,three', 15_000, 'alice caught up');
    expect(await call(alice, 'session.get', {})).toMatchObject({ state: 'signed-in', userId: 'alice' });
  });

  it('signs out when the session is revoked, keeping queued messages for the next sign-in', async () => {
    const alice = newCore();
    const bob = newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await server.close();
    await until(() => !alice.current!.conn.online, 5000, 'offline');
    await call(alice, 'messages.send', { convId: conv, kind: 'text', body: { text: 'queued before ban' } });
    server = await restartTestServer(server);
    // Ban alice before her client gets to send (it reconnects quickly, so ban at once).
    const signedOut = nextEvent(alice, 'session:changed', (s) => s.state === 'signed-out');
    await admin(server, 'POST', '/v1/admin/users/alice/ban', { untilTs: Date.now() + 60_000 });
    await signedOut;
    expect(await call(alice, 'session.get', {})).toMatchObject({ state: 'signed-out', userId: 'alice', serverUrl: server.url });
    await expect(call(alice, 'conversations.list', {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('uploads an attachment with progress, sends it, and lets the peer read the bytes', async () => {
    const alice = newCore();
    const bob = newCore();
    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    const data = new Uint8Array(300_000).map((_, i) => i % 251);
    const progress: number[] = [];
    const off = alice.events.on('upload:progress', (p) => progress.push(p.sentBytes));
    const received = nextEvent(bob, 'message:added', ({ message }) => message.kind === 'file');
    await call(alice, 'messages.sendFile', { convId: conv, name: '报告.pdf', mime: 'application/pdf', data });
    const { message } = await received;
    off();
    expect(message.body).toMatchObject({ name: '报告.pdf', size: data.byteLength, mime: 'application/pdf' });
    expect(progress.at(-1)).toBe(data.byteLength);
    const fileId = (message.body as { fileId: string }).fileId;
    const file = await call(bob, 'files.read', { convId: conv, fileId });
    expect(file).toMatchObject({ mime: 'application/pdf', size: data.byteLength });
    expect(Buffer.from(file.data!).equals(Buffer.from(data))).toBe(true);
    // A user outside the conversation cannot read it.
    const carol = newCore();
    await signUp(carol, 'carol');
    await expect(call(carol, 'files.read', { convId: 'p:carol|dave', fileId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses bad input at the IPC edge without touching the core', async () => {
    const alice = newCore();
    await signUp(alice, 'alice');
    const dispatcher = createDispatcher(alice.handlers);
    const ctx = { transport: 'host' as const, clientId: 't' };
    const bad = [
      ['messages.send', { convId: conv, kind: 'text', body: { text: 'x'.repeat(8001) } }],
      ['messages.send', { convId: 'p:bob|alice', kind: 'text', body: { text: 'non-canonical' } }],
      ['messages.send', { convId: conv, kind: 'system', body: { event: 'x' } }],
      ['messages.list', { convId: conv, limit: 1000 }],
      ['search.query', { query: '' }],
      ['conversation.markRead', { convId: conv, seq: -1 }],
      ['settings.set', { theme: 'neon' }],
      ['auth.login', { serverUrl: 'file:///etc/passwd', userId: 'alice', password: 'x' }],
      ['auth.register', { serverUrl: 'http://127.0.0.1:1', userId: 'alice', password: 'long enough', name: 'A', inviteCode: 'has space' }],
      ['no.such', {}],
    ] as const;
    for (const [method, arg] of bad) {
      const result = await dispatcher.dispatch(method, arg, ctx);
      expect(result, method).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(alice.current!.store.listMessages(conv)).toEqual([]);
  });
});
