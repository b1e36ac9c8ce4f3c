/** Numbered, append-only schema migrations; `PRAGMA user_version` holds the version reached. */
import type { Database } from 'better-sqlite3';
import { foldName } from '../name-fold.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: what SQL cannot do (e.g. folding names the way name-fold.ts does). */
  run?: (db: Database) => void;
}

/** Writes `name_folded` of every row of `table` from its `name` (a migration's backfill). */
function foldNames(db: Database, table: 'users' | 'chat_groups', key: 'user_id' | 'group_id'): void {
  const update = db.prepare(`UPDATE ${table} SET name_folded = ? WHERE ${key} = ?`);
  // Read whole first: better-sqlite3 cannot write while a statement is still iterating.
  for (const row of db.prepare<[], { id: string; name: string }>(`SELECT ${key} AS id, name FROM ${table}`).all()) {
    update.run(foldName(row.name), row.id);
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        avatar TEXT,
        password_hash TEXT,
        created_at INTEGER NOT NULL,
        banned_until INTEGER NOT NULL DEFAULT 0,
        last_seen INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(user_id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tokens_by_user ON tokens(user_id);
      CREATE TABLE conversations (
        conv_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE conv_members (
        conv_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        read_seq INTEGER NOT NULL DEFAULT 0,
        muted INTEGER NOT NULL DEFAULT 0,
        pinned INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (conv_id, user_id)
      ) WITHOUT ROWID;
      CREATE INDEX conv_members_by_user ON conv_members(user_id, conv_id);
      CREATE TABLE messages (
        conv_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        msg_id TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        ts INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        mentions TEXT,
        reply_to INTEGER,
        recalled INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (conv_id, seq)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX messages_by_client_id ON messages(sender, client_msg_id);
      CREATE TABLE blocks (
        blocker TEXT NOT NULL,
        blocked TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (blocker, blocked)
      ) WITHOUT ROWID;
      CREATE TABLE files (
        file_id TEXT PRIMARY KEY,
        uploader TEXT NOT NULL,
        name TEXT NOT NULL,
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE file_refs (
        file_id TEXT NOT NULL,
        conv_id TEXT NOT NULL,
        PRIMARY KEY (file_id, conv_id)
      ) WITHOUT ROWID;
      CREATE TABLE admin_nonces (
        nonce TEXT PRIMARY KEY,
        ts INTEGER NOT NULL
      );
      CREATE INDEX admin_nonces_by_ts ON admin_nonces(ts);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'groups and chatrooms',
    // Group membership stays in conv_members (so sync, history access and file access work for groups as for
    // private chats); a member's role and speaking ban are columns of that row. `speak_muted_until` is group.mute,
    // not the notification setting `muted` of conv.update.
    sql: `
      ALTER TABLE conv_members ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
      ALTER TABLE conv_members ADD COLUMN speak_muted_until INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE chat_groups (
        group_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        announcement TEXT NOT NULL DEFAULT '',
        join_policy TEXT NOT NULL,
        muted_all_until INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        dismissed_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE group_requests (
        group_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        note TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (group_id, user_id)
      ) WITHOUT ROWID;
      CREATE TABLE rooms (
        room_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'tokens remember their device',
    // A token learns its device at hello (device_id NULL until then); last_seen is written at hello and when the
    // connection ends, not per frame. The partial index lets the pruning of revoked rows skip the live ones.
    sql: `
      ALTER TABLE tokens ADD COLUMN device_id TEXT;
      ALTER TABLE tokens ADD COLUMN platform TEXT NOT NULL DEFAULT '';
      ALTER TABLE tokens ADD COLUMN app TEXT NOT NULL DEFAULT '';
      ALTER TABLE tokens ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX tokens_by_expiry ON tokens(expires_at);
      CREATE INDEX tokens_revoked ON tokens(revoked) WHERE revoked = 1;
    `,
  },
  {
    version: 4,
    name: 'invite codes',
    // Registration mode `invite`: codes the admin API makes; a registration takes one use in the transaction that
    // creates the user. Kept in clear text so the admin API can list them (they open registration, not an account).
    sql: `
      CREATE TABLE invites (
        code TEXT PRIMARY KEY,
        uses_left INTEGER NOT NULL,
        expires_at INTEGER,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'file references',
    // Which entries name which file, so a file no entry names any more (never sent, recalled, its room deleted) can
    // be collected once `unreferenced_since` is older than the grace period. Collection marks the row first
    // (`collected_at`), then removes the blob, then the row, so a crash in between is finished at the next sweep.
    // Files already stored start their grace now, not at their upload.
    sql: `
      ALTER TABLE files ADD COLUMN unreferenced_since INTEGER;
      ALTER TABLE files ADD COLUMN collected_at INTEGER;
      CREATE TABLE entry_files (
        conv_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        PRIMARY KEY (conv_id, seq, file_id)
      ) WITHOUT ROWID;
      CREATE INDEX entry_files_by_file ON entry_files(file_id, conv_id);
      CREATE INDEX files_by_uploader ON files(uploader);
      CREATE INDEX files_unreferenced ON files(unreferenced_since) WHERE unreferenced_since IS NOT NULL;
      CREATE INDEX files_collected ON files(collected_at) WHERE collected_at IS NOT NULL;
      INSERT INTO entry_files (conv_id, seq, file_id)
        SELECT m.conv_id, m.seq, f.file_id FROM messages m JOIN files f ON f.file_id = json_extract(m.body, '$.fileId')
        WHERE m.recalled = 0 AND m.kind IN ('image', 'file', 'voice')
        ON CONFLICT DO NOTHING;
      UPDATE files SET unreferenced_since = CAST(strftime('%s', 'now') AS INTEGER) * 1000
        WHERE NOT EXISTS (SELECT 1 FROM entry_files e WHERE e.file_id = files.file_id);
    `,
  },
  {
    version: 6,
    name: 'directory',
    // docs/protocol.md part 2, "Directory": names folded for search (name-fold.ts, written with every name; existing
    // rows folded here), a user's opt-out, a group's listing. A name search is a LIKE '%…%' over name_folded: SQLite
    // reads the column in full (no index serves a substring); ids are found through their primary key.
    sql: `
      ALTER TABLE users ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
      ALTER TABLE users ADD COLUMN discoverable INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE chat_groups ADD COLUMN name_folded TEXT NOT NULL DEFAULT '';
      ALTER TABLE chat_groups ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX chat_groups_public ON chat_groups(group_id) WHERE is_public = 1 AND dismissed_at = 0;
    `,
    run: (db) => {
      foldNames(db, 'users', 'user_id');
      foldNames(db, 'chat_groups', 'group_id');
    },
  },
  {
    version: 7,
    name: 'profiles',
    // docs/protocol.md part 2, "Profiles": a user's status line, and uploaded avatars, one row per stored size. The
    // bytes live in the database rather than the file store so that every node of a cluster and every backup has them.
    sql: `
      ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT '';
      CREATE TABLE avatars (
        avatar_id TEXT NOT NULL,
        size INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        mime TEXT NOT NULL,
        bytes BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (avatar_id, size)
      );
      CREATE INDEX avatars_user ON avatars(user_id);
    `,
  },
  {
    version: 8,
    name: 'contacts',
    // docs/protocol.md part 2, "Contacts". A contact is two rows, one per side, since remark and tags are each side's
    // own; a pending request is one row per direction, and contact_ignores remembers whose requests a user ignored
    // (hidden from them, also when withdrawn and sent again, until they act themselves). Each user's contact
    // log is numbered from contact_seqs, a counter row updated in the transaction that writes the entry, so seqs
    // stay gap-free. Entries keep the state they carry as JSON (a Contact, a ContactRequest or NULL).
    sql: `
      CREATE TABLE contacts (
        user_id TEXT NOT NULL,
        contact_id TEXT NOT NULL,
        remark TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        since INTEGER NOT NULL,
        PRIMARY KEY (user_id, contact_id)
      );
      CREATE TABLE contact_requests (
        from_id TEXT NOT NULL,
        to_id TEXT NOT NULL,
        message TEXT NOT NULL,
        ts INTEGER NOT NULL,
        PRIMARY KEY (from_id, to_id)
      );
      CREATE TABLE contact_ignores (
        user_id TEXT NOT NULL,
        ignored_id TEXT NOT NULL,
        PRIMARY KEY (user_id, ignored_id)
      );
      CREATE INDEX contact_requests_to ON contact_requests(to_id);
      CREATE TABLE contact_seqs (
        user_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL
      );
      CREATE TABLE contact_log (
        user_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        other_id TEXT NOT NULL,
        event TEXT NOT NULL,
        ts INTEGER NOT NULL,
        contact TEXT,
        request TEXT,
        PRIMARY KEY (user_id, seq)
      );
    `,
  },
  {
    version: 9,
    name: 'names folded across Chinese scripts',
    // name-fold.ts now folds traditional Chinese characters into simplified ones: fold the stored names again.
    sql: '',
    run: (db) => {
      foldNames(db, 'users', 'user_id');
      foldNames(db, 'chat_groups', 'group_id');
    },
  },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration above the database's version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  let version = schemaVersion(db);
  for (const m of migrations) {
    if (m.version <= version) continue;
    if (m.version !== version + 1) throw new Error(`migration ${m.version} (${m.name}) does not follow ${version}`);
    db.transaction(() => {
      db.exec(m.sql);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    version = m.version;
  }
  return version;
}
