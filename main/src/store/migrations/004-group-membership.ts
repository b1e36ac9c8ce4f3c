/**
 * Schema 4: a group conversation remembers that the user is no longer in it (left, kicked, dismissed). Its
 * messages stay; the app shows it read-only.
 */
import type { Migration } from './migration.js';

export const groupMembership: Migration = {
  version: 4,
  name: 'group membership',
  up(db) {
    db.exec(`ALTER TABLE conversations ADD COLUMN left_group INTEGER NOT NULL DEFAULT 0`);
  },
};
