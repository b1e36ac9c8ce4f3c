/** docs/protocol.md "HTTP": built-in accounts, health, metrics (and who may read them) and errors. */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { bearerMatches, isLoopback } from '../src/http/metrics-access.js';
import { httpErrorCode, PASSWORD, useServer, type HttpAnswer } from './harness.js';
import { freePort } from './server-process.js';

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

/** GET /metrics at `base`, with `headers`. */
async function getMetrics(base: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const res = await fetch(`${base}/metrics`, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** An address of this machine that is not loopback, so a request to it comes from a non-loopback peer. */
const EXTERNAL_V4 = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('metrics access (docs/protocol.md part 2, "Metrics access")', () => {
  it('loopback is 127.0.0.0/8 and ::1, also IPv4-mapped; nothing else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of [undefined, '', '10.0.0.1', '192.0.2.2', '::ffff:10.0.0.1', '::2', 'fd00::1', '128.0.0.1', 'localhost']) {
      expect(isLoopback(a), String(a)).toBe(false);
    }
  });

  it('the bearer token must match exactly', () => {
    expect(bearerMatches(`Bearer ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(true);
    for (const h of [undefined, '', METRICS_TOKEN, `Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(1)}`, `Basic ${METRICS_TOKEN}`, 'Bearer ']) {
      expect(bearerMatches(h, METRICS_TOKEN), String(h)).toBe(false);
    }
  });

  describe('by default', () => {
    const srv = useServer();

    it('serves this computer, but not a request a reverse proxy forwarded to it', async () => {
      expect((await getMetrics(srv.url)).status).toBe(200);
      for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
        const res = await getMetrics(srv.url, { [header]: header === 'forwarded' ? 'for=198.51.100.7' : '198.51.100.7' });
        expect(res.status, header).toBe(403);
        expect(httpErrorCode(res)).toBe('FORBIDDEN');
        expect(res.text).not.toContain('parley_');
      }
    });
  });

  describe.skipIf(!EXTERNAL_V4)(`by default, from a peer that is not loopback (${EXTERNAL_V4 ?? 'this machine has no such address'})`, () => {
    const srv = useServer({ host: EXTERNAL_V4 });

    it('refuses with 403 FORBIDDEN, while the rest of the server answers', async () => {
      expect(srv.url).toBe(`http://${EXTERNAL_V4}:${new URL(srv.url).port}`);
      expect((await srv.http('GET', '/healthz')).status).toBe(200);
      const res = await getMetrics(srv.url);
      expect(res.status).toBe(403);
      expect(httpErrorCode(res)).toBe('FORBIDDEN');
      expect(res.text).not.toContain('parley_');
    });
  });

  describe('with PARLEY_METRICS_TOKEN', () => {
    const srv = useServer({ metricsToken: METRICS_TOKEN });

    it('answers 401 without the token or with a wrong one (loopback too), 200 with it', async () => {
      const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${METRICS_TOKEN}` }, { authorization: METRICS_TOKEN }];
      for (const headers of refused) {
        const res = await getMetrics(srv.url, headers);
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(httpErrorCode(res)).toBe('UNAUTHENTICATED');
        expect(res.text).not.toContain('parley_');
      }
      const ok = await getMetrics(srv.url, { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(ok.status).toBe(200);
      expect(ok.text).toMatch(/^parley_connections /m);
      // With the token, a forwarded request is served: the token is the proof.
      expect((await getMetrics(srv.url, { authorization: `Bearer ${METRICS_TOKEN}`, 'x-forwarded-for': '198.51.100.7' })).status).toBe(200);
    });
  });

  describe('with PARLEY_METRICS_ADDRESS', async () => {
    const port = await freePort();
    const metricsBase = `http://127.0.0.1:${port}`;
    const srv = useServer({ metricsAddress: `127.0.0.1:${port}` });

    it('serves /metrics on that address only: the main listener answers 404, the metrics listener nothing else', async () => {
      const main = await getMetrics(srv.url);
      expect(main.status).toBe(404);
      expect(httpErrorCode(main)).toBe('NOT_FOUND');
      const res = await getMetrics(metricsBase);
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^parley_connections /m);
      expect((await fetch(`${metricsBase}/healthz`)).status).toBe(404);
      expect((await fetch(`${metricsBase}/v1/auth/login`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${metricsBase}/metrics`, { method: 'POST' })).status).toBe(404);
      expect((await srv.http('GET', '/healthz')).status).toBe(200);
    });
  });

  describe('with both', async () => {
    const port = await freePort();
    const metricsBase = `http://127.0.0.1:${port}`;
    const srv = useServer({ metricsAddress: `127.0.0.1:${port}`, metricsToken: METRICS_TOKEN });

    it('the metrics listener requires the token', async () => {
      expect((await getMetrics(srv.url, { authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(404);
      expect((await getMetrics(metricsBase)).status).toBe(401);
      expect((await getMetrics(metricsBase, { authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
    });
  });
});
