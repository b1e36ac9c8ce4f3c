/**
 * Schema 7: the user's contacts (docs/protocol.md part 2, "Contacts"), kept so the list shows offline and a
 * restart resumes the server's contact log from where it stopped instead of reading it again.
 *
 * - `contacts` and `contact_requests` hold the state the log's entries carry (one row per other user).
 * - `contact_users` keeps the name, avatar, status line and last known presence of the people listed, as
 *   `users.get` last answered, so names survive going offline.
 * - `contact_log` (one row) is the seq of the last entry applied; entries are applied strictly in order.
 */
import type { Migration } from './migration.js';

export const contacts: Migration = {
  version: 7,
  name: 'contacts',
  up(db) {
    db.exec(`
      CREATE TABLE contacts (
        user_id TEXT PRIMARY KEY,
        remark  TEXT NOT NULL DEFAULT '',
        tags    TEXT NOT NULL DEFAULT '[]',
        since   INTEGER NOT NULL
      );
      CREATE TABLE contact_requests (
        user_id   TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        message   TEXT NOT NULL DEFAULT '',
        ts        INTEGER NOT NULL
      );
      CREATE TABLE contact_users (
        user_id   TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        avatar    TEXT,
        status    TEXT,
        online    INTEGER NOT NULL DEFAULT 0,
        last_seen INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE contact_log (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq INTEGER NOT NULL
      );
      INSERT INTO contact_log (id, last_seq) VALUES (1, 0);
    `);
  },
};
