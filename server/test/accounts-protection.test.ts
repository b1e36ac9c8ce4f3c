/** docs/protocol.md part 2, "Registration and login": modes, limits, hashing, throttles, password policy. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpErrorCode, PASSWORD, TestServer, useServer, WAIT_MS, type HttpAnswer } from './harness.js';
import { ServerProcess } from './server-process.js';

/** A JSON POST sent from a chosen loopback address (127.0.0.0/8 is all loopback on Linux), so limits per address can be seen. */
function postFrom(srv: TestServer, localAddress: string, urlPath: string, json: unknown, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
  const { hostname, port } = new URL(srv.url);
  const text = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port, method: 'POST', path: urlPath, localAddress, agent: false, headers: { ...extraHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: new Headers(), text: body, json: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(WAIT_MS, () => req.destroy(new Error(`no answer to POST ${urlPath}`)));
    req.end(text);
  });
}

function reasonOf(res: HttpAnswer): unknown {
  return (res.json as { error?: { reason?: unknown } } | undefined)?.error?.reason;
}

function retryAfterOf(res: HttpAnswer): unknown {
  return (res.json as { error?: { retryAfterMs?: unknown } } | undefined)?.error?.retryAfterMs;
}

/** The value of parley_password_hashes_total{op} in /metrics. */
async function hashCount(srv: TestServer, op: string): Promise<number> {
  const text = (await srv.http('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`parley_password_hashes_total{op="${op}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.dispose();
});
async function fresh(config: ConstructorParameters<typeof TestServer>[0]): Promise<TestServer> {
  const s = new TestServer(config);
  servers.push(s);
  return s.start();
}

describe('password hashing', () => {
  it('hashes at the configured cost and re-hashes an older, cheaper hash at the next login', async () => {
    const srv = await fresh({ passwordCost: 10 });
    const u = await srv.user('rehash');
    await srv.stop();
    const storedHash = async () => (await srv.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE user_id = ?', [u.userId]))[0]!.password_hash;
    expect(await storedHash()).toMatch(/^scrypt\$1024\$8\$1\$/);

    // The operator raises the cost: the old hash still logs in, and is replaced by one of the new cost.
    srv.config.passwordCost = 11;
    await srv.start();
    expect((await srv.login(u.userId)).status).toBe(200);
    expect(await hashCount(srv, 'rehash')).toBe(1);
    expect((await srv.login(u.userId)).status).toBe(200);
    expect(await hashCount(srv, 'rehash')).toBe(1);
    expect((await srv.login(u.userId, 'not the password')).status).toBe(401);
    await srv.stop();
    expect(await storedHash()).toMatch(/^scrypt\$2048\$8\$1\$/);
  });

  it('verifies a password for an unknown user id too, so the time taken does not tell whether it exists', async () => {
    const srv = await fresh({});
    const u = await srv.user('known');
    const before = await hashCount(srv, 'verify');
    expect((await srv.login('nobody-here', PASSWORD)).status).toBe(401);
    expect(await hashCount(srv, 'verify')).toBe(before + 1);
    expect((await srv.login(u.userId, 'wrong password')).status).toBe(401);
    expect(await hashCount(srv, 'verify')).toBe(before + 2);
  });
});

describe('login throttle', () => {
  it('made-up user ids from one address are refused before they can push a victim out of the throttle', async () => {
    const srv = await fresh({});
    const victim = await srv.user('victim');
    const guesser = '127.0.0.2';
    let limited: HttpAnswer | null = null;
    for (let i = 0; i < 20 && !limited; i++) {
      const res = await postFrom(srv, guesser, '/v1/auth/login', { userId: victim.userId, password: `guess ${i}` });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(401);
    }
    expect(limited && httpErrorCode(limited)).toBe('RATE_LIMITED');
    expect(retryAfterOf(limited!)).toBeGreaterThan(0);
    // Flooding made-up ids from another address: that address is soon refused too, and the victim's limit holds.
    let refused = false;
    for (let i = 0; i < 60 && !refused; i++) {
      const res = await postFrom(srv, '127.0.0.3', '/v1/auth/login', { userId: `made-up-${i}`, password: 'whatever it is' });
      refused = res.status === 429;
    }
    expect(refused).toBe(true);
    expect((await postFrom(srv, guesser, '/v1/auth/login', { userId: victim.userId, password: PASSWORD })).status).toBe(429);
  });

  it("someone else's guesses do not lock the owner out", async () => {
    const srv = await fresh({});
    const owner = await srv.user('owner');
    let limited = false;
    for (let i = 0; i < 20 && !limited; i++) {
      limited = (await postFrom(srv, '127.0.0.4', '/v1/auth/login', { userId: owner.userId, password: `guess ${i}` })).status === 429;
    }
    expect(limited).toBe(true);
    expect((await postFrom(srv, '127.0.0.1', '/v1/auth/login', { userId: owner.userId, password: PASSWORD })).status).toBe(200);
  });
});

describe('registration limits', () => {
  it('a registration flood from one address is refused past its limit while logins go on', async () => {
    const srv = await fresh({ registerPerIpPerHour: 3, registerPerMinute: 0 });
    const existing = await postFrom(srv, '127.0.0.6', '/v1/auth/register', { userId: 'existing', password: PASSWORD, name: 'E' });
    expect(existing.status).toBe(201);
    const flood = Array.from({ length: 30 }, (_, i) =>
      postFrom(srv, '127.0.0.5', '/v1/auth/register', { userId: `flood-${i}`, password: PASSWORD, name: 'F' }),
    );
    const login = postFrom(srv, '127.0.0.5', '/v1/auth/login', { userId: 'existing', password: PASSWORD });
    const answers = await Promise.all(flood);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(3);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.every((a) => a.status === 429 && httpErrorCode(a) === 'RATE_LIMITED' && Number(retryAfterOf(a)) > 0)).toBe(true);
    expect((await login).status).toBe(200);
    // Another address still registers.
    expect((await postFrom(srv, '127.0.0.7', '/v1/auth/register', { userId: 'elsewhere', password: PASSWORD, name: 'E' })).status).toBe(201);
  });

  it('the whole server accepts at most registerPerMinute registrations at once', async () => {
    const srv = await fresh({ registerPerIpPerHour: 0, registerPerMinute: 2 });
    const statuses: number[] = [];
    for (const [i, from] of ['127.0.0.8', '127.0.0.9', '127.0.0.10'].entries()) {
      statuses.push((await postFrom(srv, from, '/v1/auth/register', { userId: `global-${i}`, password: PASSWORD, name: 'G' })).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });
});

describe('behind a trusted proxy', () => {
  it('counts registrations by the X-Forwarded-For client, and only when a trusted proxy says so', async () => {
    const srv = await fresh({ registerPerIpPerHour: 1, registerPerMinute: 0, trustedProxies: '127.0.0.1' });
    const via = (userId: string, client: string, from = '127.0.0.1') =>
      postFrom(srv, from, '/v1/auth/register', { userId, password: PASSWORD, name: 'P' }, { 'x-forwarded-for': client });
    expect((await via('proxied-1', '198.51.100.1')).status).toBe(201);
    expect((await via('proxied-2', '198.51.100.1')).status).toBe(429);
    expect((await via('proxied-3', '198.51.100.2')).status).toBe(201);
    // Not a trusted proxy: its header is ignored, so a changing header does not escape the limit.
    expect((await via('direct-1', '198.51.100.3', '127.0.0.20')).status).toBe(201);
    expect((await via('direct-2', '198.51.100.4', '127.0.0.20')).status).toBe(429);
  });
});

describe('password policy', () => {
  const srv = useServer();

  it.each([
    ['one of the commonest passwords', 'password1'],
    ['a common password in other case', 'QWERTYUIOP'],
    ['the user id itself', 'policy-user'],
  ])('refuses %s with 400 BAD_REQUEST (reason WEAK_PASSWORD) and a message saying why', async (_what, password) => {
    const res = await srv.http('POST', '/v1/auth/register', { json: { userId: 'policy-user', password, name: 'P' } });
    expect(res.status).toBe(400);
    expect(httpErrorCode(res)).toBe('BAD_REQUEST');
    expect(reasonOf(res)).toBe('WEAK_PASSWORD');
    expect((res.json as { error: { message: string } }).error.message).toMatch(/common|user id/);
    expect((await srv.login('policy-user', password)).status).toBe(401);
  });
});

describe('registration modes', () => {
  it('closed: register answers 403 FORBIDDEN (reason REGISTRATION_CLOSED); admin-made users still log in', async () => {
    const srv = await fresh({ registration: 'closed' });
    const res = await srv.http('POST', '/v1/auth/register', { json: { userId: 'someone', password: PASSWORD, name: 'S' } });
    expect(res.status).toBe(403);
    expect(httpErrorCode(res)).toBe('FORBIDDEN');
    expect(reasonOf(res)).toBe('REGISTRATION_CLOSED');
    expect((await srv.admin('POST', '/v1/admin/users', { userId: 'made', name: 'M' })).status).toBe(201);
  });

  it('invite: a code from the admin API allows its uses, atomically with the account, then is refused', async () => {
    const srv = await fresh({ registration: 'invite' });
    const body = (userId: string, inviteCode?: string) => ({ json: { userId, password: PASSWORD, name: 'I', inviteCode } });
    const none = await srv.http('POST', '/v1/auth/register', body('no-code'));
    expect([none.status, reasonOf(none)]).toEqual([403, 'INVITE_REQUIRED']);
    const bad = await srv.http('POST', '/v1/auth/register', body('bad-code', 'no-such-code'));
    expect([bad.status, reasonOf(bad)]).toEqual([403, 'INVITE_INVALID']);

    const made = await srv.admin('POST', '/v1/admin/invites', { uses: 2 });
    expect(made.status).toBe(201);
    const invite = made.json as { code: string; usesLeft: number; expiresAt: number | null };
    expect(invite).toMatchObject({ usesLeft: 2, expiresAt: null });
    expect((await srv.http('POST', '/v1/auth/register', body('invited-1', invite.code))).status).toBe(201);
    // A taken id does not use up the code.
    expect((await srv.http('POST', '/v1/auth/register', body('invited-1', invite.code))).status).toBe(409);
    expect((await srv.http('POST', '/v1/auth/register', body('invited-2', invite.code))).status).toBe(201);
    const spent = await srv.http('POST', '/v1/auth/register', body('invited-3', invite.code));
    expect([spent.status, reasonOf(spent)]).toEqual([403, 'INVITE_INVALID']);
    expect((await srv.login('invited-2')).status).toBe(200);

    const listed = await srv.admin('GET', '/v1/admin/invites');
    expect(listed.status).toBe(200);
    expect((listed.json as { invites: unknown[] }).invites).toEqual([expect.objectContaining({ code: invite.code, usesLeft: 0 })]);
  });

  it('invite: an expired or revoked code is refused', async () => {
    const srv = await fresh({ registration: 'invite' });
    const expired = (await srv.admin('POST', '/v1/admin/invites', { expiresAt: Date.now() - 1000 })).json as { code: string };
    const res = await srv.http('POST', '/v1/auth/register', { json: { userId: 'late', password: PASSWORD, name: 'L', inviteCode: expired.code } });
    expect(reasonOf(res)).toBe('INVITE_INVALID');
    const revoked = (await srv.admin('POST', '/v1/admin/invites', {})).json as { code: string };
    expect((await srv.admin('DELETE', `/v1/admin/invites/${revoked.code}`)).status).toBe(204);
    expect((await srv.admin('DELETE', `/v1/admin/invites/${revoked.code}`)).status).toBe(404);
    const after = await srv.http('POST', '/v1/auth/register', { json: { userId: 'revoked', password: PASSWORD, name: 'R', inviteCode: revoked.code } });
    expect([after.status, reasonOf(after)]).toEqual([403, 'INVITE_INVALID']);
    // Invites need a signed request.
    expect((await srv.http('POST', '/v1/admin/invites', { json: {} })).status).toBe(401);
    // Bad bodies and codes are typed errors.
    const zero = await srv.admin('POST', '/v1/admin/invites', { uses: 0 });
    expect([zero.status, httpErrorCode(zero)]).toEqual([400, 'BAD_REQUEST']);
    const malformed = await srv.admin('DELETE', '/v1/admin/invites/not%20a%20code');
    expect([malformed.status, httpErrorCode(malformed)]).toEqual([400, 'BAD_REQUEST']);
    const junk = await srv.http('POST', '/v1/auth/register', { json: { userId: 'junk', password: PASSWORD, name: 'J', inviteCode: 'has spaces' } });
    expect([junk.status, httpErrorCode(junk)]).toEqual([400, 'BAD_REQUEST']);
  });
});

describe('start', () => {
  it('the "server started" line names the registration mode, and a cost below 17 is warned about', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    const p = new ServerProcess(0, dir, { PARLEY_LOG_LEVEL: 'info', PARLEY_REGISTRATION: 'invite', PARLEY_PASSWORD_COST: '10' });
    await p.start();
    try {
      const deadline = Date.now() + WAIT_MS;
      const lines = () => p.diagnostics.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; level?: number; registration?: string });
      const warned = () => lines().some((l) => l.msg?.includes('PARLEY_PASSWORD_COST=10') && l.level === 40);
      // The warning follows the start line; both are written once the server listens.
      while (!(lines().some((l) => l.msg === 'server started') && warned()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(lines().find((l) => l.msg === 'server started')).toMatchObject({ registration: 'invite' });
      expect(warned()).toBe(true);
    } finally {
      await p.terminate();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
