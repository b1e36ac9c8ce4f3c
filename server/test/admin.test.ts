/**
 * docs/protocol.md "HTTP" admin API: signed requests, users, tokens, server-sent messages; part 2's signature version 2
 * and PARLEY_ADMIN_SIGNATURE_V1.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpErrorCode, pconv, sign, signedRequest, signV2, useServer, type HttpAnswer } from './harness.js';

function expect2xx(res: HttpAnswer, what: string): void {
  expect(res.status, `${what}: ${res.status} ${res.text}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${what}: ${res.status} ${res.text}`).toBeLessThan(300);
}

function expectRefused(res: HttpAnswer): void {
  expect(res.status).toBe(401);
  expect(httpErrorCode(res)).toBe('UNAUTHENTICATED');
}

describe('admin API', () => {
  const srv = useServer();

  async function adminUser(prefix: string): Promise<{ userId: string; token: string }> {
    const userId = `${prefix}-${randomUUID().slice(0, 8)}`;
    const created = await srv.admin('POST', '/v1/admin/users', { userId, name: `App user ${prefix}`, avatar: 'https://example.com/a.png' });
    expect(created.status).toBe(201);
    const tok = await srv.admin('POST', `/v1/admin/users/${userId}/token`, {});
    expect2xx(tok, 'token');
    const body = tok.json as { token: string; expiresAt: number };
    expect(typeof body.token).toBe('string');
    expect(body.expiresAt).toBeGreaterThan(Date.now());
    return { userId, token: body.token };
  }

  it('creates users and issues tokens that open sessions', async () => {
    const u = await adminUser('app');
    const c = await srv.connect();
    const hello = await c.hello(u.token, 'd');
    expect(hello.ok && hello.body.userId).toBe(u.userId);
    const info = await c.call('users.get', { userIds: [u.userId] });
    expect(info.users[0]).toMatchObject({ userId: u.userId, name: 'App user app', avatar: 'https://example.com/a.png' });
  });

  it('issues a token with the requested ttl', async () => {
    const u = await adminUser('ttl');
    const before = Date.now();
    const tok = await srv.admin('POST', `/v1/admin/users/${u.userId}/token`, { ttlSeconds: 3600 });
    expect2xx(tok, 'token');
    const { expiresAt } = tok.json as { expiresAt: number };
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 60_000);
  });

  it('does not issue tokens for a user that does not exist (404)', async () => {
    const res = await srv.admin('POST', '/v1/admin/users/never-created/token', {});
    expect(res.status).toBe(404);
    expect(httpErrorCode(res)).toBe('NOT_FOUND');
  });

  it('refuses a user id outside the alphabet (400)', async () => {
    const res = await srv.admin('POST', '/v1/admin/users', { userId: 'bad/id', name: 'x' });
    expect(res.status).toBe(400);
    expect(httpErrorCode(res)).toBe('BAD_REQUEST');
  });

  it('sends server messages: {msgId, seq, ts}, delivered to members, kept in history', async () => {
    const a = await adminUser('sa');
    const b = await adminUser('sb');
    const conv = pconv(a.userId, b.userId);
    const ca = await srv.device(a);
    const cb = await srv.device(b);
    const first = await ca.sendText(conv, 'from the client');
    const res = await srv.admin('POST', '/v1/admin/messages', { from: a.userId, convId: conv, kind: 'text', body: { text: 'from the app server' } });
    expect2xx(res, 'message');
    const ack = res.json as { msgId: string; seq: number; ts: number };
    expect(ack.seq).toBe(first.seq + 1);
    expect(typeof ack.msgId).toBe('string');
    expect(Number.isInteger(ack.ts)).toBe(true);
    for (const c of [ca, cb]) {
      const m = await c.nextEvent('msg', (e) => e.seq === ack.seq);
      expect(m).toMatchObject({ convId: conv, seq: ack.seq, msgId: ack.msgId, from: a.userId, kind: 'text', body: { text: 'from the app server' } });
    }
    const log = await cb.history(conv);
    expect(log.map((e) => e.seq)).toEqual([1, 2]);
    expect(log[1]).toMatchObject({ msgId: ack.msgId, from: a.userId, body: { text: 'from the app server' } });
  });

  it('validates server messages like client ones', async () => {
    const a = await adminUser('va');
    const b = await adminUser('vb');
    const conv = pconv(a.userId, b.userId);
    const tooLong = await srv.admin('POST', '/v1/admin/messages', { from: a.userId, convId: conv, kind: 'text', body: { text: 'x'.repeat(8001) } });
    expect(tooLong.status).toBe(400);
    const outsider = await adminUser('vc');
    const notMember = await srv.admin('POST', '/v1/admin/messages', { from: outsider.userId, convId: conv, kind: 'text', body: { text: 'hi' } });
    expect(notMember.status).toBeGreaterThanOrEqual(400);
    expect(notMember.status).toBeLessThan(500);
  });

  // Part 1's rules hold for version 1 (allowed by default) and for version 2 alike.
  for (const version of [1, 2] as const) {
    describe(`signature version ${version}`, () => {
      it('refuses a wrong signature, a wrong key, missing headers and a tampered body (401)', async () => {
        const body = { userId: `sig-${randomUUID().slice(0, 8)}`, name: 'x' };
        expectRefused(await srv.sendSigned(signedRequest('POST', '/v1/admin/users', body, { secret: 'not-the-secret', version })));
        expectRefused(await srv.sendSigned(signedRequest('POST', '/v1/admin/users', body, { signature: '00'.repeat(32), version })));
        expectRefused(await srv.sendSigned(signedRequest('POST', '/v1/admin/users', body, { appKey: 'someone-else', version })));
        const good = signedRequest('POST', '/v1/admin/users', body, { version });
        expectRefused(await srv.sendSigned({ ...good, body: JSON.stringify({ ...body, name: 'tampered' }) }));
        for (const h of ['x-app-key', 'x-nonce', 'x-timestamp', 'x-signature', ...(version === 2 ? ['x-signature-version'] : [])]) {
          const r = signedRequest('POST', '/v1/admin/users', body, { version });
          const headers = { ...r.headers };
          delete headers[h];
          expectRefused(await srv.sendSigned({ ...r, headers }));
        }
        expectRefused(await srv.http('POST', '/v1/admin/users', { json: body }));
        // None of these created the user; the correctly signed request does.
        expect((await srv.sendSigned(signedRequest('POST', '/v1/admin/users', body, { version }))).status).toBe(201);
      });

      it('refuses a timestamp more than 5 minutes away either way, accepts one within', async () => {
        const mk = (offset: number) => signedRequest('POST', '/v1/admin/users', { userId: `ts-${randomUUID().slice(0, 8)}`, name: 'x' }, { timestamp: Date.now() + offset, version });
        expectRefused(await srv.sendSigned(mk(-6 * 60_000)));
        expectRefused(await srv.sendSigned(mk(6 * 60_000)));
        expectRefused(await srv.sendSigned(mk(-3600_000)));
        expect((await srv.sendSigned(mk(-4 * 60_000))).status).toBe(201);
        expect((await srv.sendSigned(mk(4 * 60_000))).status).toBe(201);
        // A timestamp in seconds is far from the server's clock in ms.
        expectRefused(await srv.sendSigned(mk(Math.floor(Date.now() / 1000) - Date.now())));
      });

      it('refuses a nonce seen before, replayed exactly or re-signed', async () => {
        const first = signedRequest('POST', '/v1/admin/users', { userId: `n-${randomUUID().slice(0, 8)}`, name: 'x' }, { version });
        expect((await srv.sendSigned(first)).status).toBe(201);
        expectRefused(await srv.sendSigned(first));
        const reSigned = signedRequest('POST', '/v1/admin/users', { userId: `n-${randomUUID().slice(0, 8)}`, name: 'y' }, { nonce: first.headers['x-nonce'], timestamp: Date.now() + 1, version });
        expectRefused(await srv.sendSigned(reSigned));
      });

      it('refuses a replayed nonce after a restart too', async () => {
        const first = signedRequest('POST', '/v1/admin/users', { userId: `r-${randomUUID().slice(0, 8)}`, name: 'x' }, { version });
        expect((await srv.sendSigned(first)).status).toBe(201);
        await srv.restart();
        expectRefused(await srv.sendSigned(first));
        // The admin API itself works after the restart.
        expect((await srv.admin('POST', '/v1/admin/users', { userId: `r-${randomUUID().slice(0, 8)}`, name: 'z' })).status).toBe(201);
      });
    });
  }
});

describe('admin API signature version 2: bound to method, path and query', () => {
  const srv = useServer();

  async function appUser(prefix: string): Promise<string> {
    const userId = `${prefix}-${randomUUID().slice(0, 8)}`;
    expect((await srv.admin('POST', '/v1/admin/users', { userId, name: prefix })).status).toBe(201);
    return userId;
  }

  it('signs the worked example of docs/protocol.md part 2 as it says', () => {
    const [nonce, ts, body] = ['4f1c2a9be07d4e55', '1767225600000', '{"ttlSeconds":3600}'];
    expect(signV2('example-secret', 'POST', '/v1/admin/users/bob/token', nonce, ts, body)).toBe('b3771c2bbdd34eb9af52fda2256379e446db028d637a930256bff954c2ff2c91');
    expect(signV2('example-secret', 'POST', '/v1/admin/users/alice/token', nonce, ts, body)).toBe('954d67a9f7dcddf074121d6d097eeed34a3238db162c89c19c45d31d8b588914');
    expect(sign('example-secret', nonce, ts, body)).toBe('b67aceaf595c4f579b884ef9e9c0b0690824a8a8955701fe1dd884268502429b');
  });

  it('accepts a valid version 2 request', async () => {
    const userId = await appUser('v2ok');
    const res = await srv.sendSigned(signedRequest('POST', `/v1/admin/users/${userId}/token`, {}));
    expect2xx(res, 'token');
    expect(typeof (res.json as { token: unknown }).token).toBe('string');
  });

  it('refuses a request signed for one user\'s path and sent to another\'s', async () => {
    const lowpriv = await appUser('lowpriv');
    const victim = await appUser('victim');
    const captured = signedRequest('POST', `/v1/admin/users/${lowpriv}/token`, {});
    const res = await srv.sendSigned({ ...captured, path: `/v1/admin/users/${victim}/token` });
    expectRefused(res);
    expect(res.text).not.toContain('"token"');
    // The captured request was not used up by the refusal: sent where it was signed for, it works.
    expect2xx(await srv.sendSigned(captured), 'the captured request on its own path');
  });

  it('refuses a request signed for another route or method', async () => {
    const userId = await appUser('route');
    const forBan = signedRequest('POST', `/v1/admin/users/${userId}/ban`, {});
    expectRefused(await srv.sendSigned({ ...forBan, path: `/v1/admin/users/${userId}/token` }));
    const forPut = signedRequest('PUT', `/v1/admin/users/${userId}/token`, {});
    expectRefused(await srv.sendSigned({ ...forPut, method: 'POST' }));
  });

  it('covers the query as sent: added, removed or reordered, it is refused', async () => {
    const userId = await appUser('query');
    const target = `/v1/admin/users/${userId}/token`;
    expectRefused(await srv.sendSigned({ ...signedRequest('POST', `${target}?a=1&b=2`, {}), path: target }));
    expectRefused(await srv.sendSigned({ ...signedRequest('POST', target, {}), path: `${target}?a=1` }));
    expectRefused(await srv.sendSigned({ ...signedRequest('POST', `${target}?a=1&b=2`, {}), path: `${target}?b=2&a=1` }));
    expect2xx(await srv.sendSigned(signedRequest('POST', `${target}?a=1&b=2`, {})), 'the query as signed');
  });

  it('refuses a replay of the same request (its nonce is used)', async () => {
    const userId = await appUser('replay');
    const req = signedRequest('POST', `/v1/admin/users/${userId}/token`, {});
    expect2xx(await srv.sendSigned(req), 'first');
    expectRefused(await srv.sendSigned(req));
  });

  it('refuses a version it does not know', async () => {
    const r = signedRequest('POST', '/v1/admin/users', { userId: `v3-${randomUUID().slice(0, 8)}`, name: 'x' });
    expectRefused(await srv.sendSigned({ ...r, headers: { ...r.headers, 'x-signature-version': '3' } }));
  });
});

describe('admin API with version 1 signatures turned off (PARLEY_ADMIN_SIGNATURE_V1=false)', () => {
  const srv = useServer({ adminSignatureV1: false });

  it('refuses a version 1 request replayed to another user: the victim gets no token', async () => {
    const lowpriv = `lowpriv-${randomUUID().slice(0, 8)}`;
    const victim = `victim-${randomUUID().slice(0, 8)}`;
    for (const userId of [lowpriv, victim]) expect((await srv.admin('POST', '/v1/admin/users', { userId, name: userId })).status).toBe(201);
    const captured = signedRequest('POST', `/v1/admin/users/${lowpriv}/token`, {}, { version: 1 });
    const res = await srv.sendSigned({ ...captured, path: `/v1/admin/users/${victim}/token` });
    expectRefused(res);
    expect(res.text).not.toContain('"token"');
  });

  it('refuses any version 1 request, saying to use version 2', async () => {
    for (const headers of [{}, { 'x-signature-version': '1' }] as Array<Record<string, string>>) {
      const r = signedRequest('POST', '/v1/admin/users', { userId: `v1-${randomUUID().slice(0, 8)}`, name: 'x' }, { version: 1 });
      const res = await srv.sendSigned({ ...r, headers: { ...r.headers, ...headers } });
      expectRefused(res);
      expect((res.json as { error: { message: string } }).error.message).toMatch(/version 2/);
    }
    // Version 2 works.
    expect((await srv.admin('POST', '/v1/admin/users', { userId: `v2-${randomUUID().slice(0, 8)}`, name: 'x' })).status).toBe(201);
  });
});

describe('admin API when no key is configured', () => {
  const srv = useServer({ appKey: undefined, appSecret: undefined });

  it('is off: even a request signed with some secret is refused', async () => {
    const res = await srv.sendSigned(signedRequest('POST', '/v1/admin/users', { userId: 'x1', name: 'x' }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    // Built-in accounts still work.
    await srv.user('builtin');
  });
});
