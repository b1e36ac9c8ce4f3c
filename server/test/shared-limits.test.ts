/**
 * docs/protocol.md part 2, "Clusters": the account and upload limits are the cluster's, not each node's. Two nodes
 * on one PostgreSQL schema (no NATS: these limits need only the database) refuse after the same total as one node
 * would, however the requests are spread over them. And a shared store that does not answer refuses logins.
 *
 * The two-node tests need PostgreSQL: `npm run test:postgres` sets PARLEY_TEST_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/app.js';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import type { SharedThrottles, Storage } from '../src/storage/storage.js';
import { PASSWORD, TEST_ACCOUNT_SETTINGS, TestServer, httpErrorCode, type HttpAnswer, type StartConfig } from './harness.js';
import { TEST_DATABASE_URL, databaseUrlFor } from './test-database.js';

if (!TEST_DATABASE_URL) process.stdout.write('shared limits skipped: set PARLEY_TEST_DATABASE_URL (or run npm run test:postgres) to run them\n');

const NEW_PASSWORD = 'a different passphrase 9';

function retryAfterOf(res: HttpAnswer): number {
  return (res.json as { error: { retryAfterMs: number } }).error.retryAfterMs;
}

/** Two nodes on one database, started for the enclosing describe block and disposed of after it. */
function twoNodes(config: StartConfig): TestServer[] {
  const nodes: TestServer[] = [];
  beforeAll(async () => {
    const first = new TestServer(config);
    const databaseUrl = await databaseUrlFor(first.dataDir);
    nodes.push(first, new TestServer({ ...config, databaseUrl }));
    await first.start(); // migrates the schema before the other starts
    await nodes[1]!.start();
  });
  afterAll(async () => {
    await nodes[1]?.dispose();
    await nodes[0]?.dispose(); // drops the schema they shared
  });
  return nodes;
}

describe.skipIf(!TEST_DATABASE_URL)('limits shared by two nodes on one PostgreSQL', () => {
  const nodes = twoNodes({ uploadsPerMinute: 2, uploadBytesPerHour: 10_000 });

  it('failed logins spread over both nodes are refused after 10, as on one node, on both nodes', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const u = await a.user('guessed');
    for (let i = 0; i < 10; i++) {
      const res = await nodes[i % 2]!.login(u.userId, `guess ${i}`);
      expect(res.status, `guess ${i}`).toBe(401);
    }
    for (const node of [a, b]) {
      const refused = await node.login(u.userId, PASSWORD);
      expect(refused.status).toBe(429);
      expect(httpErrorCode(refused)).toBe('RATE_LIMITED');
      expect(retryAfterOf(refused)).toBeGreaterThan(0);
    }
  });

  it('a success on one node clears the failures counted on the other', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const u = await a.user('forgetful');
    for (let i = 0; i < 9; i++) expect((await a.login(u.userId, `typo ${i}`)).status).toBe(401);
    expect((await b.login(u.userId)).status).toBe(200);
    // Without the clearing the second of these would be the 11th failure, and refused.
    for (let i = 0; i < 2; i++) expect((await a.login(u.userId, `typo again ${i}`)).status).toBe(401);
  });

  it('wrong passwords on password change spread over both nodes are throttled after 5', async () => {
    const u = await nodes[0]!.user('pwguess');
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await nodes[i % 2]!.http('POST', '/v1/auth/password', { token: u.token, json: { oldPassword: `guess ${i}`, newPassword: NEW_PASSWORD } });
      codes.push(httpErrorCode(res));
    }
    expect(codes).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('uploads per minute are counted over both nodes', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const u = await a.user('uploader');
    await a.upload(u.token, randomBytes(10));
    await b.upload(u.token, randomBytes(10));
    for (const node of [a, b]) {
      const third = await node.http('PUT', '/v1/files', { body: randomBytes(10), token: u.token });
      expect(third.status).toBe(429);
      expect(third.json).toMatchObject({ error: { code: 'RATE_LIMITED', limit: 'uploads' } });
      expect(retryAfterOf(third)).toBeGreaterThan(0);
    }
  });

  it('upload bytes per hour are counted over both nodes', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const u = await a.user('bytes');
    await a.upload(u.token, randomBytes(8000));
    const next = await b.http('PUT', '/v1/files', { body: randomBytes(4000), token: u.token });
    expect(next.status).toBe(429);
    expect(next.json).toMatchObject({ error: { code: 'RATE_LIMITED', limit: 'bytes' } });
    expect(retryAfterOf(next)).toBeGreaterThan(0);
  });
});

describe.skipIf(!TEST_DATABASE_URL)('registrations per address, over two nodes', () => {
  const nodes = twoNodes({ registerPerIpPerHour: 2, registerPerMinute: 0 });

  it('are refused past the per-address limit whichever node counted them', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    await a.register('first-here');
    await b.register('second-there');
    for (const node of [a, b]) {
      const res = await node.http('POST', '/v1/auth/register', { json: { userId: `third-${node === a ? 'a' : 'b'}`, password: PASSWORD, name: 'T' } });
      expect(res.status).toBe(429);
      expect(res.json).toMatchObject({ error: { code: 'RATE_LIMITED', message: 'too many registrations from this address' } });
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)('registrations of the whole server, over two nodes', () => {
  const nodes = twoNodes({ registerPerIpPerHour: 0, registerPerMinute: 2 });

  it('are refused past registerPerMinute whichever node counted them', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    await a.register('one-of-two');
    await b.register('two-of-two');
    const res = await a.http('POST', '/v1/auth/register', { json: { userId: 'three-of-two', password: PASSWORD, name: 'T' } });
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({ error: { code: 'RATE_LIMITED', message: 'too many registrations on this server right now' } });
  });
});

describe('shared limits whose store does not answer', () => {
  it('fail logins and password changes closed: INTERNAL (retryable), the right password included', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    const sqlite = new SqliteStorage({ file: path.join(dataDir, 'parley.db') });
    const down = () => Promise.reject(new Error('the database does not answer'));
    const throttles: SharedThrottles = { take: down, peek: down, reset: down, prune: down };
    // The SQLite storage, but with shared throttles that fail as an unreachable PostgreSQL would.
    const storage = new Proxy(sqlite, {
      get: (target, key) => {
        if (key === 'throttles') return throttles;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Storage;
    const server = await startServer({ ...TEST_ACCOUNT_SETTINGS, dataDir, port: 0, host: '127.0.0.1', logLevel: 'silent' }, { storage });
    try {
      const post = async (urlPath: string, json: unknown, token?: string) => {
        const res = await fetch(server.url + urlPath, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(json),
        });
        return { status: res.status, json: (await res.json()) as { token?: string; error?: { code: string } } };
      };
      // Registration limits are off (rate 0), so registering needs no bucket.
      const registered = await post('/v1/auth/register', { userId: 'closed-door', password: PASSWORD, name: 'C' });
      expect(registered.status).toBe(201);
      for (const password of [PASSWORD, 'a wrong guess']) {
        const login = await post('/v1/auth/login', { userId: 'closed-door', password });
        expect(login.status).toBe(500);
        expect(login.json.error?.code).toBe('INTERNAL');
      }
      const change = await post('/v1/auth/password', { oldPassword: 'a wrong guess', newPassword: 'a different passphrase 9' }, registered.json.token);
      expect(change.json.error?.code).toBe('INTERNAL');
    } finally {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
