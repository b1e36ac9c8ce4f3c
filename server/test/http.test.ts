/** docs/protocol.md "HTTP": built-in accounts, health, metrics and errors. */
import { describe, expect, it } from 'vitest';
import { httpErrorCode, PASSWORD, useServer } from './harness.js';

describe('accounts', () => {
  const srv = useServer();

  it('registers (201 {token, expiresAt}) and the token opens a session', async () => {
    const res = await srv.http('POST', '/v1/auth/register', { json: { userId: 'reg.user-1@x_y', password: PASSWORD, name: '注册用户' } });
    expect(res.status).toBe(201);
    const body = res.json as { token: string; expiresAt: number };
    expect(typeof body.token).toBe('string');
    expect(body.token.length).toBeGreaterThan(0);
    expect(body.expiresAt).toBeGreaterThan(Date.now());
    const c = await srv.connect();
    const hello = await c.hello(body.token, 'd');
    expect(hello.ok && hello.body.userId).toBe('reg.user-1@x_y');
    const me = await c.call('users.get', { userIds: ['reg.user-1@x_y'] });
    expect(me.users[0]).toMatchObject({ userId: 'reg.user-1@x_y', name: '注册用户' });
  });

  it('refuses a duplicate registration with 409 CONFLICT, leaving the first account intact', async () => {
    const u = await srv.user('dup');
    const res = await srv.http('POST', '/v1/auth/register', { json: { userId: u.userId, password: 'another password', name: 'Impostor' } });
    expect(res.status).toBe(409);
    expect(httpErrorCode(res)).toBe('CONFLICT');
    expect((await srv.login(u.userId)).status).toBe(200);
    expect((await srv.login(u.userId, 'another password')).status).toBe(401);
  });

  it('logs in (200 {token, expiresAt}); a wrong password or unknown user is 401 UNAUTHENTICATED', async () => {
    const u = await srv.user('login');
    const ok = await srv.login(u.userId);
    expect(ok.status).toBe(200);
    const body = ok.json as { token: string; expiresAt: number };
    expect(body.expiresAt).toBeGreaterThan(Date.now());
    const c = await srv.connect();
    expect((await c.hello(body.token, 'd')).ok).toBe(true);
    const wrong = await srv.login(u.userId, PASSWORD + '!');
    expect(wrong.status).toBe(401);
    expect(httpErrorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.text).not.toContain('token');
    const unknown = await srv.login('no-such-user', PASSWORD);
    expect(unknown.status).toBe(401);
    expect(httpErrorCode(unknown)).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a userId with a space', { userId: 'bad id', password: PASSWORD, name: 'x' }],
    ['a userId with a slash', { userId: '../etc', password: PASSWORD, name: 'x' }],
    ['an empty userId', { userId: '', password: PASSWORD, name: 'x' }],
    ['a 65-character userId', { userId: 'a'.repeat(65), password: PASSWORD, name: 'x' }],
    ['no password', { userId: 'nopass', name: 'x' }],
    ['a numeric password', { userId: 'numpass', password: 12345678, name: 'x' }],
    ['no name', { userId: 'noname', password: PASSWORD }],
  ])('refuses a registration with %s (400 BAD_REQUEST)', async (_what, body) => {
    const res = await srv.http('POST', '/v1/auth/register', { json: body });
    expect(res.status).toBe(400);
    expect(httpErrorCode(res)).toBe('BAD_REQUEST');
  });

  it('refuses a body that is not JSON with 400 BAD_REQUEST', async () => {
    for (const p of ['/v1/auth/register', '/v1/auth/login']) {
      const res = await srv.http('POST', p, { body: '{"userId":', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(httpErrorCode(res)).toBe('BAD_REQUEST');
    }
  });

  it('accepts a userId of exactly 64 characters', async () => {
    const id = 'L'.repeat(64);
    const res = await srv.http('POST', '/v1/auth/register', { json: { userId: id, password: PASSWORD, name: 'long' } });
    expect(res.status).toBe(201);
  });
});

describe('service endpoints', () => {
  const srv = useServer();

  it('GET /healthz is 200', async () => {
    expect((await srv.http('GET', '/healthz')).status).toBe(200);
  });

  it('GET /metrics is Prometheus text with connection, request, latency and error metrics', async () => {
    // Some traffic first: a session, requests, an error.
    const u = await srv.user('metrics');
    const c = await srv.device(u);
    await c.call('sync', {});
    await c.fail('no.such.op', {});
    await srv.http('GET', '/no/such/route');
    const res = await srv.http('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# (HELP|TYPE) /m);
    const names = new Set(
      res.text
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0] ?? ''),
    );
    const has = (re: RegExp): boolean => [...names].some((n) => re.test(n));
    expect(has(/connection/i), 'a connection metric').toBe(true);
    expect(has(/request/i), 'a request metric').toBe(true);
    expect(has(/(latency|duration|seconds)/i), 'a latency metric').toBe(true);
    expect(has(/error/i), 'an error metric').toBe(true);
    // Metrics never carry secrets.
    expect(res.text).not.toContain(u.token);
  });

  it('answers an unknown route with 404 and {"error":{"code":"NOT_FOUND",…}}', async () => {
    for (const [method, p] of [
      ['GET', '/nope'],
      ['GET', '/v1/nope'],
      ['POST', '/v1/auth/nope'],
    ] as const) {
      const res = await srv.http(method, p);
      expect(res.status, `${method} ${p}`).toBe(404);
      expect(res.json).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(typeof (res.json as { error: { message: unknown } }).error.message).toBe('string');
    }
  });
});
