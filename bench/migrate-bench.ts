/**
 * Throughput of `parley-server migrate` (SQLite to PostgreSQL): builds a SQLite server database of MESSAGES messages
 * (default 100,000) in CONVERSATIONS private chats between USERS users, migrates it into a fresh database of the
 * PostgreSQL server PARLEY_BENCH_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/postgres, which is
 * used only to create and drop `parley_migrate_bench_<random>`), and prints rows per second.
 *
 *   npx tsx bench/migrate-bench.ts [messages]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import DatabaseCtor from 'better-sqlite3';
import pg from 'pg';
import { pconv } from '../server/test/ws-client.js';
import { migrate } from '../server/src/storage/sqlite/migrations.js';
import { migrateSqliteToPostgres } from '../server/src/storage/postgres/from-sqlite.js';

const MESSAGES = Number(process.argv[2] ?? 100_000);
const USERS = 200;
const CONVERSATIONS = 1000;
const base = process.env.PARLEY_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-migrate-bench-'));
const file = path.join(dir, 'parley.db');
const db = new DatabaseCtor(file);
db.pragma('journal_mode = WAL');
migrate(db);
const t0 = Date.now();
db.transaction(() => {
  const user = db.prepare('INSERT INTO users (user_id, name, password_hash, created_at) VALUES (?, ?, ?, ?)');
  const token = db.prepare('INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
  for (let u = 0; u < USERS; u++) {
    user.run(`user${u}`, `User ${u}`, `scrypt$17$${randomBytes(16).toString('hex')}`, t0 + u);
    token.run(randomBytes(32).toString('hex'), `user${u}`, t0, t0 + 86_400_000);
  }
  const conv = db.prepare("INSERT INTO conversations (conv_id, kind, last_seq, created_at, updated_at) VALUES (?, 'private', ?, ?, ?)");
  const member = db.prepare('INSERT INTO conv_members (conv_id, user_id, read_seq, joined_at) VALUES (?, ?, ?, ?)');
  const msg = db.prepare("INSERT INTO messages (conv_id, seq, msg_id, client_msg_id, sender, ts, kind, body) VALUES (?, ?, ?, ?, ?, ?, 'text', ?)");
  const perConv = Math.ceil(MESSAGES / CONVERSATIONS);
  let left = MESSAGES;
  for (let c = 0; c < CONVERSATIONS && left > 0; c++) {
    // Pairs (u, u + k) for k = 1…5: all different while CONVERSATIONS ≤ 5 × USERS.
    const a = `user${c % USERS}`;
    const b = `user${(c + 1 + Math.floor(c / USERS)) % USERS}`;
    const id = pconv(a, b);
    const n = Math.min(perConv, left);
    left -= n;
    conv.run(id, n, t0, t0);
    member.run(id, a, n, t0);
    member.run(id, b, Math.floor(n / 2), t0);
    for (let s = 1; s <= n; s++) msg.run(id, s, randomUUID(), randomUUID(), s % 2 ? a : b, t0 + s, JSON.stringify({ text: `message ${s} of ${id}: ${'lorem ipsum '.repeat(3)}` }));
  }
})();
db.close();
const stored = new DatabaseCtor(file, { readonly: true });
const count = (stored.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
stored.close();

const name = `parley_migrate_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(base);
url.pathname = `/${name}`;
try {
  const s = await migrateSqliteToPostgres({ from: file, to: url.toString() });
  const rows = Object.values(s.counts).reduce((a, b) => a + b, 0);
  process.stdout.write(`${count} messages (${rows} rows in all) migrated and verified in ${(s.ms / 1000).toFixed(2)} s: ${Math.round(count / (s.ms / 1000))} messages/s, ${Math.round(rows / (s.ms / 1000))} rows/s\n`);
  const again = await migrateSqliteToPostgres({ from: file, to: url.toString() });
  process.stdout.write(`second run (verification only): ${(again.ms / 1000).toFixed(2)} s\n`);
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
}
