/**
 * Resource limits (docs/protocol.md part 2, "Resource limits"): connections per user and per address, requests in
 * flight per connection, per-user rate limits of every op, and the bound on the server's unsent output, which sheds
 * the connections holding most with 1013 while everyone else keeps being served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsClient} from './harness.js';
import { TestServer, WAIT_MS, pconv, wsUrl, type StartConfig, type TestUser } from './harness.js';

let server: TestServer | null = null;

afterEach(async () => {
  await server?.dispose();
  server = null;
});

async function start(config: StartConfig): Promise<TestServer> {
  server = await new TestServer(config).start();
  return server;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One sample of a metric from /metrics (0 when absent). */
async function metric(srv: TestServer, name: string, labels = ''): Promise<number> {
  const text = (await srv.http('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Opens a WebSocket; resolves with the HTTP status of a refused upgrade, or the open socket. */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ws: WebSocket | null }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(url), { headers });
    ws.on('error', () => undefined);
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        expect(JSON.parse(body)).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
        expect(res.headers['retry-after']).toBeDefined();
        resolve({ status: res.statusCode ?? 0, ws: null });
      });
    });
    setTimeout(() => reject(new Error('upgrade neither opened nor refused')), WAIT_MS).unref();
  });
}

describe('connections per user', () => {
  it('refuses a hello past the limit with RATE_LIMITED and close 1013; the same device still replaces, and a freed slot is usable', async () => {
    const srv = await start({ maxConnectionsPerUser: 2 });
    const alice = await srv.register('alice');
    const bob = await srv.register('bob');
    const first = await srv.device(alice, 'a1');
    await srv.device(alice, 'a2');

    const third = await srv.connect();
    const refused = await third.hello(alice.token, 'a3');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect((await third.closed).code).toBe(1013);
    expect(await metric(srv, 'parley_limit_refusals_total', 'limit="user-connections"')).toBe(1);

    // A device that reconnects replaces its own connection rather than adding one.
    const again = await srv.device(alice, 'a2');
    expect(again.isOpen).toBe(true);
    // Other users are not affected.
    await srv.device(bob, 'b1');

    first.close();
    await first.closed;
    await until(async () => {
      const c = await srv.connect();
      const a = await c.hello(alice.token, 'a3');
      return a.ok;
    }, 'a freed slot');
  });
});

describe('connections per address', () => {
  it('refuses upgrades past the limit with 429 and Retry-After, and counts a closed socket out', async () => {
    const srv = await start({ maxConnectionsPerIp: 2 });
    const a = await upgrade(srv.url);
    const b = await upgrade(srv.url);
    expect([a.status, b.status]).toEqual([101, 101]);
    expect((await upgrade(srv.url)).status).toBe(429);
    expect(await metric(srv, 'parley_limit_refusals_total', 'limit="ip-connections"')).toBe(1);
    a.ws!.close();
    await until(async () => (await upgrade(srv.url)).status === 101, 'the closed socket counted out');
    b.ws!.close();
  });

  it('behind a trusted proxy, counts each client by the address the proxy added to X-Forwarded-For', async () => {
    const srv = await start({ maxConnectionsPerIp: 1, trustedProxies: '127.0.0.1, ::1' });
    // The last entry is the proxy's; what the client put before it does not count.
    const one = await upgrade(srv.url, { 'x-forwarded-for': '10.0.0.9, 203.0.113.1' });
    const two = await upgrade(srv.url, { 'x-forwarded-for': '203.0.113.2' });
    expect([one.status, two.status]).toEqual([101, 101]);
    expect((await upgrade(srv.url, { 'x-forwarded-for': '10.0.0.8, 203.0.113.1' })).status).toBe(429);
    one.ws!.close();
    two.ws!.close();
  });
});

describe('requests in flight per connection', () => {
  it('stops reading a connection at the limit, then answers every request, pipelined sends in their order', async () => {
    const srv = await start({ maxInFlight: 2, sendRate: 0 });
    const alice = await srv.register('alice');
    await srv.register('bob');
    const conn = await srv.device(alice);
    const convId = pconv('alice', 'bob');
    const syncs = Array.from({ length: 30 }, () => conn.call('sync', {}));
    const sends = Array.from({ length: 30 }, (_, i) => conn.sendText(convId, `m${i}`));
    await Promise.all(syncs);
    const acks = await Promise.all(sends);
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect((await conn.history(convId, { limit: 100 })).map((m) => (m.body as { text: string }).text)).toEqual(acks.map((_, i) => `m${i}`));
    expect(await metric(srv, 'parley_reads_paused_total', 'reason="in-flight"')).toBeGreaterThan(0);
  });
});

describe('per-user rate limits of ops', () => {
  it('answers RATE_LIMITED with retryAfterMs past an op group burst, for every connection of the user, also after reconnecting', async () => {
    const srv = await start({ fetchRate: 1, fetchBurst: 3 });
    const alice = await srv.register('alice');
    const bob = await srv.register('bob');
    const a1 = await srv.device(alice, 'a1');
    for (let i = 0; i < 3; i++) await a1.call('sync', {});
    const refused = await a1.fail('history', { convId: pconv('alice', 'bob') });
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    // Other groups and sends are not held back by it.
    await a1.sendText(pconv('alice', 'bob'), 'hi');
    await a1.call('conv.update', { convId: pconv('alice', 'bob'), pinned: true });
    // The bucket is the user's: a second device shares it, and a new connection does not reset it.
    const a2 = await srv.device(alice, 'a2');
    expect((await a2.fail('users.get', { userIds: ['bob'] })).code).toBe('RATE_LIMITED');
    a1.close();
    a2.close();
    await Promise.all([a1.closed, a2.closed]);
    const a3 = await srv.device(alice, 'a3');
    expect((await a3.fail('sync', {})).code).toBe('RATE_LIMITED');
    // Another user has a bucket of their own.
    const b = await srv.device(bob, 'b1');
    await b.call('sync', {});
    expect(await metric(srv, 'parley_limit_refusals_total', 'limit="fetch"')).toBe(3);
  });
});

describe('unsent output of all connections', () => {
  const LIMIT = 6 * 1024 * 1024;
  const PAGES = 12;

  async function seed(srv: TestServer, writer: TestUser, convId: string): Promise<void> {
    const conn = await srv.device(writer);
    // 100 entries of 8,000 three-byte characters: a history page of about 2.4 MB.
    const text = '龍'.repeat(8000);
    await Promise.all(Array.from({ length: 100 }, () => conn.sendText(convId, text)));
    conn.close();
  }

  it('stays under PARLEY_MAX_UNSENT_BYTES against clients that never read, shedding the largest with 1013, while others are served', async () => {
    const srv = await start({ sendRate: 0, maxUnsentBytes: LIMIT, maxConnectionUnsentBytes: 256 * 1024 * 1024, shedGraceMs: 120_000 });
    const writer = await srv.register('writer');
    const reader = await srv.register('reader');
    const carol = await srv.register('carol');
    const dave = await srv.register('dave');
    const convId = pconv('reader', 'writer');
    await seed(srv, writer, convId);

    const samples: number[] = [];
    const sample = async () => samples.push(await metric(srv, 'parley_unsent_bytes', 'state="live"'));

    // Eight connections that ask twelve pages each and read nothing: each holds 1 to 3.4 MB before the server stops
    // starting its requests, more than 6 MiB together.
    const slow: WsClient[] = [];
    for (let i = 0; i < 8; i++) slow.push(await srv.device(reader, `slow-${i}`));
    const answers = slow.map((c) => {
      c.keepReceived = false;
      c.ws.pause();
      return Array.from({ length: PAGES }, () => c.req('history', { convId, limit: 100 }, 120_000).catch((e: Error) => e));
    });
    await until(async () => {
      await sample();
      return (await metric(srv, 'parley_connections_shed_total', 'reason="server-output"')) > 0;
    }, 'a connection shed');

    // Everyone else is served meanwhile.
    const c = await srv.device(carol);
    const d = await srv.device(dave);
    await c.sendText(pconv('carol', 'dave'), 'still here');
    expect(await d.nextEvent('msg')).toMatchObject({ body: { text: 'still here' } });
    expect(await d.history(pconv('carol', 'dave'))).toHaveLength(1);
    await sample();

    // Reading again, each slow client either gets all its pages or, shed, the close code 1013 after what was queued
    // (or, when shed connections held more than a quarter of the limit, the connection drops: 1006).
    for (const s of slow) s.ws.resume();
    const settled = await Promise.all(answers.map((list) => Promise.all(list)));
    const shedCount = await metric(srv, 'parley_connections_shed_total', 'reason="server-output"');
    let closed = 0;
    for (const [i, s] of slow.entries()) {
      if (s.closeInfo === null && s.isOpen) {
        expect(settled[i]!.every((a) => !(a instanceof Error) && a.ok)).toBe(true);
      } else {
        expect([1013, 1006]).toContain((await s.closed).code);
        closed++;
      }
    }
    expect(closed).toBe(shedCount);
    expect(closed).toBeGreaterThan(0);
    expect(closed).toBeLessThan(slow.length);
    await sample();
    expect(Math.max(...samples)).toBeLessThanOrEqual(LIMIT);
    await until(async () => (await metric(srv, 'parley_unsent_bytes', 'state="releasing"')) === 0, 'shed output released');
  }, 120_000);

  it('starts no more requests for a connection that does not read, until it reads again', async () => {
    const srv = await start({ sendRate: 0 });
    const writer = await srv.register('writer');
    const reader = await srv.register('reader');
    const convId = pconv('reader', 'writer');
    await seed(srv, writer, convId);
    const conn = await srv.device(reader, 'slow');
    conn.keepReceived = false;
    conn.ws.pause();
    const asked = 40;
    const answers = Array.from({ length: asked }, () => conn.req('history', { convId, limit: 100 }, 120_000));
    await until(async () => (await metric(srv, 'parley_unsent_bytes', 'state="live"')) > 1024 * 1024, 'its output backed up');
    // A later round trip of someone else: by then the slow connection's requests would have started, had they been going to.
    const other = await srv.device(writer, 'other');
    await other.call('sync', {});
    const started = await metric(srv, 'parley_requests_total', 'op="history"');
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(asked / 2);
    // Reading again, it gets every page, in order of asking.
    conn.ws.resume();
    const pages = await Promise.all(answers);
    expect(pages.every((a) => a.ok)).toBe(true);
    expect(await metric(srv, 'parley_requests_total', 'op="history"')).toBe(asked);
  }, 120_000);
});
