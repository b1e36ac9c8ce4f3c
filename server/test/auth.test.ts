/** docs/protocol.md "Transport" (hello, replacement, authentication) and the token lifecycle. */
import { describe, expect, it } from 'vitest';
import { clockPast, pconv, useServer } from './harness.js';

describe('hello', () => {
  const srv = useServer({ maxFrameBytes: 200_000, maxFileBytes: 3_000_000, sendRate: 7, sendBurst: 14 });

  it('answers with the user, a session, the server time and the limits', async () => {
    const alice = await srv.user('alice');
    const c = await srv.connect();
    const before = Date.now();
    const a = await c.hello(alice.token, 'laptop');
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.id).toBe(1);
    expect(a.body.userId).toBe(alice.userId);
    expect(typeof a.body.sessionId).toBe('string');
    expect(a.body.sessionId.length).toBeGreaterThan(0);
    expect(Number.isInteger(a.body.serverTime)).toBe(true);
    // Server time in ms, on the same machine: within a minute of ours.
    expect(Math.abs(a.body.serverTime - before)).toBeLessThan(60_000);
    expect(a.body.limits).toMatchObject({ maxFrameBytes: 200_000, sendPerSecond: 7, maxFileBytes: 3_000_000 });
    // The connection is usable.
    expect((await c.call('sync', {})).conversations).toEqual([]);
  });

  it('gives every session its own id', async () => {
    const u = await srv.user('sess');
    const c1 = await srv.connect();
    const c2 = await srv.connect();
    const a1 = await c1.hello(u.token, 'd1');
    const a2 = await c2.hello(u.token, 'd2');
    expect(a1.ok && a2.ok).toBe(true);
    if (a1.ok && a2.ok) expect(a1.body.sessionId).not.toBe(a2.body.sessionId);
  });

  it('from a device id already connected replaces the older connection (close 4409)', async () => {
    const u = await srv.user('dup');
    const peer = await srv.user('peer');
    const old = await srv.device(u, 'phone');
    const other = await srv.device(u, 'desktop');
    const fresh = await srv.connect();
    expect((await fresh.hello(u.token, 'phone')).ok).toBe(true);
    expect((await old.closed).code).toBe(4409);
    // The new connection and the user's other device keep working and receive deliveries.
    const pv = await srv.device(peer);
    const ack = await pv.sendText(pconv(u.userId, peer.userId), 'after replacement');
    const [m1, m2] = await Promise.all([
      fresh.nextEvent('msg', (m) => m.seq === ack.seq),
      other.nextEvent('msg', (m) => m.seq === ack.seq),
    ]);
    expect(m1.msgId).toBe(ack.msgId);
    expect(m2.msgId).toBe(ack.msgId);
    expect(other.isOpen).toBe(true);
  });

  it('is required first: another op gets UNAUTHENTICATED and close 4401', async () => {
    const c = await srv.connect();
    const a = await c.req('sync', {});
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
    expect((await c.closed).code).toBe(4401);
  });

  it('is required first: a malformed first frame gets UNAUTHENTICATED and close 4401', async () => {
    const c = await srv.connect();
    c.sendRaw('{this is not json');
    const a = await c.nextAnswer();
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
    expect(a.id).toBe(0);
    expect((await c.closed).code).toBe(4401);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['malformed', 'not-a-token'],
    ['forged', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl'],
  ])('refuses a %s token with UNAUTHENTICATED and close 4401', async (_what, token) => {
    const c = await srv.connect();
    const a = await c.req('hello', { token, device: { id: 'd', platform: 'test', app: 'x' }, protocol: 1 });
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
    expect((await c.closed).code).toBe(4401);
  });

  it('refuses a token of a real user altered in one character', async () => {
    const u = await srv.user('forge');
    const last = u.token.at(-1) === 'A' ? 'B' : 'A';
    const forged = u.token.slice(0, -1) + last;
    const c = await srv.connect();
    const a = await c.hello(forged, 'd');
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
    expect((await c.closed).code).toBe(4401);
  });

  it('a second hello on an authenticated connection does not switch users', async () => {
    const u1 = await srv.user('first');
    const u2 = await srv.user('second');
    const c = await srv.device(u1, 'd1');
    const a = await c.req('hello', { token: u2.token, device: { id: 'd2', platform: 'test', app: 'x' }, protocol: 1 });
    if (a.ok) expect(a.body.userId).toBe(u1.userId);
    if (c.isOpen) {
      const conv = (await c.call('sync', {})).conversations;
      expect(conv).toEqual([]);
    }
  });

  it('keeps other connections working after refused hellos', async () => {
    const u = await srv.user('bystander');
    const by = await srv.device(u);
    for (let i = 0; i < 5; i++) {
      const c = await srv.connect();
      await c.req('hello', { token: `bogus-${i}`, device: { id: 'd', platform: 'test', app: 'x' }, protocol: 1 });
      expect((await c.closed).code).toBe(4401);
    }
    expect(await by.call('blocks', {})).toMatchObject({ userIds: [] });
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  });
});

describe('hello timeout', () => {
  const srv = useServer({ helloTimeoutMs: 300 });

  it('closes a connection that never says hello', async () => {
    const c = await srv.connect();
    const info = await c.closed;
    // The code for a silent connection is not spelled out; 4401 is what the other hello failures use.
    expect(info.code).toBe(4401);
  });
});

describe('token expiry', () => {
  const srv = useServer({ tokenTtlSeconds: 1 });

  it('issues expiresAt in ms and refuses the token once it has passed', async () => {
    const before = Date.now();
    const u = await srv.user('short');
    expect(u.expiresAt).toBeGreaterThan(before);
    expect(u.expiresAt).toBeLessThan(Date.now() + 60_000);
    // Usable while valid.
    const c1 = await srv.connect();
    expect((await c1.hello(u.token, 'd1')).ok).toBe(true);
    await clockPast(u.expiresAt + 100);
    const c2 = await srv.connect();
    const a = await c2.hello(u.token, 'd2');
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
    expect((await c2.closed).code).toBe(4401);
    // Over HTTP too.
    const up = await srv.http('PUT', '/v1/files', { body: 'x', token: u.token, headers: { 'content-type': 'text/plain', 'x-file-name': 'x.txt' } });
    expect(up.status).toBe(401);
  });
});

describe('ban', () => {
  const srv = useServer();

  it('revokes the sessions: session.revoked then close 4403; later hellos are refused', async () => {
    const u = await srv.user('banned');
    const peer = await srv.user('peer');
    const d1 = await srv.device(u, 'd1');
    const d2 = await srv.device(u, 'd2');
    const pv = await srv.device(peer);
    const res = await srv.admin('POST', `/v1/admin/users/${u.userId}/ban`, { untilTs: Date.now() + 3600_000 });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    for (const d of [d1, d2]) {
      const ev = await d.nextEvent('session.revoked');
      expect(typeof ev.reason).toBe('string');
      expect((await d.closed).code).toBe(4403);
    }
    // The revoked token opens nothing, over HTTP either.
    const up = await srv.http('PUT', '/v1/files', { body: 'x', token: u.token, headers: { 'content-type': 'text/plain', 'x-file-name': 'x.txt' } });
    expect(up.status).toBe(401);
    const again = await srv.connect();
    const a = await again.hello(u.token, 'd1');
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.error.code).toBe('UNAUTHENTICATED');
    expect((await again.closed).code).toBe(4401);
    // A fresh login, if the server grants one at all, does not get a banned user in either.
    const login = await srv.login(u.userId);
    if (login.status === 200) {
      const c = await srv.connect();
      const b = await c.hello((login.json as { token: string }).token, 'd3');
      expect(b.ok).toBe(false);
      expect((await c.closed).code).toBe(4401);
    }
    // Others are unaffected.
    expect(pv.isOpen).toBe(true);
    expect(await pv.call('blocks', {})).toMatchObject({ userIds: [] });
  });
});
