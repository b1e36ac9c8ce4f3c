/**
 * `parley-server migrate --from <parley.db> --to <postgres url>` (README "Moving from SQLite to PostgreSQL"): copies
 * a SQLite server database into PostgreSQL, table by table in key order, in batches that each commit together
 * with a progress record in the target, so a copy cut short (kill -9 included) is finished by running the same
 * command again, without duplicates. The end is verified: row counts per table and every conversation's last seq.
 *
 * The source is read in one read transaction while the data directory's lock is held (as restore does), so no
 * server can write it meanwhile and the copy is one consistent snapshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import DatabaseCtor, { type Database } from 'better-sqlite3';
import pg from 'pg';
import { DataDirLock } from '../sqlite/data-dir-lock.js';
import { MIGRATIONS, schemaVersion } from '../sqlite/migrations.js';
import { migratePg } from './migrations.js';
import { isPostgresUrl, redactDatabaseUrl } from './pg-storage.js';

export { DataDirBusyError } from '../sqlite/data-dir-lock.js';

/** A migration that cannot be done or did not verify; its message is one line and never holds the password. */
export class MigrateError extends Error {
  override name = 'MigrateError';
}

interface TableSpec {
  name: string;
  /** The primary key: the order of the copy, and where an interrupted copy resumes. */
  key: readonly string[];
}

/**
 * Every table of the SQLite schema (server/src/storage/sqlite/migrations.ts, versions 1–8) that holds data, in the
 * order they are copied (tokens after users: their foreign key). Each has the same name and columns in the
 * PostgreSQL schema (postgres/migrations.ts); the columns are matched by name and converted by the PostgreSQL
 * column's type (SQLite's 0/1 flags become booleans), and a column one side lacks stops the migration.
 */
export const COPIED_TABLES: readonly TableSpec[] = [
  { name: 'users', key: ['user_id'] }, // with their password hashes
  { name: 'tokens', key: ['token_hash'] }, // sessions: token hashes with their devices, so signed-in devices stay signed in
  { name: 'conversations', key: ['conv_id'] }, // with last_seq, the counter the next message's seq comes from
  { name: 'conv_members', key: ['conv_id', 'user_id'] }, // memberships, read positions, roles, mutes, pins
  { name: 'messages', key: ['conv_id', 'seq'] }, // the logs: entries with their seqs, edits, recalls (recalled flag)
  { name: 'entry_files', key: ['conv_id', 'seq', 'file_id'] }, // which entries name which file
  { name: 'files', key: ['file_id'] }, // the records of uploaded files (the bytes stay in the data directory's files/)
  { name: 'file_refs', key: ['file_id', 'conv_id'] }, // which conversations may read which file
  { name: 'blocks', key: ['blocker', 'blocked'] },
  { name: 'chat_groups', key: ['group_id'] },
  { name: 'group_requests', key: ['group_id', 'user_id'] },
  { name: 'rooms', key: ['room_id'] },
  { name: 'invites', key: ['code'] },
  { name: 'settings', key: ['key'] }, // e.g. the sensitive-word list
  { name: 'avatars', key: ['avatar_id', 'size'] }, // uploaded avatars' bytes, each stored size
  { name: 'contacts', key: ['user_id', 'contact_id'] }, // each side's contact, with its own remark and tags
  { name: 'contact_requests', key: ['from_id', 'to_id'] }, // pending contact requests
  { name: 'contact_ignores', key: ['user_id', 'ignored_id'] }, // whose requests each user ignored
  { name: 'contact_seqs', key: ['user_id'] }, // the counter each user's next contact-log seq comes from
  { name: 'contact_log', key: ['user_id', 'seq'] }, // the contact logs, which contacts.sync pages
];

/**
 * Tables of the SQLite schema deliberately not copied, and why. A table in neither list stops the migration.
 * (SQLite's own sqlite_* tables are not Parley's data; the data directory's lock is a file of its own, parley.db.lock.)
 */
export const SKIPPED_TABLES: Readonly<Record<string, string>> = {
  admin_nonces:
    'nonces of signed admin requests, kept only to refuse a replay within the 5-minute timestamp window: a replayed request is older than that by the time the new servers run',
};

/** The tables in the target that record the migration: which source it holds, and how far each table got. */
const IMPORT_TABLES = `
  CREATE TABLE IF NOT EXISTS parley_sqlite_import (
    source TEXT NOT NULL,
    source_file TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    completed_at BIGINT
  );
  CREATE TABLE IF NOT EXISTS parley_sqlite_import_progress (
    table_name TEXT PRIMARY KEY,
    last_key TEXT,
    copied BIGINT NOT NULL DEFAULT 0,
    done BOOLEAN NOT NULL DEFAULT false
  );
`;

/** Two migrate commands into one database at once: the second is refused. An arbitrary constant ("pmig"). */
const IMPORT_LOCK = 0x706d6967;

export const DEFAULT_BATCH_ROWS = 5000;

export interface MigrateOptions {
  /** The SQLite database file (`<dataDir>/parley.db`). */
  from: string;
  /** postgres://user:password@host:port/database */
  to: string;
  /** Rows per batch (one transaction each); default 5000. */
  batchRows?: number;
  /** Progress lines (one per table copied). */
  log?: (line: string) => void;
  /** Called after each committed batch; tests make the copy fail there. */
  afterBatch?: (table: string, copiedSoFar: number) => void | Promise<void>;
}

export interface MigrateSummary {
  source: string;
  target: string;
  /** Rows per copied table, as verified in both databases. */
  counts: Record<string, number>;
  /** Rows copied by this run (0 when the target was already complete). */
  copiedNow: number;
  /** The target held a completed copy of this source already: nothing was copied, only verified. */
  alreadyComplete: boolean;
  /** This run finished a copy an earlier run began. */
  resumed: boolean;
  ms: number;
  /** The data directory's files/ the blobs of the file records are in. */
  filesDir: string;
}

type SqlValue = string | bigint | number | null | Buffer;
type Row = SqlValue[];

/** Bigint keys survive the JSON of the progress record. */
function encodeKey(values: readonly SqlValue[]): string {
  return JSON.stringify(values.map((v) => (typeof v === 'bigint' ? { int: v.toString() } : v)));
}
function decodeKey(text: string): SqlValue[] {
  return (JSON.parse(text) as Array<string | number | null | { int: string }>).map((v) => (v !== null && typeof v === 'object' ? BigInt(v.int) : v));
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A column value as PostgreSQL's column type wants it in an array parameter. */
function converter(pgType: string, table: string, column: string): (v: SqlValue) => unknown {
  switch (pgType) {
    case 'boolean':
      return (v) => (v === null ? null : Number(v) !== 0);
    case 'bigint':
    case 'integer':
    case 'smallint':
      return (v) => (v === null ? null : typeof v === 'bigint' ? v.toString() : String(Math.trunc(Number(v))));
    case 'text':
      return (v) => (v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
    case 'bytea':
      return (v) => (v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8'));
    default:
      throw new MigrateError(`column ${table}.${column} has the PostgreSQL type ${pgType}, which the migration does not know`);
  }
}

const ARRAY_TYPE: Record<string, string> = { boolean: 'boolean[]', bigint: 'bigint[]', integer: 'integer[]', smallint: 'smallint[]', text: 'text[]', bytea: 'bytea[]' };

interface TablePlan extends TableSpec {
  columns: string[];
  convert: Array<(v: SqlValue) => unknown>;
  insert: string;
  select: (after: SqlValue[] | null, limit: number) => Row[];
}

/** Replaces the password of `url`, wherever it appears in `text`. */
function scrub(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // unparsable: nothing to find
  }
  return password ? text.split(password).join('***') : text;
}

/**
 * An identity of the source database, to tell a rerun of the same migration from a target holding another
 * team's data: its earliest users (created_at, user_id), which no later use of that database changes.
 */
function fingerprint(db: Database): string {
  const rows = db.prepare('SELECT user_id, created_at FROM users ORDER BY created_at, user_id LIMIT 100').raw().all() as Row[];
  return JSON.stringify(rows.map((r) => [String(r[0]), String(r[1])]));
}

function openSource(file: string): Database {
  let db: Database;
  try {
    // Read-write (reads only, query_only): a read-only connection cannot open a WAL database whose -shm is gone.
    db = new DatabaseCtor(file, { fileMustExist: true });
  } catch (error) {
    throw new MigrateError(`cannot open ${file}: ${(error as Error).message}`);
  }
  try {
    db.pragma('query_only = ON');
    db.defaultSafeIntegers(true);
    const version = Number(schemaVersion(db));
    if (version === 0) throw new MigrateError(`${file} is not a Parley server database`);
    if (version < MIGRATIONS.length) {
      throw new MigrateError(`${file} has schema version ${version}, older than this server's ${MIGRATIONS.length}: start this version of the server on it once (it upgrades the database), stop it, then migrate`);
    }
    if (version > MIGRATIONS.length) throw new MigrateError(`${file} has schema version ${version}, newer than this server's ${MIGRATIONS.length}: migrate with the newer server`);
  } catch (error) {
    db.close();
    if (error instanceof MigrateError) throw error;
    throw new MigrateError(`${file} is not a readable Parley server database: ${(error as Error).message}`);
  }
  return db;
}

/** Matches each copied table's columns in both databases; any table of the source not accounted for stops the migration. */
async function plan(db: Database, client: pg.PoolClient): Promise<TablePlan[]> {
  const sourceTables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").pluck().all() as string[]).sort();
  const known = new Set([...COPIED_TABLES.map((t) => t.name), ...Object.keys(SKIPPED_TABLES)]);
  const unknown = sourceTables.filter((t) => !known.has(t));
  if (unknown.length > 0) throw new MigrateError(`the SQLite database has tables this migration does not know (${unknown.join(', ')}): migrate with the server version that made them`);
  const pgColumns = await client.query<{ table_name: string; column_name: string; data_type: string }>(
    'SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position',
  );
  const plans: TablePlan[] = [];
  for (const spec of COPIED_TABLES) {
    if (!sourceTables.includes(spec.name)) throw new MigrateError(`the SQLite database has no table ${spec.name}`);
    const sqliteCols = (db.prepare(`PRAGMA table_info(${quote(spec.name)})`).all() as Array<{ name: string }>).map((c) => c.name);
    const pgCols = new Map(pgColumns.rows.filter((r) => r.table_name === spec.name).map((r) => [r.column_name, r.data_type]));
    const onlySqlite = sqliteCols.filter((c) => !pgCols.has(c));
    const onlyPg = [...pgCols.keys()].filter((c) => !sqliteCols.includes(c));
    if (onlySqlite.length > 0 || onlyPg.length > 0) {
      throw new MigrateError(`table ${spec.name} differs between the databases (only in SQLite: ${onlySqlite.join(', ') || 'none'}; only in PostgreSQL: ${onlyPg.join(', ') || 'none'})`);
    }
    const columns = sqliteCols;
    const types = columns.map((c) => pgCols.get(c)!);
    const convert = columns.map((c, i) => converter(types[i]!, spec.name, c));
    const cols = columns.map(quote).join(', ');
    const keyCols = spec.key.map(quote).join(', ');
    const keyParams = spec.key.map(() => '?').join(', ');
    const first = db.prepare(`SELECT ${cols} FROM ${quote(spec.name)} ORDER BY ${keyCols} LIMIT ?`).raw();
    const next = db.prepare(`SELECT ${cols} FROM ${quote(spec.name)} WHERE (${keyCols}) > (${keyParams}) ORDER BY ${keyCols} LIMIT ?`).raw();
    plans.push({
      ...spec,
      columns,
      convert,
      insert: `INSERT INTO ${quote(spec.name)} (${cols}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${ARRAY_TYPE[t]!}`).join(', ')}) ON CONFLICT DO NOTHING`,
      select: (after, limit) => (after ? next.all(...after, limit) : first.all(limit)) as Row[],
    });
  }
  return plans;
}

/** Counts per copied table and each conversation's last seq (and highest stored seq) in the SQLite source. */
function sourceFacts(db: Database, plans: readonly TablePlan[]): { counts: Record<string, number>; seqs: Map<string, string> } {
  const counts: Record<string, number> = {};
  for (const p of plans) counts[p.name] = Number(db.prepare(`SELECT count(*) FROM ${quote(p.name)}`).pluck().get() as bigint);
  const seqs = new Map<string, string>();
  const rows = db.prepare('SELECT c.conv_id, c.last_seq, (SELECT max(seq) FROM messages m WHERE m.conv_id = c.conv_id) FROM conversations c').raw().all() as Row[];
  for (const [conv, last, max] of rows) seqs.set(String(conv), `${String(last)}/${String(max ?? 0)}`);
  return { counts, seqs };
}

async function targetFacts(client: pg.PoolClient, plans: readonly TablePlan[]): Promise<{ counts: Record<string, number>; seqs: Map<string, string> }> {
  const counts: Record<string, number> = {};
  for (const p of plans) counts[p.name] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(p.name)}`)).rows[0]!.n);
  const seqs = new Map<string, string>();
  const rows = await client.query<{ conv_id: string; last_seq: string; max_seq: string | null }>(
    'SELECT c.conv_id, c.last_seq::text AS last_seq, (SELECT max(seq) FROM messages m WHERE m.conv_id = c.conv_id)::text AS max_seq FROM conversations c',
  );
  for (const r of rows.rows) seqs.set(r.conv_id, `${r.last_seq}/${r.max_seq ?? 0}`);
  return { counts, seqs };
}

/** What differs between source and target, as short phrases; empty when they agree. */
function mismatches(
  source: { counts: Record<string, number>; seqs: Map<string, string> },
  target: { counts: Record<string, number>; seqs: Map<string, string> },
): string[] {
  const out: string[] = [];
  for (const [table, n] of Object.entries(source.counts)) {
    if (target.counts[table] !== n) out.push(`${table}: ${n} rows in SQLite, ${target.counts[table]} in PostgreSQL`);
  }
  for (const [conv, s] of source.seqs) {
    const t = target.seqs.get(conv);
    if (t !== s) out.push(`conversation ${conv}: last seq/highest stored seq ${s} in SQLite, ${t ?? 'missing'} in PostgreSQL`);
  }
  for (const [conv, t] of target.seqs) {
    const [last, max] = t.split('/').map(Number) as [number, number];
    if (max > last) out.push(`conversation ${conv}: PostgreSQL stores seq ${max} above its last seq ${last}`);
    if (!source.seqs.has(conv)) out.push(`conversation ${conv}: in PostgreSQL only`);
  }
  return out;
}

/**
 * Sets every sequence the target's tables own (serial or identity columns) past the highest value copied, so
 * rows the server inserts later do not collide. The schema has none today (seqs come from conversations.last_seq,
 * copied as it is); this keeps the migration right if one is added.
 */
async function advanceSequences(client: pg.PoolClient): Promise<void> {
  const owned = await client.query<{ seq: string; tbl: string; col: string }>(`
    SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace`);
  for (const r of owned.rows) {
    await client.query(`SELECT setval($1::regclass, GREATEST(coalesce(max(${quote(r.col)}), 0), 1), max(${quote(r.col)}) IS NOT NULL) FROM ${quote(r.tbl)}`, [quote(r.seq)]);
  }
}

export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<MigrateSummary> {
  const started = Date.now();
  const from = path.resolve(options.from);
  const target = redactDatabaseUrl(options.to);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const log = options.log ?? (() => undefined);
  if (!isPostgresUrl(options.to)) throw new MigrateError('the target must be a PostgreSQL URL: postgres://user:password@host:port/database');
  if (!fs.existsSync(from)) throw new MigrateError(`no database at ${from}`);

  // Refuses (DataDirBusyError) while a server runs on the file, and keeps one from starting until the copy is done.
  const lock = DataDirLock.acquire(from);
  let db: Database | null = null;
  const pool = new pg.Pool({ connectionString: options.to, max: 1 });
  pool.on('error', () => undefined);
  try {
    db = openSource(from);
    // One read transaction for the whole copy and its verification: one snapshot of the source.
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM users').get();

    const client = await pool.connect().catch((error: Error) => {
      throw new MigrateError(`cannot connect to PostgreSQL at ${target}: ${error.message}`);
    });
    try {
      const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [IMPORT_LOCK])).rows[0]!.ok;
      if (!locked) throw new MigrateError(`another migrate is running into ${target}`);
      await migratePg(client);
      await client.query(IMPORT_TABLES);
      const plans = await plan(db, client);
      const identity = fingerprint(db);

      // Which source the target holds, if any: a rerun resumes or verifies, anything else is refused.
      const record = (await client.query<{ source: string; source_file: string; completed_at: string | null }>('SELECT source, source_file, completed_at FROM parley_sqlite_import')).rows[0];
      if (record && record.source !== identity) {
        throw new MigrateError(`${target} already holds the data of another Parley database (migrated from ${record.source_file}); migrate into an empty database`);
      }
      if (!record) {
        const nonEmpty: string[] = [];
        for (const p of plans) if ((await client.query(`SELECT 1 FROM ${quote(p.name)} LIMIT 1`)).rowCount) nonEmpty.push(p.name);
        if (nonEmpty.length > 0) throw new MigrateError(`${target} already holds data (rows in ${nonEmpty.join(', ')}); migrate into an empty database`);
        await client.query('BEGIN');
        await client.query('INSERT INTO parley_sqlite_import (source, source_file, started_at) VALUES ($1, $2, $3)', [identity, from, Date.now()]);
        await client.query('DELETE FROM parley_sqlite_import_progress');
        await client.query('COMMIT');
      }
      const alreadyComplete = Boolean(record?.completed_at);
      const resumed = Boolean(record) && !alreadyComplete;

      let copiedNow = 0;
      if (!alreadyComplete) {
        if (resumed) log(`resuming the migration an earlier run began into ${target}`);
        for (const p of plans) {
          await client.query('INSERT INTO parley_sqlite_import_progress (table_name) VALUES ($1) ON CONFLICT DO NOTHING', [p.name]);
          const progress = (await client.query<{ last_key: string | null; copied: string; done: boolean }>('SELECT last_key, copied, done FROM parley_sqlite_import_progress WHERE table_name = $1', [p.name])).rows[0]!;
          if (progress.done) continue;
          let after = progress.last_key === null ? null : decodeKey(progress.last_key);
          let copied = Number(progress.copied);
          const keyIndex = p.key.map((k) => p.columns.indexOf(k));
          for (;;) {
            const rows = p.select(after, batchRows);
            const done = rows.length < batchRows;
            const last = rows.at(-1);
            if (last) after = keyIndex.map((i) => last[i]!);
            const params = p.columns.map((_, c) => rows.map((r) => p.convert[c]!(r[c]!)));
            await client.query('BEGIN');
            try {
              if (rows.length > 0) {
                const inserted = await client.query(p.insert, params).catch((error: Error) => {
                  throw new MigrateError(`copying ${p.name} (rows after ${progress.last_key ?? 'the first'}) failed: ${error.message}`);
                });
                copied += inserted.rowCount ?? 0;
              }
              await client.query('UPDATE parley_sqlite_import_progress SET last_key = $2, copied = $3, done = $4 WHERE table_name = $1', [p.name, after ? encodeKey(after) : null, copied, done]);
              await client.query('COMMIT');
            } catch (error) {
              await client.query('ROLLBACK').catch(() => undefined);
              throw error;
            }
            copiedNow += rows.length;
            if (done) break;
            await options.afterBatch?.(p.name, copied);
          }
          log(`copied ${p.name}: ${copied} rows`);
        }
        await advanceSequences(client);
      }

      const source = sourceFacts(db, plans);
      const problems = mismatches(source, await targetFacts(client, plans));
      if (problems.length > 0) {
        const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
        const hint = alreadyComplete ? ' (was either database changed after the migration?)' : '';
        throw new MigrateError(`verification failed${hint}: ${problems.slice(0, 5).join('; ')}${more}`);
      }
      if (!alreadyComplete) {
        await client.query('UPDATE parley_sqlite_import SET completed_at = $1', [Date.now()]);
        await client.query('ANALYZE');
      }
      return { source: from, target, counts: source.counts, copiedNow, alreadyComplete, resumed, ms: Date.now() - started, filesDir: path.join(path.dirname(from), 'files') };
    } finally {
      client.release();
    }
  } catch (error) {
    if (error instanceof Error) error.message = scrub(error.message, options.to);
    throw error;
  } finally {
    if (db?.open) {
      if (db.inTransaction) db.exec('COMMIT');
      db.close();
    }
    await pool.end().catch(() => undefined);
    lock.release();
  }
}
