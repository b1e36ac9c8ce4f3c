import type Database from 'better-sqlite3';

/** One step of the schema. Append-only: a shipped migration is never edited, a change is a new one. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database.Database): void;
}
