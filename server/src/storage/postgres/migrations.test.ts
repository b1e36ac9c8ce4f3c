/** The PostgreSQL schema's migrations, against the server PARLEY_TEST_DATABASE_URL names (`npm run test:postgres`). */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, databaseUrlFor, dropDatabaseFor } from '../../../test/test-database.js';
import { PG_MIGRATIONS, migratePg } from './migrations.js';
import { DatabaseUrlError, PgStorage, redactDatabaseUrl } from './pg-storage.js';

if (!TEST_DATABASE_URL) process.stdout.write('PostgreSQL migrations: skipped: set PARLEY_TEST_DATABASE_URL (or run npm run test:postgres) to run them\n');

const keys: string[] = [];
afterAll(async () => {
  for (const k of keys.splice(0)) await dropDatabaseFor(k);
});

async function freshUrl(): Promise<string> {
  const key = `migrations-${randomUUID()}`;
  keys.push(key);
  return databaseUrlFor(key);
}

async function version(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ version: number }>('SELECT version FROM parley_schema')).rows[0]!.version;
  } finally {
    await client.end();
  }
}

describe('the database URL', () => {
  it('is logged with its password replaced', () => {
    expect(redactDatabaseUrl('postgres://parley:s3cret@db:5432/parley')).toBe('postgres://parley:***@db:5432/parley');
    expect(redactDatabaseUrl('postgres://parley@db/parley')).toBe('postgres://parley@db/parley');
  });

  it('that names no PostgreSQL server answering is a DatabaseUrlError without the password', async () => {
    const error = await PgStorage.open({ url: 'postgres://u:s3cret@127.0.0.1:1/none' }).then(
      () => new Error('connected'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(DatabaseUrlError);
    expect(error.message).toMatch(/cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none/);
    expect(error.message).not.toContain('s3cret');
  });
});

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL migrations', () => {
  it('bring a new database to the newest version, and leave it there when started again', async () => {
    const url = await freshUrl();
    await (await PgStorage.open({ url })).close();
    expect(await version(url)).toBe(PG_MIGRATIONS.at(-1)!.version);
    const again = await PgStorage.open({ url });
    await again.ping();
    await again.close();
    expect(await version(url)).toBe(PG_MIGRATIONS.at(-1)!.version);
  });

  it('refuse a database of a newer schema than this server knows', async () => {
    const url = await freshUrl();
    await (await PgStorage.open({ url })).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('UPDATE parley_schema SET version = version + 1');
    await client.end();
    await expect(PgStorage.open({ url })).rejects.toThrow(/newer than this server knows/);
  });

  it('"directory" folds the names of existing users and groups, so they are found', async () => {
    const url = await freshUrl();
    const index = PG_MIGRATIONS.findIndex((m) => m.name === 'directory');
    expect(index).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(await migratePg(client as unknown as pg.PoolClient, PG_MIGRATIONS.slice(0, index))).toBe(index);
      await client.query("INSERT INTO users (user_id, name, created_at) VALUES ('jose', 'José Ortiz', 1), ('wang', '王小明', 1), ('ann', 'Ann', 1)");
      await client.query("INSERT INTO chat_groups (group_id, name, join_policy, created_at) VALUES ('g1', 'Café', 'open', 1)");
    } finally {
      await client.end();
    }
    const s = await PgStorage.open({ url });
    try {
      const found = async (folded: string) => (await s.searchUsers({ searcher: 'ann', id: '', folded, scope: 'all', limit: 10 })).map((h) => h.user.userId);
      expect(await found('jose')).toEqual(['jose']);
      expect(await found('小明')).toEqual(['wang']);
      expect((await s.loadGroup('g1'))?.group.public).toBe(false);
    } finally {
      await s.close();
    }
  });
});
