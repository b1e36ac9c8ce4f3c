/**
 * README "Moving from SQLite to PostgreSQL": `parley-server migrate --from <parley.db> --to <postgres url>` moves a
 * SQLite server's data into PostgreSQL, and a server started on PostgreSQL carries on where the old one stopped.
 * Against the PostgreSQL server PARLEY_TEST_DATABASE_URL names (`npm run test:postgres`), each target a fresh
 * database of its own, dropped at the end; the usage errors are tested without it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import DatabaseCtor from 'better-sqlite3';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, LogEntry } from '../../protocol/index.js';
import { migrateSqliteToPostgres } from '../src/storage/postgres/from-sqlite.js';
import { migrate } from '../src/storage/sqlite/migrations.js';
import { PASSWORD, TestServer, pconv, type TestUser, type WsClient } from './harness.js';
import { runCli } from './server-process.js';
import { TEST_DATABASE_URL } from './test-database.js';

if (!TEST_DATABASE_URL) process.stdout.write('migrate to PostgreSQL: skipped: set PARLEY_TEST_DATABASE_URL (or run npm run test:postgres) to run it\n');

const databases: string[] = [];

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = TEST_DATABASE_URL!): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on the test server: the URL of it. */
async function freshDatabase(): Promise<string> {
  const name = `migrate_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  url.search = '';
  return url.toString();
}

async function count(url: string, table: string): Promise<number> {
  return admin(async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n), url);
}

afterAll(async () => {
  if (!TEST_DATABASE_URL) return;
  for (const name of databases.splice(0)) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

describe('migrate: usage', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrate-usage-'));
  const db = path.join(dir, 'parley.db');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses wrong usage with exit code 2 and the usage text', async () => {
    for (const args of [
      ['migrate'],
      ['migrate', '--to', 'postgres://u@127.0.0.1:1/none'],
      ['migrate', '--from', db],
      ['migrate', '--from', db, '--to', 'postgres://u@127.0.0.1:1/none', '--bogus'],
      ['migrate', '--from', db, 'extra', '--to', 'postgres://u@127.0.0.1:1/none'],
      ['migrate', '--from', db, '--to', 'mysql://u:s3cret@127.0.0.1/none'],
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(/^parley-server: /);
      expect(r.stderr).toContain('migrate --from');
      expect(r.stderr).not.toContain('s3cret');
    }
  });

  it('fails with exit code 1 and one line, without the password, when the source or the target cannot be used', async () => {
    const missing = await runCli(['migrate', '--from', path.join(dir, 'none.db'), '--to', 'postgres://u:s3cret@127.0.0.1:1/none']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^parley-server: migrate failed: no database at .*none\.db\n$/);

    const source = new DatabaseCtor(db);
    migrate(source);
    source.close();
    const unreachable = await runCli(['migrate', '--from', db, '--to', 'postgres://u:s3cret@127.0.0.1:1/none']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^parley-server: migrate failed: cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none: [^\n]*\n$/);
    expect(unreachable.stderr + unreachable.stdout).not.toContain('s3cret');
  });
});

describe.skipIf(!TEST_DATABASE_URL)('migrate from SQLite to PostgreSQL', () => {
  const src = new TestServer({}, { sqlite: true });
  const servers: TestServer[] = [src];
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let convs: string[];
  let roomId: string;
  let fileId: string;
  const fileBytes = `migrated file ${randomUUID()}`;
  /** What each user saw before the move: sync, every log, the room's latest entries, the invites. */
  let before: {
    sync: Record<string, Conversation[]>;
    logs: Record<string, LogEntry[]>;
    room: LogEntry[];
    invites: unknown;
    profiles: unknown[];
    avatar: string;
    contacts: Record<string, { list: unknown; log: unknown }>;
  };
  let sourceDb: string;
  let target: string;

  async function snapshot(srv: TestServer, users: TestUser[]): Promise<typeof before> {
    const sync: Record<string, Conversation[]> = {};
    const logs: Record<string, LogEntry[]> = {};
    const contacts: Record<string, { list: unknown; log: unknown }> = {};
    let first: WsClient | undefined;
    for (const u of users) {
      const c = await srv.device(u, `snap-${u.userId}`);
      first ??= c;
      sync[u.userId] = (await c.call('sync', {})).conversations.sort((x, y) => x.convId.localeCompare(y.convId));
      contacts[u.userId] = { list: await c.call('contacts.list', {}), log: await c.call('contacts.sync', { afterSeq: 0 }) };
    }
    for (const conv of convs) logs[conv] = await first!.history(conv, { limit: 100 });
    const room = (await first!.call('room.join', { roomId })).messages;
    await first!.call('room.leave', { roomId });
    const invites = (await srv.admin('GET', '/v1/admin/invites')).json;
    const infos = (await first!.call('users.get', { userIds: users.map((u) => u.userId) })).users;
    const profiles = infos.map(({ userId, name, avatar, status }) => ({ userId, name, avatar, status }));
    const picture = await fetch(`${srv.url}${infos.find((u) => u.avatar)!.avatar}?size=list`, { headers: { authorization: `Bearer ${alice.token}` } });
    const avatar = Buffer.from(await picture.arrayBuffer()).toString('base64');
    srv.closeClients();
    return { sync, logs, room, invites, profiles, avatar, contacts };
  }

  beforeAll(async () => {
    await src.start();
    sourceDb = path.join(src.dataDir, 'parley.db');
    [alice, bob, carol] = [await src.user('mig-alice'), await src.user('mig-bob'), await src.user('mig-carol')];
    const a = await src.device(alice);
    const b = await src.device(bob);
    const c = await src.device(carol);
    const p = pconv(alice.userId, bob.userId);
    const hello = await a.sendText(p, 'hello bob');
    const hi = await b.sendText(p, 'hi alice');
    await a.call('send', { convId: p, clientMsgId: randomUUID(), kind: 'edit', body: { seq: hello.seq, text: 'hello bob (edited)' } });
    await b.call('recall', { convId: p, seq: hi.seq });
    const meta = await src.upload(alice.token, new TextEncoder().encode(fileBytes), 'text/plain', 'notes.txt');
    fileId = meta.fileId;
    const sent = await a.call('send', { convId: p, clientMsgId: randomUUID(), kind: 'file', body: { fileId, name: 'notes.txt', size: meta.size, mime: 'text/plain' } });
    await b.call('read', { convId: p, seq: sent.seq });
    const { groupId } = await a.call('group.create', { name: 'Migrators', members: [bob.userId, carol.userId], joinPolicy: 'open' });
    const g = `g:${groupId}`;
    for (let i = 0; i < 12; i++) await (i % 2 ? b : c).sendText(g, `group message ${i}`);
    await c.call('read', { convId: g, seq: 5 });
    const pc = pconv(alice.userId, carol.userId);
    await c.sendText(pc, 'a word to alice');
    await c.call('block', { userId: bob.userId });
    await b.call('profile.update', { status: 'moving house' });
    const picture = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#3366cc' } }).png().toBuffer();
    expect((await src.http('PUT', '/v1/profile/avatar', { body: picture, token: bob.token, headers: { 'content-type': 'image/png' } })).status).toBe(200);
    // Contacts: one made, with alice's remark for bob, and a request pending.
    await a.call('contacts.request', { userId: bob.userId, message: 'add me' });
    await b.call('contacts.accept', { userId: alice.userId });
    await a.call('contacts.update', { userId: bob.userId, remark: 'Bobby', tags: ['work'] });
    await c.call('contacts.request', { userId: alice.userId, message: 'carol here' });
    roomId = `room-${randomUUID().slice(0, 8)}`;
    expect((await src.admin('POST', '/v1/admin/rooms', { roomId, name: 'Lobby' })).status).toBe(201);
    await a.call('room.join', { roomId });
    for (let i = 0; i < 3; i++) await a.sendText(`r:${roomId}`, `room message ${i}`);
    expect((await src.admin('POST', '/v1/admin/invites', { uses: 2 })).status).toBe(201);
    expect((await src.admin('PUT', '/v1/admin/sensitive-words', { words: ['badword'], mode: 'mask' })).status).toBe(200);
    src.closeClients();
    convs = [p, g, pc];
    before = await snapshot(src, [alice, bob, carol]);
  });

  afterAll(async () => {
    for (const s of servers) await s.dispose();
  });

  it('refuses while a server runs on the SQLite file (exit code 3)', async () => {
    const r = await runCli(['migrate', '--from', sourceDb, '--to', await freshDatabase()]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refusing to migrate: .*in use by a running Parley server; stop that server first/);
  });

  it('copies everything, verifies it, and a server on PostgreSQL carries on where SQLite stopped', async () => {
    await src.stop();
    target = await freshDatabase();
    const r = await runCli(['migrate', '--from', sourceDb, '--to', target]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^migrated 3 users, \d+ messages in 4 conversations, \d+ sessions, 1 groups, 1 rooms, 1 file records, 1 invites, 1 settings from .*; verified counts and last seqs \(\d+ rows in [\d.]+ s, \d+ rows\/s\)$/m);
    expect(r.stdout).toContain(`uploaded files are not in the database: copy ${path.join(src.dataDir, 'files')}`);

    // A second run finds the copy complete: nothing copied, verified again.
    const again = await runCli(['migrate', '--from', sourceDb, '--to', target]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^already migrated 3 users, .* nothing to copy; verified counts and last seqs$/m);
    expect(again.stdout).not.toMatch(/^copied /m);

    // The operator copies files/ to the new server's data directory.
    const dst = new TestServer({ databaseUrl: target });
    servers.push(dst);
    fs.cpSync(path.join(src.dataDir, 'files'), path.join(dst.dataDir, 'files'), { recursive: true });
    await dst.start();

    expect((await dst.login(alice.userId, PASSWORD)).status).toBe(200);
    expect((await dst.login(bob.userId, 'not the password')).status).toBe(401);
    // Existing tokens, history, read positions, rooms, invites: as they were.
    expect(await snapshot(dst, [alice, bob, carol])).toEqual(before);
    const file = await dst.http('GET', `/v1/files/${fileId}`, { token: bob.token });
    expect(file.status).toBe(200);
    expect(file.text).toBe(fileBytes);
    // New entries take the next seqs.
    const a = await dst.device(alice);
    for (const conv of convs) {
      const last = before.logs[conv]!.at(-1)!.seq;
      expect((await a.sendText(conv, 'after the move')).seq).toBe(last + 1);
    }
    // The contact log goes on from its last seq.
    const aliceContacts = before.contacts[alice.userId]!.list as { lastSeq: number; contacts: unknown[]; requests: unknown[] };
    expect(aliceContacts.contacts).toMatchObject([{ userId: bob.userId, remark: 'Bobby', tags: ['work'] }]);
    expect(aliceContacts.requests).toMatchObject([{ userId: carol.userId, direction: 'in', message: 'carol here' }]);
    await a.call('contacts.accept', { userId: carol.userId });
    expect((await a.call('contacts.sync', { afterSeq: aliceContacts.lastSeq })).entries).toMatchObject([
      { seq: aliceContacts.lastSeq + 1, userId: carol.userId, event: 'added' },
    ]);
    expect((await dst.http('GET', `/v1/files/${fileId}`, { token: carol.token })).status).not.toBe(200);
    await dst.stop();
  });

  it('an interrupted copy, run again, completes without duplicates', async () => {
    const url = await freshDatabase();
    let batches = 0;
    await expect(
      migrateSqliteToPostgres({
        from: sourceDb,
        to: url,
        batchRows: 4,
        afterBatch: (table) => {
          if (table === 'messages' && ++batches === 2) throw new Error('injected failure in the middle of messages');
        },
      }),
    ).rejects.toThrow('injected failure');
    const total = new DatabaseCtor(sourceDb, { readonly: true });
    const sourceMessages = total.prepare('SELECT conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, mentions, reply_to, recalled FROM messages ORDER BY conv_id, seq').all();
    total.close();
    expect(await count(url, 'messages')).toBe(8);
    expect(await count(url, 'users')).toBe(3);

    const r = await runCli(['migrate', '--from', sourceDb, '--to', url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('resuming the migration an earlier run began');
    expect(r.stdout).toMatch(/^migrated 3 users, .* \(resumed\); verified counts and last seqs/m);
    const copied = await admin(
      async (c) =>
        (await c.query('SELECT conv_id, seq::int, msg_id, client_msg_id, sender, ts::float8 AS ts, kind, body, mentions, reply_to::int, recalled::int FROM messages ORDER BY conv_id COLLATE "C", seq')).rows,
      url,
    );
    expect(copied).toEqual(sourceMessages);
  });

  it('refuses a target holding another database’s data', async () => {
    // Another SQLite server into the complete target.
    const other = new TestServer({}, { sqlite: true });
    servers.push(other);
    await other.start();
    await other.user('someone-else');
    await other.stop();
    const r = await runCli(['migrate', '--from', path.join(other.dataDir, 'parley.db'), '--to', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^parley-server: migrate failed: .* already holds the data of another Parley database \(migrated from .*\); migrate into an empty database\n$/);

    // A database a PostgreSQL server has used.
    const used = await freshDatabase();
    const pgServer = new TestServer({ databaseUrl: used });
    servers.push(pgServer);
    await pgServer.start();
    await pgServer.user('pg-native');
    await pgServer.stop();
    const refused = await runCli(['migrate', '--from', sourceDb, '--to', used]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds data \(rows in users, tokens\); migrate into an empty database\n$/);
    expect(await count(used, 'users')).toBe(1);
  });
});
