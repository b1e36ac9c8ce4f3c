/**
 * Schema 2: the full-text index over messages.text, kept in sync by triggers, and filled from the rows that
 * exist. The index is derived data in its own migration, so a later change of tokenization is one more migration
 * of this shape (drop, recreate, refill).
 *
 * Contentless (the text lives in messages only) with contentless_delete, so a row leaves the index by rowid
 * without the index needing the old text. Prefix indexes for 2 and 3 characters: without them FTS5 answers a
 * short prefix ("pr"*, "the"*) by merging the doclists of every word that starts with it, which takes tens of
 * milliseconds on a large index; longer prefixes match few words and stay cheap.
 * The triggers call parley_fts_text (index-text.ts), which every connection must register before writing.
 */
import { INDEX_TEXT_FUNCTION } from '../index-text.js';
import type { Migration } from './migration.js';

const indexed = (row: 'new' | 'old') => `${row}.text IS NOT NULL AND ${row}.recalled = 0`;

export const searchIndex: Migration = {
  version: 2,
  name: 'search index',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        text,
        content = '',
        contentless_delete = 1,
        prefix = '2 3',
        tokenize = 'unicode61 remove_diacritics 2'
      );

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN ${indexed('new')} BEGIN
        INSERT INTO messages_fts (rowid, text) VALUES (new.id, ${INDEX_TEXT_FUNCTION}(new.text));
      END;

      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN ${indexed('old')} BEGIN
        DELETE FROM messages_fts WHERE rowid = old.id;
      END;

      -- recall (text erased, recalled set) and edit (text replaced) both come through here
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, recalled ON messages
      WHEN old.text IS NOT new.text OR old.recalled IS NOT new.recalled BEGIN
        DELETE FROM messages_fts WHERE rowid = old.id AND ${indexed('old')};
        INSERT INTO messages_fts (rowid, text) SELECT new.id, ${INDEX_TEXT_FUNCTION}(new.text) WHERE ${indexed('new')};
      END;

      INSERT INTO messages_fts (rowid, text)
        SELECT id, ${INDEX_TEXT_FUNCTION}(text) FROM messages WHERE text IS NOT NULL AND recalled = 0;
    `);
  },
};
