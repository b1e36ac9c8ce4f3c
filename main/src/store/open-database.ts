/**
 * Opens the store's SQLite file: pragmas, the functions the triggers need, then migrations.
 *
 * better-sqlite3 is a native addon, built for one ABI. Tests and host mode run under Node and load the build in
 * node_modules; the Electron app needs a build for Electron's ABI. Both can live side by side: rebuild a copy for
 * Electron into its own directory (e.g. `npx @electron/rebuild -f -w better-sqlite3` in a copy of the package, or
 * `prebuild-install --runtime electron --target <electron version>`), ship that `better_sqlite3.node`, and pass
 * its path as `nativeBinding` from the Electron layer; leave it unset under Node.
 */
import Database from 'better-sqlite3';
import { registerIndexFunctions } from './index-text.js';
import { migrate } from './migrations/index.js';
import { tighten } from '../fs/private-files.js';

export interface OpenDatabaseOptions {
  /** Path to a better_sqlite3.node built for the running runtime's ABI (Electron); default: the package's own. */
  nativeBinding?: string;
  /** Stop at this schema version; for migration tests only. */
  schemaVersion?: number;
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  const db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    // For the user alone; SQLite gives the -wal and -shm files the database file's mode.
    tighten(path);
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL survives a crash of the app; only a power loss can drop the last commits, and the
    // server holds the truth for everything but the outbox.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Statement journals stay in memory: every batch write opens one (the index triggers make statements
    // multi-write), and a temp file per statement costs more than the memory.
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -32000');
    registerIndexFunctions(db);
    migrate(db, options.schemaVersion);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
