/**
 * README "Backup and restore", docs/protocol.md "Server options": durability, `backup` while the server runs,
 * `restore` into a fresh directory (and refused under a running server), all through the CLI of real processes.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../protocol/index.js';
import { PASSWORD } from './harness.js';
import { ServerProcess, runCli } from './server-process.js';
import { TEST_DATABASE_URL, databaseUrlFor, sqliteOnly } from './test-database.js';
import { pconv, textOf, WsClient, wsUrl } from './ws-client.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-backup-'));
const procs: ServerProcess[] = [];
const clients: WsClient[] = [];

afterAll(async () => {
  for (const c of clients) c.terminate();
  for (const p of procs) await p.kill();
  fs.rmSync(root, { recursive: true, force: true });
});

function server(dir: string, env: Record<string, string> = {}): ServerProcess {
  const p = new ServerProcess(0, path.join(root, dir), { PARLEY_SEND_RATE: '0', PARLEY_LOG_LEVEL: 'info', ...env });
  procs.push(p);
  return p;
}

/** The JSON "server started" line the process logged to stderr. */
async function startedLine(p: ServerProcess): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = p.diagnostics.split('\n').find((l) => l.includes('"server started"'));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`no "server started" line: ${p.diagnostics}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function register(p: ServerProcess, userId: string): Promise<string> {
  const res = await fetch(`${p.url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, password: PASSWORD, name: userId }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function device(p: ServerProcess, token: string): Promise<WsClient> {
  const c = new WsClient(wsUrl(p.url));
  clients.push(c);
  await c.opened;
  const hello = await c.hello(token, `d-${randomUUID().slice(0, 6)}`);
  if (!hello.ok) throw new Error(`hello: ${hello.error.code}`);
  return c;
}

async function fullLog(c: WsClient, conv: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (;;) {
    const page = await c.history(conv, { afterSeq: out.at(-1)?.seq ?? 0, limit: 100 });
    out.push(...page);
    if (page.length < 100) return out;
  }
}

describe('durability at start', () => {
  it.skipIf(sqliteOnly('PARLEY_DURABILITY'))('PARLEY_DURABILITY=normal reaches the database, and the "server started" line says so', async () => {
    const p = server('normal', { PARLEY_DURABILITY: 'normal' });
    await p.start();
    expect(await startedLine(p)).toMatchObject({ durability: 'normal' });
    await p.terminate();
  });

  it('a bad PARLEY_DURABILITY stops the server with a usage error', async () => {
    const r = await runCli(['--port', '0', '--data', path.join(root, 'bad')], { PARLEY_DURABILITY: 'sometimes' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PARLEY_DURABILITY must be one of full, normal, got "sometimes"/);
  });
});

describe.skipIf(sqliteOnly('backup and restore'))('backup and restore', () => {
  it('a backup taken under load holds every message acknowledged before it; restored elsewhere, it serves them and the tokens', async () => {
    const live = server('live');
    await live.start();
    expect(await startedLine(live)).toMatchObject({ durability: 'full' });
    const aliceToken = await register(live, 'bk-alice');
    const bobToken = await register(live, 'bk-bob');
    const conv = pconv('bk-alice', 'bk-bob');
    const alice = await device(live, aliceToken);
    const bob = await device(live, bobToken);

    const before: Array<{ seq: number; msgId: string; text: string }> = [];
    for (let i = 0; i < 300; i += 30) {
      const acks = await Promise.all(Array.from({ length: 30 }, (_, k) => alice.sendText(conv, `before ${i + k}`)));
      acks.forEach((a, k) => before.push({ seq: a.seq, msgId: a.msgId, text: `before ${i + k}` }));
    }
    // Bob keeps writing while the backup runs: the backup must still be one consistent snapshot.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      while (writing) {
        await bob.sendText(conv, `during ${during}`);
        during++;
      }
    })();
    const file = path.join(root, 'backups', 'parley-backup.db');
    const backup = await runCli(['backup', file, '--data', live.dataDir]);
    writing = false;
    await writer;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up .* to .*parley-backup\.db: \d+ messages, 2 users/);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // Restore is refused while the server runs on the directory, and the server is left as it was.
    const refused = await runCli(['restore', file, '--data', live.dataDir]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/refusing to restore: .* is in use by a running Parley server; stop that server first/);
    expect((await fullLog(alice, conv)).length).toBe(before.length + during);
    // So is a second server on the same directory.
    const second = server('live');
    await expect(second.start()).rejects.toThrow(/in use by a running Parley server/);

    // Restore needs its directory named.
    expect((await runCli(['restore', file])).code).toBe(2);

    const restored = await runCli(['restore', file, '--data', path.join(root, 'fresh')]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const fresh = server('fresh');
    await fresh.start();
    const alice2 = await device(fresh, aliceToken);
    await device(fresh, bobToken);
    const log = await fullLog(alice2, conv);
    const byMsgId = new Map(log.map((e) => [e.msgId, e]));
    for (const m of before) expect([m.msgId, byMsgId.get(m.msgId)?.seq, textOf(byMsgId.get(m.msgId)!)]).toEqual([m.msgId, m.seq, m.text]);
    // A consistent snapshot: seqs 1..n without a hole, whatever of Bob's messages it caught.
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    expect(log.length).toBeGreaterThanOrEqual(before.length);
    expect(log.length).toBeLessThanOrEqual(before.length + during);
    // The log continues after the restore, and passwords still log in.
    expect((await alice2.sendText(conv, 'after restore')).seq).toBe(log.length + 1);
    const login = await fetch(`${fresh.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'bk-bob', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    await fresh.terminate();
    await live.terminate();

    // With the server stopped, restore replaces the database and keeps the one it replaced beside it.
    const over = await runCli(['restore', file, '--data', live.dataDir]);
    expect(over.code).toBe(0);
    expect(over.stdout).toMatch(/kept as .*parley\.db\.pre-restore/);
    expect(fs.existsSync(path.join(live.dataDir, 'parley.db.pre-restore'))).toBe(true);
  });

  it('backup of a directory without a database fails clearly', async () => {
    const r = await runCli(['backup', path.join(root, 'x.db'), '--data', path.join(root, 'nothing-here')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/backup failed: no database at /);
  });
});

describe('PostgreSQL storage', () => {
  it('backup and restore refuse a PostgreSQL database clearly, naming its own tools', async () => {
    for (const args of [
      ['backup', path.join(root, 'pg.db'), '--database', 'postgres://u:secret-pw@127.0.0.1:5432/db'],
      ['restore', path.join(root, 'pg.db'), '--data', path.join(root, 'pg')],
    ]) {
      const r = await runCli(args, { PARLEY_DATABASE_URL: 'postgres://u:secret-pw@127.0.0.1:5432/db' });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/works on the SQLite database of a data directory only.*pg_dump/);
      expect(r.stderr).not.toContain('secret-pw');
    }
  });

  it('a database setting that is not a PostgreSQL URL stops the server with a usage error that does not echo it', async () => {
    const r = await runCli(['--port', '0', '--data', path.join(root, 'bad-db')], { PARLEY_DATABASE_URL: 'mysql://u:secret-pw@host/db' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PARLEY_DATABASE_URL \(--database\) must be a PostgreSQL URL/);
    expect(r.stderr).not.toContain('secret-pw');
  });

  it.skipIf(!TEST_DATABASE_URL)('the "server started" line names the PostgreSQL storage without its password', async () => {
    const dir = path.join(root, 'pg-start');
    const url = new URL(await databaseUrlFor(dir));
    url.password = 'not-logged-pw'; // trust authentication ignores it
    const p = server('pg-start', { PARLEY_DATABASE_URL: url.toString() });
    await p.start();
    const line = await startedLine(p);
    expect(line.storage).toMatch(/^postgres:\/\/.*:\*\*\*@127\.0\.0\.1/);
    expect(line.durability).toMatch(/^postgres synchronous_commit=/);
    expect(p.diagnostics + p.stdout).not.toContain('not-logged-pw');
    await p.terminate();
  });

  it.skipIf(!!TEST_DATABASE_URL)('the "server started" line names the SQLite storage', async () => {
    const p = server('sqlite-start');
    await p.start();
    expect(await startedLine(p)).toMatchObject({ storage: 'sqlite' });
    await p.terminate();
  });
});
