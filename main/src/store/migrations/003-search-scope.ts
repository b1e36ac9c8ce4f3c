/**
 * Schema 3: the full-text index gains a second column, scope, holding a word for the conversation and one for
 * the sender (see scopeText in index-text.ts), so "search in this chat" and "messages from" are intersections
 * inside the index instead of filters over every match. The index is derived data: drop it, recreate it,
 * refill it from messages. Same options as schema 2 otherwise.
 * The triggers call parley_fts_text and parley_fts_scope, which every connection must register before writing.
 */
import { INDEX_SCOPE_FUNCTION, INDEX_TEXT_FUNCTION } from '../index-text.js';
import type { Migration } from './migration.js';

const indexed = (row: 'new' | 'old') => `${row}.text IS NOT NULL AND ${row}.recalled = 0`;
const values = (row: 'new' | 'messages') =>
  `${row}.id, ${INDEX_TEXT_FUNCTION}(${row}.text), ${INDEX_SCOPE_FUNCTION}(${row}.conv_id, ${row}.sender)`;

export const searchScope: Migration = {
  version: 3,
  name: 'search scope',
  up(db) {
    db.exec(`
      DROP TRIGGER messages_fts_insert;
      DROP TRIGGER messages_fts_delete;
      DROP TRIGGER messages_fts_update;
      DROP TABLE messages_fts;

      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text,
        scope,
        content = '',
        contentless_delete = 1,
        prefix = '2 3',
        tokenize = 'unicode61 remove_diacritics 2'
      );

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN ${indexed('new')} BEGIN
        INSERT INTO messages_fts (rowid, text, scope) VALUES (${values('new')});
      END;

      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN ${indexed('old')} BEGIN
        DELETE FROM messages_fts WHERE rowid = old.id;
      END;

      -- recall (text erased, recalled set) and edit (text replaced) both come through here
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, recalled ON messages
      WHEN old.text IS NOT new.text OR old.recalled IS NOT new.recalled BEGIN
        DELETE FROM messages_fts WHERE rowid = old.id AND ${indexed('old')};
        INSERT INTO messages_fts (rowid, text, scope) SELECT ${values('new')} WHERE ${indexed('new')};
      END;

      INSERT INTO messages_fts (rowid, text, scope)
        SELECT ${values('messages')} FROM messages WHERE text IS NOT NULL AND recalled = 0;
    `);
  },
};
