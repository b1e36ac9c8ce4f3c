/**
 * `npm run server -- --port N --data DIR`: prints the ready line to stdout, stops cleanly on SIGTERM/SIGINT.
 * `npm run server -- backup FILE [--data DIR]` and `… restore FILE --data DIR`: the data commands (README "Backup").
 * `npm run server -- migrate --from FILE --to URL`: SQLite to PostgreSQL (README "Moving from SQLite to PostgreSQL").
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, USAGE, configFromArgs } from './config.js';
import { startServer } from './app.js';
import { BackupError, DataDirBusyError, backupDatabase, restoreDatabase } from './storage/sqlite/backup.js';
import { MigrateError, migrateSqliteToPostgres } from './storage/postgres/from-sqlite.js';
import { isPostgresUrl } from './storage/postgres/pg-storage.js';

/** Exit codes of the data commands: 1 failed, 2 wrong usage, 3 the data directory is in use by a running server. */
const EXIT_BUSY = 3;

function usageError(message: string): never {
  console.error(`parley-server: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function dataCommand(command: 'backup' | 'restore', argv: string[]): Promise<void> {
  let values: { data?: string | undefined; database?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, database: { type: 'string' } }, strict: true, allowPositionals: true }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.database || process.env.PARLEY_DATABASE_URL) {
    // The commands copy SQLite's file; a PostgreSQL database is backed up with PostgreSQL's own tools.
    console.error(`parley-server: ${command} works on the SQLite database of a data directory only; with PostgreSQL (PARLEY_DATABASE_URL or --database) use pg_dump and pg_restore (README "PostgreSQL")`);
    process.exit(2);
  }
  if (positionals.length !== 1) usageError(`${command} takes one file, got ${positionals.length}`);
  const file = positionals[0]!;
  const dataDir = values.data ?? (process.env.PARLEY_DATA_DIR || undefined);
  // Restoring replaces a database: the directory is never guessed.
  if (command === 'restore' && !dataDir) usageError('restore needs --data <dir> (or PARLEY_DATA_DIR)');
  const dir = path.resolve(dataDir ?? DEFAULT_CONFIG.dataDir);
  try {
    if (command === 'backup') {
      const s = await backupDatabase(dir, file);
      process.stdout.write(`backed up ${dir} to ${s.file}: ${s.messages} messages, ${s.users} users, schema ${s.schemaVersion}, ${s.bytes} bytes (files/ is not included)\n`);
    } else {
      const s = await restoreDatabase(file, dir);
      const kept = s.previous ? `; the replaced database is kept as ${s.previous}` : '';
      process.stdout.write(`restored ${path.resolve(file)} into ${dir}: ${s.messages} messages, ${s.users} users, schema ${s.schemaVersion}${kept}\n`);
    }
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      console.error(`parley-server: refusing to ${command}: ${error.message}; stop that server first`);
      process.exit(EXIT_BUSY);
    }
    const message = error instanceof BackupError ? error.message : String((error as Error).stack ?? error);
    console.error(`parley-server: ${command} failed: ${message}`);
    process.exit(1);
  }
}

/** `migrate --from <sqlite file> --to <postgres url>` (the URL may come from PARLEY_DATABASE_URL instead, out of `ps`). */
async function migrateCommand(argv: string[]): Promise<void> {
  let values: { from?: string | undefined; to?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true, allowPositionals: true }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (positionals.length > 0) usageError(`migrate takes no file without --from, got ${positionals.length} extra argument(s)`);
  if (!values.from) usageError('migrate needs --from <the SQLite database file, e.g. data/parley.db>');
  const to = values.to ?? (process.env.PARLEY_DATABASE_URL || undefined);
  if (!to) usageError('migrate needs --to <postgres://user:password@host:port/database> (or PARLEY_DATABASE_URL)');
  // The value is not echoed: it may hold a password.
  if (!isPostgresUrl(to)) usageError('migrate --to must be a PostgreSQL URL: postgres://user:password@host:port/database');
  try {
    const s = await migrateSqliteToPostgres({ from: values.from, to, log: (line) => process.stdout.write(`${line}\n`) });
    const c = s.counts;
    const n = (k: string) => c[k] ?? 0;
    const what = `${n('users')} users, ${n('messages')} messages in ${n('conversations')} conversations, ${n('tokens')} sessions, ${n('chat_groups')} groups, ${n('rooms')} rooms, ${n('files')} file records, ${n('invites')} invites, ${n('settings')} settings`;
    if (s.alreadyComplete) {
      process.stdout.write(`already migrated ${what} from ${s.source} to ${s.target}: nothing to copy; verified counts and last seqs\n`);
    } else {
      const seconds = Math.max(s.ms, 1) / 1000;
      const rate = Math.round(s.copiedNow / seconds);
      process.stdout.write(`migrated ${what} from ${s.source} to ${s.target}${s.resumed ? ' (resumed)' : ''}; verified counts and last seqs (${s.copiedNow} rows in ${seconds.toFixed(1)} s, ${rate} rows/s)\n`);
    }
    process.stdout.write(`uploaded files are not in the database: copy ${s.filesDir} to the data directory of every server using ${s.target} (or share it among them)\n`);
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      console.error(`parley-server: refusing to migrate: ${error.message}; stop that server first`);
      process.exit(EXIT_BUSY);
    }
    const message = error instanceof MigrateError ? error.message : `${(error as Error).message ?? String(error)}`;
    console.error(`parley-server: migrate failed: ${message.replace(/\s*\n\s*/g, ' ')}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === 'backup' || first === 'restore') return dataCommand(first, rest);
  if (first === 'migrate') return migrateCommand(rest);
  let config;
  try {
    config = configFromArgs(process.argv.slice(2), process.env);
  } catch (error) {
    const message = error instanceof ConfigError || error instanceof TypeError ? error.message : String(error);
    console.error(`parley-server: ${message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config.help) {
    console.log(USAGE);
    return;
  }
  const server = await startServer(config);
  process.stdout.write(`listening on ${server.url}\n`);

  let stoppingSince = 0;
  const stop = (signal: string) => {
    if (stoppingSince > 0) {
      // npm and tsx both pass Ctrl+C on, so one press can arrive twice: only a later press means "leave now".
      if (Date.now() - stoppingSince > 1000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    server.log.info({ signal }, 'stopping');
    const deadline = setTimeout(() => process.exit(1), 10_000);
    deadline.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`parley-server: failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
