/**
 * Online backup and restore of the server's database (README "Backup and restore"). Backup uses SQLite's online
 * backup API from a connection of its own, so it reads one consistent snapshot while a server keeps writing (WAL
 * readers do not block the writer). Restore needs the server stopped: it takes the data directory's lock first.
 * Uploaded files (`files/`) are not in the database and are copied separately.
 */
import fs from 'node:fs';
import path from 'node:path';
import DatabaseCtor from 'better-sqlite3';
import { PRIVATE_FILE_MODE, mkdirPrivate, tightenToPrivate } from '../private-files.js';
import { DataDirBusyError, DataDirLock } from './data-dir-lock.js';
import { MIGRATIONS, schemaVersion } from './migrations.js';
import { databaseFiles } from './sqlite-storage.js';

export { DataDirBusyError };

/** The database file of a data directory. */
export function databaseOf(dataDir: string): string {
  return path.join(dataDir, 'parley.db');
}

export class BackupError extends Error {
  override name = 'BackupError';
}

export interface BackupSummary {
  file: string;
  bytes: number;
  schemaVersion: number;
  messages: number;
  users: number;
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens a database file that must be a Parley server database, reads its summary, and closes it. */
function inspect(file: string): Omit<BackupSummary, 'file' | 'bytes'> {
  let db;
  try {
    db = new DatabaseCtor(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`cannot open ${file}: ${(error as Error).message}`);
  }
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} is damaged (quick_check: ${String(check)})`);
    const version = schemaVersion(db);
    if (version === 0) throw new BackupError(`${file} is not a Parley server database`);
    if (version > MIGRATIONS.length) throw new BackupError(`${file} has schema version ${version}, newer than this server's ${MIGRATIONS.length}`);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { schemaVersion: version, messages: count('messages'), users: count('users') };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not a readable Parley server database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

/** Copies `source` page by page into a new file `target` (0600) through the backup API, in one step. */
async function copyDatabase(source: string, target: string, options: { readonly: boolean }): Promise<void> {
  fs.rmSync(target, { force: true });
  fs.closeSync(fs.openSync(target, 'wx', PRIVATE_FILE_MODE));
  const db = new DatabaseCtor(source, { readonly: options.readonly, fileMustExist: true });
  try {
    // Copying every remaining page in the next step keeps the copy to one snapshot: a backup done in small steps
    // starts over whenever another connection writes in between, which a busy server does all the time.
    await db.backup(target, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
  } finally {
    db.close();
  }
  // The copy is one self-contained file: no WAL beside it to forget.
  const copy = new DatabaseCtor(target);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  for (const f of databaseFiles(target).slice(1)) fs.rmSync(f, { force: true });
  tightenToPrivate(target);
  fsyncFile(target);
}

/** Writes a consistent copy of `dataDir`'s database to `file` (replacing it), also while a server runs there. */
export async function backupDatabase(dataDir: string, file: string): Promise<BackupSummary> {
  const source = databaseOf(dataDir);
  if (!fs.existsSync(source)) throw new BackupError(`no database at ${source}`);
  const target = path.resolve(file);
  if (databaseFiles(source).includes(target)) throw new BackupError('the backup file cannot be the database itself');
  mkdirPrivate(path.dirname(target));
  const partial = `${target}.partial`;
  try {
    // Not read-only: a read-only connection cannot open a WAL database whose -shm is missing (no server running).
    await copyDatabase(source, partial, { readonly: false });
    const summary = inspect(partial);
    fs.renameSync(partial, target);
    fsyncDir(path.dirname(target));
    return { file: target, bytes: fs.statSync(target).size, ...summary };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * Replaces `dataDir`'s database with the backup `file`. Refused (DataDirBusyError) while a server holds the
 * directory. The database it replaces is kept beside it as `parley.db.pre-restore` (with its -wal), so a restore
 * into the wrong directory can be undone.
 */
export async function restoreDatabase(file: string, dataDir: string): Promise<BackupSummary & { previous: string | null }> {
  const backup = path.resolve(file);
  if (!fs.existsSync(backup)) throw new BackupError(`no backup at ${backup}`);
  inspect(backup);
  mkdirPrivate(dataDir);
  const target = databaseOf(dataDir);
  const lock = DataDirLock.acquire(target);
  try {
    const incoming = `${target}.restoring`;
    try {
      await copyDatabase(backup, incoming, { readonly: true });
      const summary = inspect(incoming);
      let previous: string | null = null;
      const [db, wal, shm] = databaseFiles(target) as [string, string, string];
      if (fs.existsSync(db) || fs.existsSync(wal)) {
        previous = `${target}.pre-restore`;
        for (const f of databaseFiles(previous)) fs.rmSync(f, { force: true });
        if (fs.existsSync(db)) fs.renameSync(db, previous);
        // The old WAL belongs to the old database: it must never meet the restored one.
        if (fs.existsSync(wal)) fs.renameSync(wal, `${previous}-wal`);
      }
      fs.rmSync(shm, { force: true });
      fs.renameSync(incoming, target);
      fsyncDir(dataDir);
      return { file: target, bytes: fs.statSync(target).size, ...summary, previous };
    } finally {
      fs.rmSync(incoming, { force: true });
    }
  } finally {
    lock.release();
  }
}
