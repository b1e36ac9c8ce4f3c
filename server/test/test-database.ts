/**
 * The server tests against PostgreSQL: with PARLEY_TEST_DATABASE_URL set (`npm run test:postgres`), every test
 * server stores in a schema of its own in that database, named after its data directory, so a server restarted on
 * the same directory finds its data again and servers of different tests never meet. The schema is made fresh the
 * first time a directory is used in this process, and dropped when the test is done with it.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';

/** The database the tests run against, or null for SQLite. */
export const TEST_DATABASE_URL = process.env.PARLEY_TEST_DATABASE_URL || null;

/**
 * True (and the reason printed) when the tests run against PostgreSQL and `what` is about SQLite's own database
 * file, so it is skipped: `describe.skipIf(sqliteOnly('backup and restore'))(…)`.
 */
export function sqliteOnly(what: string): boolean {
  if (!TEST_DATABASE_URL) return false;
  process.stdout.write(`skipped under PostgreSQL (PARLEY_TEST_DATABASE_URL): ${what} is about the SQLite database file\n`);
  return true;
}

const prepared = new Map<string, string>();

function schemaFor(dataDir: string): string {
  return `parley_test_${createHash('sha256').update(`${process.pid}:${dataDir}`).digest('hex').slice(0, 20)}`;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL! });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The PARLEY_DATABASE_URL of the server using `dataDir`: its own schema, created (empty) on first use. */
export async function databaseUrlFor(dataDir: string): Promise<string> {
  if (!TEST_DATABASE_URL) throw new Error('PARLEY_TEST_DATABASE_URL is not set');
  let schema = prepared.get(dataDir);
  if (!schema) {
    const name = schemaFor(dataDir);
    await admin(async (c) => {
      await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await c.query(`CREATE SCHEMA ${name}`);
    });
    prepared.set(dataDir, name);
    schema = name;
  }
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** Drops the schema of `dataDir`, if this process made one. */
export async function dropDatabaseFor(dataDir: string): Promise<void> {
  const schema = prepared.get(dataDir);
  if (!schema || !TEST_DATABASE_URL) return;
  prepared.delete(dataDir);
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** Runs one statement (`?` placeholders, as SQLite's) on the database at `url`; its rows. */
export async function queryDatabase<R>(url: string, text: string, params: unknown[]): Promise<R[]> {
  let n = 0;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as R[];
  } finally {
    await client.end();
  }
}
