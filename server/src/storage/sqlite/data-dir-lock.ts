/**
 * Which process owns a database file. The server holds an exclusive SQLite lock on `<db>.lock` for as long as it
 * runs; the operating system drops it when the process ends however it ends (kill -9 included), so there is no
 * stale lock to clean up, and it also works between connections of one process. Restore takes the same lock, so
 * it cannot run under a server, and a server cannot start in the middle of a restore.
 */
import fs from 'node:fs';
import DatabaseCtor, { type Database } from 'better-sqlite3';
import { ensurePrivateFile } from '../private-files.js';

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
}

export function lockFileOf(dbFile: string): string {
  return `${dbFile}.lock`;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

export class DataDirLock {
  private constructor(private readonly db: Database) {}

  /** Takes the lock of `dbFile`, or throws DataDirBusyError if another server (or restore) holds it. */
  static acquire(dbFile: string): DataDirLock {
    const file = lockFileOf(dbFile);
    ensurePrivateFile(file);
    const db = new DatabaseCtor(file, { timeout: 0 });
    try {
      db.pragma('journal_mode = MEMORY'); // no -journal file beside the lock (OFF is refused in defensive mode)
      db.pragma('locking_mode = EXCLUSIVE');
      // A write in exclusive locking mode keeps the EXCLUSIVE lock until the connection closes.
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since INTEGER NOT NULL); DELETE FROM holder');
      db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
    } catch (error) {
      db.close();
      if (isBusy(error)) throw new DataDirBusyError(`${dbFile} is in use by a running Parley server`);
      throw error;
    }
    return new DataDirLock(db);
  }

  /** Whether some connection (of this or another process) holds the lock of `dbFile` right now. */
  static isHeld(dbFile: string): boolean {
    const file = lockFileOf(dbFile);
    if (!fs.existsSync(file)) return false;
    const db = new DatabaseCtor(file, { timeout: 0, readonly: true });
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return false;
    } catch (error) {
      if (isBusy(error)) return true;
      throw error;
    } finally {
      db.close();
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
