/** What survives a restart on the same data directory (docs/protocol.md "HTTP", "send", "Starting the server"). */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pconv, textOf, useServer } from './harness.js';

describe('restart on the same data directory', () => {
  const srv = useServer();

  it('keeps tokens, logs, clientMsgIds, settings, blocks and files', async () => {
    const alice = await srv.user('alice');
    const bob = await srv.user('bob');
    const carol = await srv.user('carol');
    const conv = pconv(alice.userId, bob.userId);
    const login = (await srv.login(bob.userId)).json as { token: string };
    const a = await srv.device(alice);
    const b = await srv.device(bob);
    const cmid = randomUUID();
    const acks = [await a.call('send', { convId: conv, clientMsgId: cmid, kind: 'text', body: { text: 'one' } }), await b.sendText(conv, 'two')];
    await b.call('read', { convId: conv, seq: 1 });
    await a.call('conv.update', { convId: conv, muted: true, pinned: true });
    await a.call('block', { userId: carol.userId });
    const bytes = randomBytes(300);
    const file = await srv.upload(alice.token, new Uint8Array(bytes), 'application/octet-stream', 'keep.bin');

    await srv.restart();

    // Registered and logged-in tokens both still open sessions.
    const a2 = await srv.device(alice);
    const b2 = await srv.device({ token: login.token });
    expect(b2.userId).toBe(bob.userId);
    expect((await srv.login(alice.userId)).status).toBe(200);
    // The log continues where it was.
    const log = await a2.history(conv);
    expect(log.map((e) => [e.seq, e.msgId, textOf(e)])).toEqual([
      [1, acks[0]?.msgId, 'one'],
      [2, acks[1]?.msgId, 'two'],
    ]);
    expect((await a2.sendText(conv, 'three')).seq).toBe(3);
    // A retry of a message sent before the restart gets the original answer and stores nothing.
    expect(await a2.call('send', { convId: conv, clientMsgId: cmid, kind: 'text', body: { text: 'one' } })).toEqual(acks[0]);
    expect(await a2.history(conv)).toHaveLength(3);
    // Per-user state.
    expect(await a2.conversation(conv)).toMatchObject({ muted: true, pinned: true, peerReadSeq: 1 });
    expect(await b2.conversation(conv)).toMatchObject({ readSeq: 1, muted: false });
    expect(await a2.call('blocks', {})).toMatchObject({ userIds: [carol.userId] });
    const got = await fetch(`${srv.url}/v1/files/${file.fileId}`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
    // Registering the same user again is still a conflict.
    expect((await srv.http('POST', '/v1/auth/register', { json: { userId: alice.userId, password: 'whatever123', name: 'x' } })).status).toBe(409);
  });

  it('keeps admin-issued tokens and bans', async () => {
    const userId = `adm-${randomUUID().slice(0, 8)}`;
    expect((await srv.admin('POST', '/v1/admin/users', { userId, name: 'Admin-made' })).status).toBe(201);
    const token = ((await srv.admin('POST', `/v1/admin/users/${userId}/token`, {})).json as { token: string }).token;
    const banned = await srv.user('banned');
    expect((await srv.admin('POST', `/v1/admin/users/${banned.userId}/ban`, { untilTs: Date.now() + 3600_000 })).status).toBeLessThan(300);
    await srv.restart();
    const c = await srv.device({ token });
    expect(c.userId).toBe(userId);
    const d = await srv.connect();
    expect((await d.hello(banned.token, 'd')).ok).toBe(false);
    expect((await d.closed).code).toBe(4401);
  });
});
