/**
 * Schema 5: exact search. The index is rebuilt with the tokens of text-tokens.ts: folded in JavaScript (case,
 * diacritics, NFKC, traditional Chinese to simplified), one token per CJK character and per emoji, and a boundary
 * token wherever separators stand next to one, so a CJK phrase matches only characters adjacent as written. The
 * tokenizer becomes FTS5's `ascii`, which only splits those tokens apart: every folding rule now lives in one
 * place, the same for messages and queries. parley_fts_text (index-text.ts) changed its output with this version,
 * hence the rebuild: drop, recreate, refill from messages, as schema 3 did. Columns and options otherwise as 3.
 * Cheaper to fill: text of printable ASCII goes in without a call into JavaScript, and the scope words are hex
 * ids computed in SQL (exact, where schema 3's were hashes computed by a JavaScript function).
 */
import { scopeSql, textSql } from '../index-text.js';
import type { Migration } from './migration.js';

const indexed = (row: 'new' | 'old') => `${row}.text IS NOT NULL AND ${row}.recalled = 0`;
const values = (row: 'new' | 'messages') => `${row}.id, ${textSql(row)}, ${scopeSql(row)}`;

export const exactSearch: Migration = {
  version: 5,
  name: 'exact search',
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
        tokenize = 'ascii'
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
