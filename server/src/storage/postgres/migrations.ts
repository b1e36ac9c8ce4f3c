/**
 * Numbered, append-only schema migrations of the PostgreSQL storage; the table `parley_schema` holds the version
 * reached. The same schema as the SQLite one (server/src/storage/sqlite/migrations.ts), written for PostgreSQL:
 * ms timestamps and seqs are bigint, flags are boolean, entry bodies stay JSON text exactly as stored.
 */
import type { PoolClient } from 'pg';
import { foldName } from '../name-fold.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: what SQL cannot do (e.g. folding names the way name-fold.ts does). */
  run?: (client: PoolClient) => Promise<void>;
}

const FOLD_BATCH = 1000;

/** Writes `name_folded` of every row of `table` from its `name` (a migration's backfill), a batch per statement. */
async function foldNames(client: PoolClient, table: 'users' | 'chat_groups', key: 'user_id' | 'group_id'): Promise<void> {
  const rows = (await client.query<{ id: string; name: string }>(`SELECT ${key} AS id, name FROM ${table}`)).rows;
  for (let i = 0; i < rows.length; i += FOLD_BATCH) {
    const batch = rows.slice(i, i + FOLD_BATCH);
    await client.query(`UPDATE ${table} t SET name_folded = f.folded FROM unnest($1::text[], $2::text[]) AS f(id, folded) WHERE t.${key} = f.id`, [
      batch.map((r) => r.id),
      batch.map((r) => foldName(r.name)),
    ]);
  }
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        avatar TEXT,
        password_hash TEXT,
        created_at BIGINT NOT NULL,
        banned_until BIGINT NOT NULL DEFAULT 0,
        last_seen BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(user_id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        revoked BOOLEAN NOT NULL DEFAULT false,
        device_id TEXT,
        platform TEXT NOT NULL DEFAULT '',
        app TEXT NOT NULL DEFAULT '',
        last_seen BIGINT NOT NULL DEFAULT 0
      );
      CREATE INDEX tokens_by_user ON tokens(user_id);
      CREATE INDEX tokens_by_expiry ON tokens(expires_at);
      CREATE INDEX tokens_revoked ON tokens(revoked) WHERE revoked;
      CREATE TABLE conversations (
        conv_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        last_seq BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE conv_members (
        conv_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        read_seq BIGINT NOT NULL DEFAULT 0,
        muted BOOLEAN NOT NULL DEFAULT false,
        pinned BOOLEAN NOT NULL DEFAULT false,
        active BOOLEAN NOT NULL DEFAULT true,
        joined_at BIGINT NOT NULL,
        role TEXT NOT NULL DEFAULT 'member',
        speak_muted_until BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (conv_id, user_id)
      );
      CREATE INDEX conv_members_by_user ON conv_members(user_id, conv_id);
      CREATE TABLE messages (
        conv_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        msg_id TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        ts BIGINT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        mentions TEXT,
        reply_to BIGINT,
        recalled BOOLEAN NOT NULL DEFAULT false,
        PRIMARY KEY (conv_id, seq)
      );
      CREATE UNIQUE INDEX messages_by_client_id ON messages(sender, client_msg_id);
      CREATE TABLE blocks (
        blocker TEXT NOT NULL,
        blocked TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (blocker, blocked)
      );
      CREATE TABLE files (
        file_id TEXT PRIMARY KEY,
        uploader TEXT NOT NULL,
        name TEXT NOT NULL,
        mime TEXT NOT NULL,
        size BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        unreferenced_since BIGINT,
        collected_at BIGINT
      );
      CREATE INDEX files_by_uploader ON files(uploader);
      CREATE INDEX files_unreferenced ON files(unreferenced_since) WHERE unreferenced_since IS NOT NULL;
      CREATE INDEX files_collected ON files(collected_at) WHERE collected_at IS NOT NULL;
      CREATE TABLE file_refs (
        file_id TEXT NOT NULL,
        conv_id TEXT NOT NULL,
        PRIMARY KEY (file_id, conv_id)
      );
      CREATE TABLE entry_files (
        conv_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        file_id TEXT NOT NULL,
        PRIMARY KEY (conv_id, seq, file_id)
      );
      CREATE INDEX entry_files_by_file ON entry_files(file_id, conv_id);
      CREATE TABLE admin_nonces (
        nonce TEXT PRIMARY KEY,
        ts BIGINT NOT NULL
      );
      CREATE INDEX admin_nonces_by_ts ON admin_nonces(ts);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE chat_groups (
        group_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        announcement TEXT NOT NULL DEFAULT '',
        join_policy TEXT NOT NULL,
        muted_all_until BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        dismissed_at BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE group_requests (
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        note TEXT NOT NULL,
        ts BIGINT NOT NULL,
        PRIMARY KEY (group_id, user_id)
      );
      CREATE TABLE rooms (
        room_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        uses_left BIGINT NOT NULL,
        expires_at BIGINT,
        created_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'throttles',
    // Rate-limit buckets every node shares (SharedThrottles in storage.ts): tokens as of \`at\` (ms), and when the
    // bucket is full again, after which the row is pruned. PostgreSQL only: one SQLite node keeps them in memory.
    sql: `
      CREATE TABLE throttles (
        key TEXT PRIMARY KEY,
        tokens DOUBLE PRECISION NOT NULL,
        at BIGINT NOT NULL,
        full_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'directory',
    // docs/protocol.md part 2, "Directory": as SQLite's version 6 (names folded for search, written with every name
    // and backfilled here; a user's opt-out; a group's listing). users_id_pattern serves id-prefix LIKEs whatever the
    // database's collation. A name search is LIKE '%…%' over name_folded: with pg_trgm, a trigram GIN index serves it
    // (for queries of 3 characters or more); pg_trgm is a trusted extension (PostgreSQL 13+), so a database owner
    // without superuser may install it, but when it cannot be installed the migration goes on without the index and
    // the search reads name_folded in full. The extension goes into \`public\` when it can (a schema this server's
    // data may be dropped with must not carry it), else into the current schema.
    sql: `
      ALTER TABLE users ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
      ALTER TABLE users ADD COLUMN discoverable BOOLEAN NOT NULL DEFAULT true;
      ALTER TABLE chat_groups ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
      ALTER TABLE chat_groups ADD COLUMN is_public BOOLEAN NOT NULL DEFAULT false;
      CREATE INDEX users_id_pattern ON users (user_id text_pattern_ops);
      CREATE INDEX chat_groups_public ON chat_groups (group_id) WHERE is_public AND dismissed_at = 0;
      DO $$
      DECLARE
        ext_schema TEXT;
      BEGIN
        BEGIN
          CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
        EXCEPTION WHEN OTHERS THEN
          BEGIN
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pg_trgm is not available: name search reads name_folded in full';
          END;
        END;
        SELECT n.nspname INTO ext_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
        IF ext_schema IS NOT NULL THEN
          BEGIN
            EXECUTE format('CREATE INDEX users_name_trgm ON users USING gin (name_folded %I.gin_trgm_ops)', ext_schema);
            EXECUTE format('CREATE INDEX chat_groups_name_trgm ON chat_groups USING gin (name_folded %I.gin_trgm_ops)', ext_schema);
          EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pg_trgm cannot be used here: name search reads name_folded in full';
          END;
        END IF;
      END
      $$;
    `,
    run: async (client) => {
      await foldNames(client, 'users', 'user_id');
      await foldNames(client, 'chat_groups', 'group_id');
    },
  },
  {
    version: 4,
    name: 'profiles',
    // docs/protocol.md part 2, "Profiles": as SQLite's version 7 (a status line; avatars' bytes, one row per size).
    sql: `
      ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT '';
      CREATE TABLE avatars (
        avatar_id TEXT NOT NULL,
        size INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        mime TEXT NOT NULL,
        bytes BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (avatar_id, size)
      );
      CREATE INDEX avatars_user ON avatars (user_id);
    `,
  },
  {
    version: 5,
    name: 'contacts',
    // docs/protocol.md part 2, "Contacts": as SQLite's version 8. A change locks both users' contact_seqs rows (in
    // user id order) before it reads their state, so two changes of one pair, or two entries of one user's log, are
    // never decided or numbered concurrently.
    sql: `
      CREATE TABLE contacts (
        user_id TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        remark TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        since BIGINT NOT NULL,
        PRIMARY KEY (user_id, contact_id)
      );
      CREATE TABLE contact_requests (
        from_id TEXT NOT NULL,
        to_id TEXT NOT NULL,
        message TEXT NOT NULL,
        ts BIGINT NOT NULL,
        PRIMARY KEY (from_id, to_id)
      );
      CREATE TABLE contact_ignores (
        user_id TEXT NOT NULL,
        ignored_id TEXT NOT NULL,
        PRIMARY KEY (user_id, ignored_id)
      );
      CREATE INDEX contact_requests_to ON contact_requests (to_id);
      CREATE TABLE contact_seqs (
        user_id TEXT PRIMARY KEY,
        last_seq BIGINT NOT NULL
      );
      CREATE TABLE contact_log (
        user_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        other_id TEXT NOT NULL,
        event TEXT NOT NULL,
        ts BIGINT NOT NULL,
        contact TEXT,
        request TEXT,
        PRIMARY KEY (user_id, seq)
      );
    `,
  },
  {
    version: 6,
    name: 'names folded across Chinese scripts',
    // As SQLite's version 9: name-fold.ts now folds traditional Chinese into simplified; fold the stored names again.
    sql: '',
    run: async (client) => {
      await foldNames(client, 'users', 'user_id');
      await foldNames(client, 'chat_groups', 'group_id');
    },
  },
];

/** An arbitrary constant: the advisory lock that lets one of several servers starting at once migrate. */
const MIGRATION_LOCK = 0x7061726c; // "parl"

/**
 * Applies every migration above the database's version in one transaction, holding an advisory lock so that
 * servers starting at once against the same database migrate it once: the others wait, then find it done.
 */
export async function migratePg(client: PoolClient, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS parley_schema (version INTEGER NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM parley_schema')).rows[0];
    let version = row?.version ?? 0;
    if (!row) await client.query('INSERT INTO parley_schema (version) VALUES (0)');
    const newest = migrations.at(-1)?.version ?? 0;
    if (version > newest) throw new Error(`the database's schema is version ${version}, newer than this server knows (${newest}): upgrade the server`);
    for (const m of migrations) {
      if (m.version <= version) continue;
      if (m.version !== version + 1) throw new Error(`migration ${m.version} (${m.name}) does not follow ${version}`);
      await client.query(m.sql);
      await m.run?.(client);
      version = m.version;
    }
    await client.query('UPDATE parley_schema SET version = $1', [version]);
    await client.query('COMMIT');
    return version;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
