/** Key → JSON value settings. */
import type Database from 'better-sqlite3';

export class SettingsRepo {
  private readonly selectOne: Database.Statement<[string]>;
  private readonly selectAll: Database.Statement<[]>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly deleteOne: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.selectOne = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.selectAll = db.prepare('SELECT key, value FROM settings ORDER BY key');
    this.upsert = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.deleteOne = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The stored value, or undefined. The caller knows the type it stored; validate if it came from elsewhere. */
  get<T = unknown>(key: string): T | undefined {
    const value = this.selectOne.get(key) as string | undefined;
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  /** `undefined` cannot be stored as JSON; use delete. */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`setting ${key}: value is not JSON`);
    this.upsert.run(key, json);
  }

  delete(key: string): boolean {
    return this.deleteOne.run(key).changes > 0;
  }

  all(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const row of this.selectAll.all() as Array<{ key: string; value: string }>) result[row.key] = JSON.parse(row.value);
    return result;
  }
}
