import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import DatabaseCtor from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.js';
import { SqliteStorage } from './sqlite-storage.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migr-'));
  dirs.push(dir);
  return path.join(dir, 'parley.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('server schema migrations', () => {
  it('are numbered 1, 2, 3… with no gap', () => {
    MIGRATIONS.forEach((m, i) => expect(m.version).toBe(i + 1));
  });

  it('bring an empty database to the latest version, and are idempotent', () => {
    const db = new DatabaseCtor(tempFile());
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });

  it('roll a failing migration back whole, leaving the previous version intact', () => {
    const db = new DatabaseCtor(tempFile());
    migrate(db);
    const broken: Migration = { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE extra (x); SELECT * FROM missing_table;' };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow();
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.close();
  });

  it('refuse a migration list with a hole', () => {
    const db = new DatabaseCtor(tempFile());
    expect(() => migrate(db, [{ version: 2, name: 'skips 1', sql: 'SELECT 1' }])).toThrow(/does not follow/);
    db.close();
  });

  it('keep the data of a database written by the previous version', async () => {
    const file = tempFile();
    const first = new SqliteStorage({ file });
    await first.createUser({ userId: 'alice', name: 'Alice' }, 1);
    await first.createUser({ userId: 'bob', name: 'Bob' }, 1);
    const [outcome] = await first.appendBatch([
      { convId: 'p:alice|bob', convKind: 'private', members: ['alice', 'bob'], msgId: 'm1', clientMsgId: 'c1', from: 'alice', ts: 5, kind: 'text', body: { text: '你好' } },
    ]);
    expect(outcome?.status).toBe('stored');
    await first.close();
    // Reopening runs the migrations again over a file already at some version.
    const second = new SqliteStorage({ file });
    expect(await second.history('p:alice|bob', { limit: 10 })).toMatchObject([{ seq: 1, from: 'alice', body: { text: '你好' } }]);
    expect(await second.findByClientMsgId('alice', 'c1')).toMatchObject({ seq: 1 });
    await second.close();
  });
});

describe('migration 2 (groups and chatrooms)', () => {
  it('upgrades a version-1 database: members get the default role, private chats read as before', async () => {
    const file = tempFile();
    const v1 = new DatabaseCtor(file);
    expect(migrate(v1, MIGRATIONS.slice(0, 1))).toBe(1);
    v1.prepare("INSERT INTO users (user_id, name, created_at) VALUES ('alice', 'Alice', 1), ('bob', 'Bob', 1)").run();
    v1.prepare("INSERT INTO conversations (conv_id, kind, last_seq, created_at, updated_at) VALUES ('p:alice|bob', 'private', 1, 1, 1)").run();
    v1.prepare("INSERT INTO conv_members (conv_id, user_id, read_seq, joined_at) VALUES ('p:alice|bob', 'alice', 1, 1), ('p:alice|bob', 'bob', 0, 1)").run();
    v1.prepare(
      "INSERT INTO messages (conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body) VALUES ('p:alice|bob', 1, 'm1', 'c1', 'alice', 1, 'text', '{\"text\":\"hi\"}')",
    ).run();
    v1.close();

    const s = new SqliteStorage({ file });
    const db = new DatabaseCtor(file, { readonly: true });
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(db.prepare("SELECT role, speak_muted_until FROM conv_members WHERE user_id = 'bob'").get()).toEqual({ role: 'member', speak_muted_until: 0 });
    db.close();
    const [conv] = await s.listConversations('bob');
    expect(conv).toMatchObject({ convId: 'p:alice|bob', kind: 'private', lastSeq: 1, readSeq: 0, peerId: 'alice', peerReadSeq: 1, groupName: null });
    expect(await s.listRooms()).toEqual([]);
    expect(await s.loadGroup('nope')).toBeNull();
    await s.close();
  });
});

describe('migration: tokens remember their device', () => {
  it('upgrades the previous schema: issued tokens stay valid, with no device until their next hello', async () => {
    const file = tempFile();
    const before = new DatabaseCtor(file);
    const previous = MIGRATIONS.findIndex((m) => m.name === 'tokens remember their device');
    migrate(before, MIGRATIONS.slice(0, previous));
    before.prepare("INSERT INTO users (user_id, name, created_at) VALUES ('alice', 'Alice', 1)").run();
    before.prepare("INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES ('h1', 'alice', 5, 9e15), ('h2', 'alice', 6, 9e15), ('h3', 'alice', 1, 2)").run();
    before.close();

    const s = new SqliteStorage({ file });
    expect(await s.getToken('h1')).toEqual({ userId: 'alice', expiresAt: 9e15, revoked: false });
    expect(await s.listSessions('alice', 10)).toEqual([
      { tokenHash: 'h1', deviceId: null, platform: '', app: '', createdAt: 5, lastSeen: 0 },
      { tokenHash: 'h2', deviceId: null, platform: '', app: '', createdAt: 6, lastSeen: 0 },
    ]);
    await s.recordTokenUse([
      { tokenHash: 'h1', seenAt: 20, device: { deviceId: 'laptop', platform: 'linux', app: 'parley/1' } },
      { tokenHash: 'h1', seenAt: 15 }, // last seen never moves back
    ]);
    expect((await s.listSessions('alice', 10))[0]).toMatchObject({ deviceId: 'laptop', platform: 'linux', app: 'parley/1', lastSeen: 20 });
    // Revoked rows and rows expired before the cut are pruned; live ones stay.
    expect(await s.revokeTokens('alice', ['h2', 'unknown'])).toEqual(['h2']);
    expect(await s.revokeTokens('bob', ['h1'])).toEqual([]);
    expect(await s.pruneTokens(10)).toBe(2);
    expect(await s.getToken('h2')).toBeNull();
    expect(await s.getToken('h3')).toBeNull();
    expect(await s.getToken('h1')).not.toBeNull();
    await s.close();
  });
});

describe('migration "invite codes"', () => {
  it('upgrades a database of the version before it: users and their password hashes stay, invites start empty', async () => {
    const index = MIGRATIONS.findIndex((m) => m.name === 'invite codes');
    expect(index).toBeGreaterThan(0);
    const file = tempFile();
    const before = new DatabaseCtor(file);
    expect(migrate(before, MIGRATIONS.slice(0, index))).toBe(index);
    before.prepare("INSERT INTO users (user_id, name, password_hash, created_at) VALUES ('alice', 'Alice', 'scrypt$1024$8$1$c2FsdA$aGFzaA', 1)").run();
    before.close();

    const s = new SqliteStorage({ file });
    expect(await s.getUser('alice')).toMatchObject({ userId: 'alice', passwordHash: 'scrypt$1024$8$1$c2FsdA$aGFzaA' });
    expect(await s.listInvites()).toEqual([]);
    await s.createInvite({ code: 'abc', usesLeft: 1, expiresAt: null, createdAt: 5 });
    expect(await s.createUserWithInvite({ userId: 'alice', name: 'A', passwordHash: 'h' }, 'abc', 10)).toBe('conflict');
    expect(await s.createUserWithInvite({ userId: 'bob', name: 'B', passwordHash: 'h' }, 'abc', 10)).toBe('created');
    expect(await s.createUserWithInvite({ userId: 'carol', name: 'C', passwordHash: 'h' }, 'abc', 10)).toBe('invalid-invite');
    expect(await s.getUser('carol')).toBeNull();
    expect(await s.listInvites()).toEqual([{ code: 'abc', usesLeft: 0, expiresAt: null, createdAt: 5 }]);
    expect(await s.replacePasswordHash('bob', 'not the stored one', 'h2')).toBe(false);
    expect(await s.replacePasswordHash('bob', 'h', 'h2')).toBe(true);
    await s.close();
  });
});

describe('migration "directory"', () => {
  it('folds the names of existing users and groups, so they are found; users stay discoverable, groups unlisted', async () => {
    const index = MIGRATIONS.findIndex((m) => m.name === 'directory');
    expect(index).toBeGreaterThan(0);
    const file = tempFile();
    const before = new DatabaseCtor(file);
    expect(migrate(before, MIGRATIONS.slice(0, index))).toBe(index);
    before.prepare("INSERT INTO users (user_id, name, created_at) VALUES ('jose', 'José Ortiz', 1), ('wang', '王小明', 1), ('ann', 'Ann', 1)").run();
    before.prepare("INSERT INTO chat_groups (group_id, name, join_policy, created_at) VALUES ('g1', 'Café', 'open', 1)").run();
    before.close();

    const s = new SqliteStorage({ file });
    const found = async (folded: string) => (await s.searchUsers({ searcher: 'ann', id: '', folded, scope: 'all', limit: 10 })).map((h) => h.user.userId);
    expect(await found('jose')).toEqual(['jose']);
    expect(await found('小明')).toEqual(['wang']);
    expect((await s.loadGroup('g1'))?.group.public).toBe(false);
    expect(await s.searchGroups({ id: '', folded: 'cafe', limit: 10 })).toEqual([]);
    await s.close();
  });

  it('folds stored traditional Chinese names into simplified ones, so either script finds them', async () => {
    const index = MIGRATIONS.findIndex((m) => m.name === 'names folded across Chinese scripts');
    expect(index).toBeGreaterThan(0);
    const file = tempFile();
    const before = new DatabaseCtor(file);
    expect(migrate(before, MIGRATIONS.slice(0, index))).toBe(index);
    // As the previous version stored it: folded without the scripts joined.
    before.prepare("INSERT INTO users (user_id, name, created_at, name_folded) VALUES ('chan', '陳曉明', 1, '陳曉明'), ('ann', 'Ann', 1, 'ann')").run();
    before.close();

    const s = new SqliteStorage({ file });
    const found = async (folded: string) => (await s.searchUsers({ searcher: 'ann', id: '', folded, scope: 'all', limit: 10 })).map((h) => h.user.userId);
    expect(await found('陈晓明')).toEqual(['chan']);
    await s.close();
  });
});

describe('append batches', () => {
  it('give each conversation consecutive seqs inside one transaction and answer repeats with the original', async () => {
    const s = new SqliteStorage({ file: tempFile() });
    const item = (clientMsgId: string, convId = 'p:a|b') => ({
      convId, convKind: 'private' as const, members: ['a', 'b'], msgId: `m-${clientMsgId}-${convId}`, clientMsgId, from: 'a', ts: 1, kind: 'text' as const, body: { text: clientMsgId },
    });
    const out = await s.appendBatch([item('1'), item('2'), item('x', 'p:a|c'), item('1'), item('3')]);
    expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'duplicate', 'stored']);
    expect(out.map((o) => (o.status === 'failed' ? -1 : o.entry.seq))).toEqual([1, 2, 1, 1, 3]);
    expect((await s.history('p:a|b', { limit: 10 })).map((e) => e.seq)).toEqual([1, 2, 3]);
    await s.close();
  });
});

describe('migration "file references"', () => {
  it('records which entries name which file; files no live entry names start their grace period', async () => {
    const file = tempFile();
    const before = new DatabaseCtor(file);
    const index = MIGRATIONS.findIndex((m) => m.name === 'file references');
    migrate(before, MIGRATIONS.slice(0, index));
    before.prepare("INSERT INTO users (user_id, name, created_at) VALUES ('alice', 'Alice', 1), ('bob', 'Bob', 1)").run();
    const insertFile = before.prepare("INSERT INTO files (file_id, uploader, name, mime, size, created_at) VALUES (?, 'alice', 'f', 'text/plain', 10, 1)");
    for (const id of ['sentFile', 'recalledFile', 'unsentFile']) insertFile.run(id);
    before.prepare("INSERT INTO conversations (conv_id, kind, last_seq, created_at, updated_at) VALUES ('p:alice|bob', 'private', 3, 1, 1)").run();
    const insertMessage = before.prepare(
      "INSERT INTO messages (conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, recalled) VALUES ('p:alice|bob', ?, ?, ?, 'alice', 1, ?, ?, ?)",
    );
    insertMessage.run(1, 'm1', 'c1', 'file', JSON.stringify({ fileId: 'sentFile', name: 'f', size: 10, mime: 'text/plain' }), 0);
    insertMessage.run(2, 'm2', 'c2', 'file', '{}', 1);
    insertMessage.run(3, 'm3', 'c3', 'recall', JSON.stringify({ seq: 2 }), 0);
    before.prepare("INSERT INTO file_refs (file_id, conv_id) VALUES ('sentFile', 'p:alice|bob'), ('recalledFile', 'p:alice|bob')").run();
    before.close();

    const migratedAt = Date.now();
    const s = new SqliteStorage({ file });
    const db = new DatabaseCtor(file, { readonly: true });
    expect(db.prepare('SELECT conv_id, seq, file_id FROM entry_files').all()).toEqual([{ conv_id: 'p:alice|bob', seq: 1, file_id: 'sentFile' }]);
    const since = db.prepare('SELECT file_id, unreferenced_since FROM files ORDER BY file_id').all() as Array<{ file_id: string; unreferenced_since: number | null }>;
    db.close();
    expect(since.find((f) => f.file_id === 'sentFile')?.unreferenced_since).toBeNull();
    for (const id of ['recalledFile', 'unsentFile']) expect(since.find((f) => f.file_id === id)?.unreferenced_since).toBeGreaterThanOrEqual(migratedAt - 1000);
    // The grace counts from the upgrade, not from the upload long ago.
    expect(await s.markCollectable(migratedAt - 60_000, Date.now(), 100)).toEqual([]);
    const collected = await s.markCollectable(Date.now() + 1000, Date.now(), 100);
    expect(collected.map((f) => f.fileId).sort()).toEqual(['recalledFile', 'unsentFile']);
    expect(await s.getFile('sentFile')).not.toBeNull();
    await s.close();
  });
});

describe('file references', () => {
  const fileItem = (clientMsgId: string, fileId: string, convId = 'p:a|b') => ({
    convId, convKind: 'private' as const, members: convId.slice(2).split('|'), msgId: `m-${clientMsgId}`, clientMsgId, from: 'a', ts: Date.now(), kind: 'file' as const,
    body: { fileId, name: 'f', size: 1, mime: 'text/plain' }, fileIds: [fileId],
  });

  it('an append naming a file collected meanwhile fails NOT_FOUND, alone, and stores nothing', async () => {
    const s = new SqliteStorage({ file: tempFile() });
    await s.createUser({ userId: 'a', name: 'A' }, 1);
    await s.insertFile({ fileId: 'goneFile', uploader: 'a', name: 'f', mime: 'text/plain', size: 1, createdAt: 1 });
    expect((await s.markCollectable(2, 3, 100)).map((f) => f.fileId)).toEqual(['goneFile']);
    const out = await s.appendBatch([{ ...fileItem('x', 'goneFile'), fileIds: undefined, body: { text: 'hi' }, kind: 'text' }, fileItem('y', 'goneFile')]);
    expect(out[0]?.status).toBe('stored');
    expect(out[1]).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND' } });
    expect(await s.findByClientMsgId('a', 'y')).toBeNull();
    expect(await s.collectedFiles(10)).toEqual(['goneFile']);
    await s.forgetFiles(['goneFile']);
    expect(await s.collectedFiles(10)).toEqual([]);
    await s.close();
  });

  it('a recall starts the grace of a file only when no other entry names it; deleting a room does too', async () => {
    const s = new SqliteStorage({ file: tempFile() });
    await s.createUser({ userId: 'a', name: 'A' }, 1);
    for (const id of ['twiceFile', 'onceFile', 'roomFile']) await s.insertFile({ fileId: id, uploader: 'a', name: 'f', mime: 'text/plain', size: 1, createdAt: 1 });
    await s.putRoom({ roomId: 'r1', name: 'R', createdAt: 1 });
    const [one, , two] = await s.appendBatch([fileItem('1', 'twiceFile'), fileItem('2', 'twiceFile', 'p:a|c'), fileItem('3', 'onceFile')]);
    await s.appendBatch([{ ...fileItem('4', 'roomFile', 'r:r1'), convKind: 'room', members: [] }]);
    const recallOf = (seq: number, id: string) => s.recall({ ...fileItem(id, 'x'), kind: 'recall', body: { seq }, fileIds: undefined }, seq);
    await recallOf(one!.status === 'failed' ? 0 : one!.entry.seq, 'r1');
    await recallOf(two!.status === 'failed' ? 0 : two!.entry.seq, 'r2');
    expect(await s.mayReadFile('twiceFile', 'c')).toBe(true);
    expect(await s.mayReadFile('twiceFile', 'b')).toBe(false);
    await s.deleteRoom('r1');
    const later = Date.now() + 1000;
    expect((await s.markCollectable(later, later, 100)).map((f) => f.fileId).sort()).toEqual(['onceFile', 'roomFile']);
    await s.close();
  });
});
