/**
 * Schema 6: a conversation remembers up to which seq its read position reached the server (read_sent_seq), so
 * a read made offline is sent when the connection returns even if the app quit or crashed meanwhile (it was
 * kept only in memory). Starting at 0, the first connection after the upgrade sends every known read position
 * once; the server only ever raises a read position, so repeating one is harmless.
 */
import type { Migration } from './migration.js';

export const readSent: Migration = {
  version: 6,
  name: 'read positions sent',
  up(db) {
    db.exec(`ALTER TABLE conversations ADD COLUMN read_sent_seq INTEGER NOT NULL DEFAULT 0`);
  },
};
