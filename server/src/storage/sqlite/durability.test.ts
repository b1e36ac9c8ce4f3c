import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import DatabaseCtor from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirBusyError, DataDirLock, lockFileOf } from './data-dir-lock.js';
import { SqliteStorage } from './sqlite-storage.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-durability-'));
  dirs.push(dir);
  return path.join(dir, 'data', 'parley.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('durability of the server database', () => {
  it('is synchronous=FULL (2) by default and with full, NORMAL (1) with normal', async () => {
    for (const [durability, level, name] of [[undefined, 2, 'full'], ['full', 2, 'full'], ['normal', 1, 'normal']] as const) {
      const s = new SqliteStorage({ file: tempFile(), durability });
      expect(s.synchronousLevel()).toBe(level);
      expect(s.durability()).toBe(name);
      await s.close();
    }
  });
});

describe('the lock of a database', () => {
  it('lets one storage at a time open a database file, and is free again once it closes', async () => {
    const file = tempFile();
    const first = new SqliteStorage({ file });
    expect(DataDirLock.isHeld(file)).toBe(true);
    expect(() => new SqliteStorage({ file })).toThrow(DataDirBusyError);
    expect(() => DataDirLock.acquire(file)).toThrow(/in use by a running Parley server/);
    await first.close();
    expect(DataDirLock.isHeld(file)).toBe(false);
    const second = new SqliteStorage({ file });
    await second.close();
  });

  it('is released when the database cannot be opened', () => {
    const file = tempFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'this is not a database, but long enough to have a header that SQLite reads and rejects'.repeat(20));
    expect(() => new SqliteStorage({ file })).toThrow();
    expect(DataDirLock.isHeld(file)).toBe(false);
  });

  it('is not held when no lock file exists, and leaves no journal beside it', () => {
    const file = tempFile();
    expect(DataDirLock.isHeld(file)).toBe(false);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lock = DataDirLock.acquire(file);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual([path.basename(lockFileOf(file))]);
    lock.release();
  });
});

describe.skipIf(process.platform === 'win32')('modes of the database files (POSIX only)', () => {
  it('creates the folder 0700 and parley.db, -wal, -shm and the lock 0600, and tightens a loose database', async () => {
    const file = tempFile();
    const s = new SqliteStorage({ file });
    await s.ping();
    const mode = (f: string) => fs.statSync(f).mode & 0o777;
    expect(mode(path.dirname(file))).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`, lockFileOf(file)]) expect([f, mode(f)]).toEqual([f, 0o600]);
    await s.close();

    fs.chmodSync(file, 0o644);
    const again = new SqliteStorage({ file });
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    await again.close();
    // The database is still a database after all this.
    const db = new DatabaseCtor(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    db.close();
  });
});
