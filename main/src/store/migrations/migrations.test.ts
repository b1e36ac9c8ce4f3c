/**
 * Every schema version below the latest has a fixture: data written with that version's own SQL, and what must
 * hold once the file is opened by the current app. A new migration N therefore needs a fixture for N - 1 (the
 * "every old version has a fixture" test fails until it exists).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../open-database.js';
import { openStore, type Store } from '../store.js';
import { LATEST_VERSION, MIGRATIONS, SchemaTooNewError, migrate, schemaVersion } from './index.js';

const NOW = Date.UTC(2025, 10, 20, 12, 0, 0);
const id = (ts: number, n = 0) => ts * 1024 + n;

interface Fixture {
  seed(db: Database.Database): void;
  check(store: Store): void;
}

const fixtures: Record<number, Fixture> = {
  1: {
    seed(db) {
      db.prepare(
        `INSERT INTO conversations (conv_id, kind, title, last_seq, read_seq, held_seq, pinned, updated_at, draft, mention_seq)
         VALUES ('g:team', 'group', 'Team', 4, 1, 3, 1, ?, 'draft text', 2)`,
      ).run(NOW);
      const insert = db.prepare(
        `INSERT INTO messages (id, conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, text, recalled, status, created_at)
         VALUES (?, 'g:team', ?, ?, ?, ?, ?, 'text', ?, ?, ?, ?, ?)`,
      );
      insert.run(id(NOW - 3000), 1, 'm1', 'c1', 'alice', NOW - 3000, '{}', '我们在群聊里讨论 Résumé', 0, 'sent', NOW - 3000);
      insert.run(id(NOW - 2000), 2, 'm2', 'c2', 'bob', NOW - 2000, '{}', null, 1, 'sent', NOW - 2000);
      insert.run(id(NOW - 1000), 3, 'm3', 'c3', 'me', NOW - 1000, '{}', 'deploy tonight', 0, 'sent', NOW - 1000);
      insert.run(id(NOW), null, null, 'local-1', 'me', NOW, '{}', 'unsent words', 0, 'pending', NOW);
      db.prepare(
        `INSERT INTO outbox (client_msg_id, conv_id, kind, body, state, attempts, created_at)
         VALUES ('local-1', 'g:team', 'text', '{"text":"unsent words"}', 'sending', 2, ?)`,
      ).run(NOW);
      db.prepare(`INSERT INTO settings (key, value) VALUES ('theme', '"dark"')`).run();
    },
    check(store) {
      expect(store.getConversation('g:team')).toMatchObject({
        title: 'Team', lastSeq: 4, readSeq: 1, heldSeq: 3, pinned: true, draft: 'draft text', unreadMention: true,
      });
      expect(store.listMessages('g:team').map((m) => [m.seq, m.body.text, m.recalled, m.status])).toEqual([
        [1, '我们在群聊里讨论 Résumé', false, 'sent'],
        [2, undefined, true, 'sent'],
        [3, 'deploy tonight', false, 'sent'],
        [null, 'unsent words', false, 'pending'],
      ]);
      expect(store.outbox.list()).toEqual([expect.objectContaining({ clientMsgId: 'local-1', state: 'queued', attempts: 2 })]);
      expect(store.settings.get('theme')).toBe('dark');
      // schema 2 indexed what was already there
      expect(store.search('群聊').map((h) => h.seq)).toEqual([1]);
      expect(store.search('resume').map((h) => h.seq)).toEqual([1]);
      expect(store.search('unsent').map((h) => h.seq)).toEqual([null]);
      // and keeps following changes
      store.applyEntries('g:team', [
        { convId: 'g:team', seq: 4, msgId: 'm4', clientMsgId: 'c4', from: 'alice', ts: NOW, kind: 'recall', body: { seq: 3 } },
      ]);
      expect(store.search('deploy')).toEqual([]);
      expect(store.getConversation('g:team')?.heldSeq).toBe(4);
    },
  },
  2: {
    // Schema 2 indexed text only; schema 3 rebuilds the index with conversation and sender words.
    seed(db) {
      const conv = db.prepare(`INSERT INTO conversations (conv_id, kind, last_seq, held_seq) VALUES (?, ?, 2, 2)`);
      conv.run('g:team', 'group');
      conv.run('p:bob|me', 'private');
      const insert = db.prepare(
        `INSERT INTO messages (id, conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, text, recalled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'text', '{}', ?, ?, ?)`,
      );
      insert.run(id(NOW - 4000), 'g:team', 1, 'm1', 'c1', 'alice', NOW - 4000, '周末去东京 trip', 0, NOW - 4000);
      insert.run(id(NOW - 3000), 'g:team', 2, 'm2', 'c2', 'bob', NOW - 3000, 'trip photos', 0, NOW - 3000);
      insert.run(id(NOW - 2000), 'p:bob|me', 1, 'm3', 'c3', 'bob', NOW - 2000, 'private trip notes', 0, NOW - 2000);
      insert.run(id(NOW - 1000), 'p:bob|me', 2, 'm4', 'c4', 'me', NOW - 1000, 'recalled trip', 1, NOW - 1000);
    },
    check(store) {
      const hits = (query: string, options = {}) => store.search(query, options).map((h) => `${h.convId}#${h.seq}`).sort();
      expect(hits('trip')).toEqual(['g:team#1', 'g:team#2', 'p:bob|me#1']);
      expect(hits('trip', { convId: 'g:team' })).toEqual(['g:team#1', 'g:team#2']);
      expect(hits('trip', { from: 'bob' })).toEqual(['g:team#2', 'p:bob|me#1']);
      expect(hits('东京')).toEqual(['g:team#1']);
      expect(store.listMessages('p:bob|me').map((m) => [m.seq, m.recalled])).toEqual([[1, false], [2, true]]);
    },
  },
  3: {
    // Schema 4 adds the "no longer in this group" mark; existing conversations are still in.
    seed(db) {
      db.prepare(`INSERT INTO conversations (conv_id, kind, title, last_seq, held_seq) VALUES ('g:team', 'group', 'Team', 1, 1)`).run();
    },
    check(store) {
      expect(store.getConversation('g:team')).toMatchObject({ title: 'Team', left: false });
      store.setLeft('g:team', true);
      expect(store.getConversation('g:team')?.left).toBe(true);
    },
  },
  4: {
    // Schema 5 rebuilds the index with exact CJK adjacency, traditional/simplified folding and emoji tokens.
    seed(db) {
      db.prepare(`INSERT INTO conversations (conv_id, kind, last_seq, held_seq) VALUES ('g:team', 'group', 5, 5)`).run();
      const insert = db.prepare(
        `INSERT INTO messages (id, conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body, text, recalled, created_at)
         VALUES (?, 'g:team', ?, ?, ?, ?, ?, 'text', '{}', ?, ?, ?)`,
      );
      const texts = ['春，風光無限', '春风得意 🎉', 'Résumé attached', '為什麼不行', '春风 recalled'];
      texts.forEach((text, i) => {
        const ts = NOW - 5000 + i * 1000;
        insert.run(id(ts), i + 1, `m${i + 1}`, `c${i + 1}`, i % 2 === 0 ? 'alice' : 'bob', ts, text, i === 4 ? 1 : 0, ts);
      });
    },
    check(store) {
      const hits = (query: string, options = {}) => store.search(query, options).map((h) => h.seq).sort();
      expect(hits('春风')).toEqual([2]);
      expect(hits('春風')).toEqual([2]);
      expect(hits('风光')).toEqual([1]);
      expect(hits('为什么')).toEqual([4]);
      expect(hits('🎉')).toEqual([2]);
      expect(hits('resu')).toEqual([3]);
      expect(hits('春', { from: 'alice' })).toEqual([1]);
    },
  },
  5: {
    // Schema 6 remembers which read positions reached the server: none yet, so each known one is sent once.
    seed(db) {
      db.prepare(`INSERT INTO conversations (conv_id, kind, last_seq, read_seq, held_seq) VALUES ('p:bob|me', 'private', 5, 3, 5)`).run();
      db.prepare(`INSERT INTO conversations (conv_id, kind, last_seq, read_seq, held_seq) VALUES ('g:new', 'group', 0, 0, 0)`).run();
      db.prepare(`INSERT INTO conversations (conv_id, kind, last_seq, read_seq, held_seq) VALUES ('r:lobby', 'room', 9, 9, 9)`).run();
    },
    check(store) {
      expect(store.unsentReads()).toEqual([{ convId: 'p:bob|me', seq: 3 }]);
      store.markReadSent('p:bob|me', 3);
      expect(store.unsentReads()).toEqual([]);
      expect(store.getConversation('p:bob|me')).toMatchObject({ readSeq: 3, lastSeq: 5 });
    },
  },
  6: {
    // Schema 7 adds the contacts: none yet, so the contact log is read from its start.
    seed(db) {
      db.prepare(`INSERT INTO conversations (conv_id, kind, last_seq, read_seq, held_seq) VALUES ('p:bob|me', 'private', 2, 2, 2)`).run();
    },
    check(store) {
      expect(store.contacts.snapshot()).toEqual({ contacts: [], requests: [], lastSeq: 0 });
      expect(store.contacts.apply([{ seq: 1, ts: NOW, userId: 'bob', event: 'added', contact: { userId: 'bob', remark: '', tags: [], since: NOW }, request: null }])).toEqual({ applied: 1, gap: false });
      expect(store.contacts.snapshot().lastSeq).toBe(1);
      expect(store.getConversation('p:bob|me')).toMatchObject({ lastSeq: 2 });
    },
  },
};

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrations-'));
  file = path.join(dir, 'store.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  });

  it('every old version has a fixture', () => {
    expect(Object.keys(fixtures).map(Number)).toEqual(Array.from({ length: LATEST_VERSION - 1 }, (_, i) => i + 1));
  });

  for (const [version, fixture] of Object.entries(fixtures).map(([v, f]) => [Number(v), f] as const)) {
    it(`opens a schema ${version} file with data and migrates it to the latest, keeping the data`, () => {
      const old = openDatabase(file, { schemaVersion: version });
      expect(schemaVersion(old)).toBe(version);
      fixture.seed(old);
      old.close();

      const store = openStore({ path: file, userId: 'me', now: () => NOW });
      try {
        fixture.check(store);
      } finally {
        store.close();
      }
      const db = openDatabase(file);
      expect(schemaVersion(db)).toBe(LATEST_VERSION);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.prepare(`INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')`).run();
      db.close();
    });

    it(`migrates schema ${version} to ${version + 1} on its own`, () => {
      const db = openDatabase(file, { schemaVersion: version });
      fixture.seed(db);
      expect(migrate(db, version + 1)).toEqual({ from: version, to: version + 1 });
      expect(schemaVersion(db)).toBe(version + 1);
      db.close();
    });
  }

  it('creates a fresh file at the latest version, in WAL mode', () => {
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(migrate(db)).toEqual({ from: LATEST_VERSION, to: LATEST_VERSION });
    db.close();
  });

  it('refuses a file written by a newer app', () => {
    const db = openDatabase(file);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
  });

  it('fails loudly on a connection that did not register the index function', () => {
    openDatabase(file).close();
    const raw = new Database(file);
    expect(() =>
      raw.prepare(`INSERT INTO messages (id, conv_id, seq, sender, ts, kind, text, created_at) VALUES (1, 'g:a', 1, 'a', 1, 'text', 'x', 1)`).run(),
    ).toThrow(/no such function/);
    raw.close();
  });
});
