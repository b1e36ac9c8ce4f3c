/** Schema 1: conversations, messages, outbox, settings. */
import type { Migration } from './migration.js';

export const coreTables: Migration = {
  version: 1,
  name: 'core tables',
  up(db) {
    db.exec(`
      CREATE TABLE conversations (
        conv_id       TEXT PRIMARY KEY,
        kind          TEXT NOT NULL CHECK (kind IN ('private', 'group', 'room')),
        title         TEXT NOT NULL DEFAULT '',
        last_seq      INTEGER NOT NULL DEFAULT 0,
        read_seq      INTEGER NOT NULL DEFAULT 0,
        peer_read_seq INTEGER NOT NULL DEFAULT 0,
        held_seq      INTEGER NOT NULL DEFAULT 0,
        muted         INTEGER NOT NULL DEFAULT 0,
        pinned        INTEGER NOT NULL DEFAULT 0,
        updated_at    INTEGER NOT NULL DEFAULT 0,
        last_message  TEXT,
        draft         TEXT NOT NULL DEFAULT '',
        -- highest seq of an entry mentioning the user; "unread mention" is mention_seq > read_seq, so reading
        -- clears it without a separate write and a late gap fill cannot lose it
        mention_seq   INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      -- id: local key allocated from the timestamp (ts * 1024 + n), so key order is time order; it is also the
      -- full-text index's rowid, which lets search read matches newest first without sorting.
      -- seq is NULL while the message is pending. body is the JSON body, without "text" for kind text: that
      -- lives in the text column, which holds whatever the search indexes (text, file name, location label).
      CREATE TABLE messages (
        id             INTEGER PRIMARY KEY,
        conv_id        TEXT NOT NULL,
        seq            INTEGER,
        msg_id         TEXT,
        client_msg_id  TEXT,
        sender         TEXT NOT NULL,
        ts             INTEGER NOT NULL,
        kind           TEXT NOT NULL,
        body           TEXT NOT NULL DEFAULT '{}',
        text           TEXT,
        mentions       TEXT,
        reply_to       INTEGER,
        target_seq     INTEGER,
        recalled       INTEGER NOT NULL DEFAULT 0,
        edited         INTEGER NOT NULL DEFAULT 0,
        status         TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('pending', 'failed', 'sent')),
        failure_code   TEXT,
        failure_reason TEXT,
        created_at     INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX messages_conv_seq ON messages (conv_id, seq);
      -- client_msg_id first: markSent looks a message up by it alone
      CREATE UNIQUE INDEX messages_client_msg_id ON messages (client_msg_id, sender);
      CREATE INDEX messages_unsent ON messages (conv_id, created_at) WHERE seq IS NULL;
      -- recall and edit entries, found by the seq they act on when that entry arrives after them
      CREATE INDEX messages_target ON messages (conv_id, target_seq) WHERE target_seq IS NOT NULL;

      CREATE TABLE outbox (
        position          INTEGER PRIMARY KEY AUTOINCREMENT,
        client_msg_id     TEXT NOT NULL UNIQUE,
        conv_id           TEXT NOT NULL,
        kind              TEXT NOT NULL,
        body              TEXT NOT NULL,
        mentions          TEXT,
        reply_to          INTEGER,
        attachment        TEXT,
        state             TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'failed')),
        attempts          INTEGER NOT NULL DEFAULT 0,
        last_error_code   TEXT,
        last_error_reason TEXT,
        created_at        INTEGER NOT NULL
      );
      CREATE INDEX outbox_conv ON outbox (conv_id, position);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
