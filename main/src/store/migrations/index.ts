/** Numbered migrations, applied in order; PRAGMA user_version holds the schema version of a database file. */
import type Database from 'better-sqlite3';
import { coreTables } from './001-core-tables.js';
import { searchIndex } from './002-search-index.js';
import { searchScope } from './003-search-scope.js';
import { groupMembership } from './004-group-membership.js';
import { exactSearch } from './005-exact-search.js';
import { readSent } from './006-read-sent.js';
import { contacts } from './007-contacts.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [coreTables, searchIndex, searchScope, groupMembership, exactSearch, readSent, contacts];
export const LATEST_VERSION = MIGRATIONS.length;

export class SchemaTooNewError extends Error {
  constructor(readonly found: number) {
    super(`database schema ${found} is newer than this app's ${LATEST_VERSION}`);
    this.name = 'SchemaTooNewError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database to `target` (default: latest), one transaction per step, so a failed step leaves the file
 * at the previous version. Tests pass a lower target to build an old schema.
 */
export function migrate(db: Database.Database, target: number = LATEST_VERSION): { from: number; to: number } {
  const from = schemaVersion(db);
  if (from > LATEST_VERSION) throw new SchemaTooNewError(from);
  for (const migration of MIGRATIONS) {
    if (migration.version <= from || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from, to: Math.max(from, Math.min(target, LATEST_VERSION)) };
}
