/** Server configuration from flags and environment (docs/protocol.md "Starting the server"). */
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MESSAGING_POLICIES, type MessagingPolicy } from '../../protocol/index.js';
import { DEFAULT_PASSWORD_COST, MAX_PASSWORD_COST, MIN_PASSWORD_COST } from './auth/passwords.js';
import { DEFAULT_MAX_AVATAR_BYTES } from '../../protocol/http.js';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /**
   * PostgreSQL to store everything in (postgres://user:password@host:port/database); unset: SQLite in the data
   * directory. Uploaded files stay in the data directory either way.
   */
  databaseUrl: string | undefined;
  /**
   * NATS that carries live events between the nodes of a cluster (nats://host:port, several separated by commas);
   * unset: one node, events stay in this process. Every node of a cluster needs the same PostgreSQL and NATS.
   */
  natsUrl: string | undefined;
  /** The first token of every NATS subject this cluster uses, so several clusters can share one NATS. */
  natsPrefix: string;
  /** Admin API credentials; the admin API is off unless both are set. */
  appKey: string | undefined;
  appSecret: string | undefined;
  /** Built-in accounts (register/login); off when an app server issues the tokens. */
  builtinAccounts: boolean;
  sendRate: number;
  sendBurst: number;
  recallWindowMs: number;
  maxFrameBytes: number;
  maxFileBytes: number;
  /** Bytes of stored (not collected) files a user may have uploaded; an upload past it is refused TOO_LARGE (0: no quota). */
  fileQuotaBytes: number;
  /** The largest image `PUT /v1/profile/avatar` takes (TOO_LARGE beyond); only the re-encoded squares are kept. */
  maxAvatarBytes: number;
  /** Uploads a user may start per minute (RATE_LIMITED beyond; 0: no limit). */
  uploadsPerMinute: number;
  /** Bytes a user may upload per hour (RATE_LIMITED beyond; 0: no limit). */
  uploadBytesPerHour: number;
  /** A file no entry names is deleted once it has been unnamed this long (never sent, recalled, its chatroom deleted). */
  fileGraceMs: number;
  /** How often unreferenced files and files of deleted accounts are looked for and deleted. */
  fileSweepIntervalMs: number;
  /** A request other than an upload must have sent its whole body this long after it started (408 otherwise). */
  requestBodyTimeoutMs: number;
  /** An upload that sends no byte for this long is ended (408); a slow upload that keeps sending is not. */
  uploadIdleTimeoutMs: number;
  tokenTtlSeconds: number;
  helloTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** Malformed frames tolerated per minute before the connection is closed with 1008. */
  maxMalformedPerMinute: number;
  /** Members a group may hold, the owner included (GROUP_FULL beyond). */
  maxGroupMembers: number;
  /** Groups larger than this carry no typing indicators (a keystroke would reach thousands of connections). */
  typingMaxGroupMembers: number;
  /** Joining an unknown chatroom id creates it (otherwise only the admin API creates rooms). */
  roomAutoCreate: boolean;
  /** A chatroom without a message or a join for this long is destroyed. */
  roomIdleMs: number;
  /** Chatrooms a user may be in at once; joining one more leaves the one joined first. */
  roomsPerUser: number;
  /** Chatroom messages are fanned out in batches at most this often (0: as soon as they are stored). */
  roomFlushMs: number;
  /**
   * Socket writes a chatroom's fan-out may cause per second: a room of n connections is batched at most every
   * max(roomFlushMs, 1000·n / roomWritesPerSecond) ms, so a big room costs bounded work whatever its message rate.
   */
  roomWritesPerSecond: number;
  /** A chatroom with this many messages admitted but not yet fanned out refuses new ones (RATE_LIMITED). */
  roomMaxPending: number;
  /** A connection with more unsent output than this misses chatroom messages instead of being closed. */
  roomSlowBytes: number;
  logLevel: string;
  /** The admin API also accepts part 1's signature (version 1), which is not bound to the method or path; deprecated. */
  adminSignatureV1: boolean;
  /**
   * SQLite's synchronous mode for the server's database. `full`: a message is acknowledged only once its commit
   * has been synced to disk, so it survives a power loss; `normal`: it survives the process being killed, but a
   * power loss may lose the last commits. The group commit makes one sync per batch either way.
   */
  durability: Durability;
  /** Set by `npm start` for the server it runs: the secret of the launcher's instance proof (http/instance.ts). */
  instanceToken: string | undefined;
  /** `Authorization: Bearer <token>` that `GET /metrics` requires; unset: no token. */
  metricsToken: string | undefined;
  /**
   * `host:port` of a listener of its own that serves `GET /metrics` only (the main listener then answers 404 for it);
   * unset: metrics are on the main listener, for loopback peers only unless a token is set.
   */
  metricsAddress: string | undefined;
  /** Who may use POST /v1/auth/register: anyone, holders of an invite code, or nobody. */
  registration: RegistrationMode;
  /**
   * Whom `users.search` finds by name or id prefix (docs/protocol.md part 2, "Directory"): everyone, the searcher's
   * contacts and their contacts and users who share a conversation with the searcher (`contacts-of-contacts`), or
   * nobody (exact user ids only).
   */
  directory: DirectoryMode;
  /**
   * Who may message whom in private chats (docs/protocol.md part 2, "Contacts"): anyone, or contacts only (a private
   * `send` between two users who are not contacts is FORBIDDEN). Groups, chatrooms and the admin API are not gated.
   */
  messaging: MessagingPolicy;
  /** Contact requests one user may make per hour, shared by a cluster's nodes (0: no limit). */
  contactRequestRate: number;
  /** Contact requests one user may make at once before the hourly rate applies. */
  contactRequestBurst: number;
  /** Pending contact requests (not ignored) a user may have received; further requests to them are refused. */
  contactMaxPending: number;
  /** Registrations one client address may make per hour (0: no limit). */
  registerPerIpPerHour: number;
  /** Registrations the whole server accepts per minute (0: no limit). */
  registerPerMinute: number;
  /** log2 of scrypt's N for new password hashes; older, cheaper hashes are replaced at the next login. */
  passwordCost: number;
  /** Password hashes computed at once (register, login). */
  hashConcurrency: number;
  /** Password hashes waiting for a slot; beyond, register and login answer RATE_LIMITED. */
  hashQueue: number;
  /**
   * Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client for the rate
   * limits; empty: the TCP peer is the client.
   */
  trustedProxies: string;
  /** Authenticated connections one user may hold at once (a same-device hello replaces rather than adds). */
  maxConnectionsPerUser: number;
  /** WebSocket connections (open or being opened) from one address; past it the upgrade is refused with 429. */
  maxConnectionsPerIp: number;
  /** Requests of one connection being handled at once; past it the server stops reading the connection. */
  maxInFlight: number;
  /** Per user: reads of state (sync, history, users.get, blocks, group and room listings), a second and burst. */
  fetchRate: number;
  fetchBurst: number;
  /** Per user: read, typing and conv.update, a second and burst. */
  signalRate: number;
  signalBurst: number;
  /** Per user: changes (block, unblock, recall, group changes, room.join and room.leave), a second and burst. */
  changeRate: number;
  changeBurst: number;
  /** Unsent output of all connections together; past it the connections with the most are shed (1013). */
  maxUnsentBytes: number;
  /** Unsent output of one connection; past it the connection is closed (1013). */
  maxConnectionUnsentBytes: number;
  /** How long a shed connection has to read its close frame before its socket (and what it holds) is destroyed. */
  shedGraceMs: number;
}

export const DURABILITY_MODES = ['full', 'normal'] as const;
export type Durability = (typeof DURABILITY_MODES)[number];
export const REGISTRATION_MODES = ['open', 'invite', 'closed'] as const;
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];
export const DIRECTORY_MODES = ['all', 'contacts-of-contacts', 'none'] as const;
export type DirectoryMode = (typeof DIRECTORY_MODES)[number];

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './data',
  databaseUrl: undefined,
  natsUrl: undefined,
  natsPrefix: 'parley',
  appKey: undefined,
  appSecret: undefined,
  builtinAccounts: true,
  sendRate: 5,
  sendBurst: 10,
  recallWindowMs: 2 * 60_000,
  maxFrameBytes: 1024 * 1024,
  maxFileBytes: 100 * 1024 * 1024,
  fileQuotaBytes: 2 * 1024 * 1024 * 1024,
  maxAvatarBytes: DEFAULT_MAX_AVATAR_BYTES,
  uploadsPerMinute: 60,
  uploadBytesPerHour: 4 * 1024 * 1024 * 1024,
  fileGraceMs: 24 * 3_600_000,
  fileSweepIntervalMs: 10 * 60_000,
  requestBodyTimeoutMs: 10_000,
  uploadIdleTimeoutMs: 30_000,
  tokenTtlSeconds: 30 * 86_400,
  helloTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 60_000,
  maxMalformedPerMinute: 20,
  maxGroupMembers: 3000,
  typingMaxGroupMembers: 100,
  roomAutoCreate: false,
  roomIdleMs: 3_600_000,
  roomsPerUser: 1,
  roomFlushMs: 20,
  roomWritesPerSecond: 50_000,
  roomMaxPending: 1000,
  roomSlowBytes: 1024 * 1024,
  logLevel: 'info',
  adminSignatureV1: true,
  durability: 'full',
  instanceToken: undefined,
  metricsToken: undefined,
  metricsAddress: undefined,
  registration: 'open',
  directory: 'all',
  messaging: 'anyone',
  contactRequestRate: 20,
  contactRequestBurst: 50,
  contactMaxPending: 1000,
  registerPerIpPerHour: 20,
  registerPerMinute: 60,
  passwordCost: DEFAULT_PASSWORD_COST,
  hashConcurrency: 2,
  hashQueue: 16,
  trustedProxies: '',
  maxConnectionsPerUser: 20,
  maxConnectionsPerIp: 500,
  maxInFlight: 32,
  fetchRate: 100,
  fetchBurst: 2000,
  signalRate: 20,
  signalBurst: 200,
  changeRate: 10,
  changeBurst: 100,
  maxUnsentBytes: 256 * 1024 * 1024,
  maxConnectionUnsentBytes: 16 * 1024 * 1024,
  shedGraceMs: 5_000,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function intFrom(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(max === Number.MAX_SAFE_INTEGER ? `${name} must be an integer ≥ ${min}, got "${value}"` : `${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function boolFrom(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} must be true or false, got "${value}"`);
}

function oneOf(value: string | undefined, name: string, values: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!values.includes(value)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${value}"`);
  return value;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const USAGE = `Usage: npm run server -- [options]
  --port <n>          port to listen on (PARLEY_PORT, default 8080; 0 picks a free one)
  --host <addr>       address to bind (PARLEY_HOST, default 127.0.0.1)
  --data <dir>        data directory (PARLEY_DATA_DIR, default ./data)
  --database <url>    store in PostgreSQL, postgres://user:password@host:port/db (PARLEY_DATABASE_URL;
                      default: SQLite in the data directory)
  --nats <url>        join a cluster: live events between nodes over NATS, nats://host:port (PARLEY_NATS_URL;
                      needs --database; PARLEY_NATS_PREFIX names the cluster's subjects, default parley)
  --log-level <lvl>   trace|debug|info|warn|error|silent (PARLEY_LOG_LEVEL, default info)
  --no-accounts       turn off built-in register/login (PARLEY_BUILTIN_ACCOUNTS=false)
Environment: PARLEY_APP_KEY and PARLEY_APP_SECRET turn on the admin API; PARLEY_SEND_RATE and
PARLEY_SEND_BURST set the per-connection send limit (0 rate turns it off); PARLEY_RECALL_WINDOW_MS,
PARLEY_MAX_FILE_BYTES, PARLEY_MAX_FRAME_BYTES, PARLEY_MAX_AVATAR_BYTES, PARLEY_TOKEN_TTL_SECONDS; files: PARLEY_FILE_QUOTA_BYTES,
PARLEY_UPLOADS_PER_MINUTE, PARLEY_UPLOAD_BYTES_PER_HOUR, PARLEY_FILE_GRACE_MS, PARLEY_FILE_SWEEP_INTERVAL_MS; request
bodies: PARLEY_REQUEST_BODY_TIMEOUT_MS, PARLEY_UPLOAD_IDLE_TIMEOUT_MS; groups and chatrooms:
PARLEY_MAX_GROUP_MEMBERS, PARLEY_TYPING_MAX_GROUP, PARLEY_ROOM_AUTO_CREATE, PARLEY_ROOM_IDLE_MS, PARLEY_ROOMS_PER_USER,
PARLEY_ROOM_FLUSH_MS, PARLEY_ROOM_WRITES_PER_SECOND, PARLEY_ROOM_MAX_PENDING, PARLEY_ROOM_SLOW_BYTES; connections:
PARLEY_HELLO_TIMEOUT_MS, PARLEY_PING_INTERVAL_MS, PARLEY_PONG_TIMEOUT_MS, PARLEY_MAX_MALFORMED_PER_MINUTE; limits:
PARLEY_MAX_CONNECTIONS_PER_USER, PARLEY_MAX_CONNECTIONS_PER_IP, PARLEY_MAX_IN_FLIGHT,
PARLEY_FETCH_RATE, PARLEY_FETCH_BURST, PARLEY_SIGNAL_RATE, PARLEY_SIGNAL_BURST, PARLEY_CHANGE_RATE, PARLEY_CHANGE_BURST
(a rate of 0 turns its limit off), PARLEY_MAX_UNSENT_BYTES, PARLEY_MAX_CONNECTION_UNSENT_BYTES, PARLEY_SHED_GRACE_MS; storage:
PARLEY_DURABILITY=full|normal (default full: an acknowledged message survives a power loss); PARLEY_INSTANCE_TOKEN
(set by npm start) answers the launcher's instance proof; metrics:
PARLEY_METRICS_TOKEN (GET /metrics needs Authorization: Bearer <token>), PARLEY_METRICS_ADDRESS=host:port (serve
/metrics there only); with neither, /metrics answers loopback peers only; accounts:
PARLEY_REGISTRATION=open|invite|closed (default open), PARLEY_REGISTER_PER_IP_PER_HOUR, PARLEY_REGISTER_PER_MINUTE,
PARLEY_PASSWORD_COST (log2 of scrypt's N, default 17), PARLEY_HASH_CONCURRENCY, PARLEY_HASH_QUEUE,
PARLEY_TRUSTED_PROXIES (proxies whose X-Forwarded-For names the client, e.g. 127.0.0.1,172.16.0.0/12); directory:
PARLEY_DIRECTORY=all|contacts-of-contacts|none (whom users.search finds by name; default all); contacts:
PARLEY_MESSAGING=anyone|contacts (who may send in private chats; default anyone), PARLEY_CONTACT_REQUEST_RATE
(contact requests per user per hour, default 20; 0 turns the limit off), PARLEY_CONTACT_REQUEST_BURST (default 50),
PARLEY_CONTACT_MAX_PENDING (pending requests a user may have received, default 1000).

Data commands:
  npm run server -- backup <file> [--data <dir>]    copy the database consistently, also while the server runs
  npm run server -- restore <file> --data <dir>     replace the database with a backup (the server must be stopped)
  npm run server -- migrate --from <dir>/parley.db --to <postgres url>
                                                    copy a SQLite database into PostgreSQL (the server must be
                                                    stopped; --to defaults to PARLEY_DATABASE_URL; run it again
                                                    to finish an interrupted copy)`;

type Setting = { env: string } & ({ type: 'int'; min: number; max?: number } | { type: 'bool' } | { type: 'string' } | { type: 'enum'; values: readonly string[] });

/** Every setting the environment can give, by its ServerConfig key (flags cover a few of them too). */
export const ENV_SETTINGS: { [K in keyof ServerConfig]: Setting } = {
  port: { env: 'PARLEY_PORT', type: 'int', min: 0 },
  host: { env: 'PARLEY_HOST', type: 'string' },
  dataDir: { env: 'PARLEY_DATA_DIR', type: 'string' },
  databaseUrl: { env: 'PARLEY_DATABASE_URL', type: 'string' },
  natsUrl: { env: 'PARLEY_NATS_URL', type: 'string' },
  natsPrefix: { env: 'PARLEY_NATS_PREFIX', type: 'string' },
  appKey: { env: 'PARLEY_APP_KEY', type: 'string' },
  appSecret: { env: 'PARLEY_APP_SECRET', type: 'string' },
  builtinAccounts: { env: 'PARLEY_BUILTIN_ACCOUNTS', type: 'bool' },
  sendRate: { env: 'PARLEY_SEND_RATE', type: 'int', min: 0 },
  sendBurst: { env: 'PARLEY_SEND_BURST', type: 'int', min: 1 },
  recallWindowMs: { env: 'PARLEY_RECALL_WINDOW_MS', type: 'int', min: 0 },
  maxFileBytes: { env: 'PARLEY_MAX_FILE_BYTES', type: 'int', min: 1 },
  fileQuotaBytes: { env: 'PARLEY_FILE_QUOTA_BYTES', type: 'int', min: 0 },
  maxAvatarBytes: { env: 'PARLEY_MAX_AVATAR_BYTES', type: 'int', min: 1024 },
  uploadsPerMinute: { env: 'PARLEY_UPLOADS_PER_MINUTE', type: 'int', min: 0 },
  uploadBytesPerHour: { env: 'PARLEY_UPLOAD_BYTES_PER_HOUR', type: 'int', min: 0 },
  fileGraceMs: { env: 'PARLEY_FILE_GRACE_MS', type: 'int', min: 0 },
  fileSweepIntervalMs: { env: 'PARLEY_FILE_SWEEP_INTERVAL_MS', type: 'int', min: 10 },
  requestBodyTimeoutMs: { env: 'PARLEY_REQUEST_BODY_TIMEOUT_MS', type: 'int', min: 1 },
  uploadIdleTimeoutMs: { env: 'PARLEY_UPLOAD_IDLE_TIMEOUT_MS', type: 'int', min: 1 },
  maxFrameBytes: { env: 'PARLEY_MAX_FRAME_BYTES', type: 'int', min: 1024 },
  tokenTtlSeconds: { env: 'PARLEY_TOKEN_TTL_SECONDS', type: 'int', min: 1 },
  helloTimeoutMs: { env: 'PARLEY_HELLO_TIMEOUT_MS', type: 'int', min: 1 },
  pingIntervalMs: { env: 'PARLEY_PING_INTERVAL_MS', type: 'int', min: 1 },
  pongTimeoutMs: { env: 'PARLEY_PONG_TIMEOUT_MS', type: 'int', min: 1 },
  maxMalformedPerMinute: { env: 'PARLEY_MAX_MALFORMED_PER_MINUTE', type: 'int', min: 0 },
  maxGroupMembers: { env: 'PARLEY_MAX_GROUP_MEMBERS', type: 'int', min: 1 },
  typingMaxGroupMembers: { env: 'PARLEY_TYPING_MAX_GROUP', type: 'int', min: 0 },
  roomAutoCreate: { env: 'PARLEY_ROOM_AUTO_CREATE', type: 'bool' },
  roomIdleMs: { env: 'PARLEY_ROOM_IDLE_MS', type: 'int', min: 1 },
  roomsPerUser: { env: 'PARLEY_ROOMS_PER_USER', type: 'int', min: 1 },
  roomFlushMs: { env: 'PARLEY_ROOM_FLUSH_MS', type: 'int', min: 0 },
  roomWritesPerSecond: { env: 'PARLEY_ROOM_WRITES_PER_SECOND', type: 'int', min: 1 },
  roomMaxPending: { env: 'PARLEY_ROOM_MAX_PENDING', type: 'int', min: 1 },
  roomSlowBytes: { env: 'PARLEY_ROOM_SLOW_BYTES', type: 'int', min: 1 },
  logLevel: { env: 'PARLEY_LOG_LEVEL', type: 'string' },
  adminSignatureV1: { env: 'PARLEY_ADMIN_SIGNATURE_V1', type: 'bool' },
  durability: { env: 'PARLEY_DURABILITY', type: 'enum', values: DURABILITY_MODES },
  instanceToken: { env: 'PARLEY_INSTANCE_TOKEN', type: 'string' },
  metricsToken: { env: 'PARLEY_METRICS_TOKEN', type: 'string' },
  metricsAddress: { env: 'PARLEY_METRICS_ADDRESS', type: 'string' },
  registration: { env: 'PARLEY_REGISTRATION', type: 'enum', values: REGISTRATION_MODES },
  directory: { env: 'PARLEY_DIRECTORY', type: 'enum', values: DIRECTORY_MODES },
  messaging: { env: 'PARLEY_MESSAGING', type: 'enum', values: MESSAGING_POLICIES },
  contactRequestRate: { env: 'PARLEY_CONTACT_REQUEST_RATE', type: 'int', min: 0 },
  contactRequestBurst: { env: 'PARLEY_CONTACT_REQUEST_BURST', type: 'int', min: 1 },
  contactMaxPending: { env: 'PARLEY_CONTACT_MAX_PENDING', type: 'int', min: 1 },
  registerPerIpPerHour: { env: 'PARLEY_REGISTER_PER_IP_PER_HOUR', type: 'int', min: 0 },
  registerPerMinute: { env: 'PARLEY_REGISTER_PER_MINUTE', type: 'int', min: 0 },
  passwordCost: { env: 'PARLEY_PASSWORD_COST', type: 'int', min: MIN_PASSWORD_COST, max: MAX_PASSWORD_COST },
  hashConcurrency: { env: 'PARLEY_HASH_CONCURRENCY', type: 'int', min: 1 },
  hashQueue: { env: 'PARLEY_HASH_QUEUE', type: 'int', min: 0 },
  trustedProxies: { env: 'PARLEY_TRUSTED_PROXIES', type: 'string' },
  maxConnectionsPerUser: { env: 'PARLEY_MAX_CONNECTIONS_PER_USER', type: 'int', min: 1 },
  maxConnectionsPerIp: { env: 'PARLEY_MAX_CONNECTIONS_PER_IP', type: 'int', min: 1 },
  maxInFlight: { env: 'PARLEY_MAX_IN_FLIGHT', type: 'int', min: 1 },
  fetchRate: { env: 'PARLEY_FETCH_RATE', type: 'int', min: 0 },
  fetchBurst: { env: 'PARLEY_FETCH_BURST', type: 'int', min: 1 },
  signalRate: { env: 'PARLEY_SIGNAL_RATE', type: 'int', min: 0 },
  signalBurst: { env: 'PARLEY_SIGNAL_BURST', type: 'int', min: 1 },
  changeRate: { env: 'PARLEY_CHANGE_RATE', type: 'int', min: 0 },
  changeBurst: { env: 'PARLEY_CHANGE_BURST', type: 'int', min: 1 },
  maxUnsentBytes: { env: 'PARLEY_MAX_UNSENT_BYTES', type: 'int', min: 1 },
  maxConnectionUnsentBytes: { env: 'PARLEY_MAX_CONNECTION_UNSENT_BYTES', type: 'int', min: 1 },
  shedGraceMs: { env: 'PARLEY_SHED_GRACE_MS', type: 'int', min: 0 },
};

function configFromEnv(env: NodeJS.ProcessEnv): Partial<ServerConfig> {
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(ENV_SETTINGS) as Array<[keyof ServerConfig, Setting]>) {
    const raw = env[setting.env];
    config[key] =
      setting.type === 'int'
        ? intFrom(raw, setting.env, setting.min, setting.max)
        : setting.type === 'bool'
          ? boolFrom(raw, setting.env)
          : setting.type === 'enum'
            ? oneOf(raw, setting.env, setting.values)
            : raw || undefined;
  }
  return defined(config) as Partial<ServerConfig>;
}

/** The environment that gives a server these settings (for starting one as a child process). */
export function envForConfig(config: Partial<ServerConfig>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const setting = ENV_SETTINGS[key as keyof ServerConfig];
    if (value === undefined) continue;
    if (!setting) throw new ConfigError(`${key} cannot be set from the environment`);
    env[setting.env] = String(value);
  }
  return env;
}

/** Reads flags first, then environment, then defaults. */
export function configFromArgs(argv: string[], env: NodeJS.ProcessEnv): ServerConfig & { help: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      database: { type: 'string' },
      nats: { type: 'string' },
      'log-level': { type: 'string' },
      'no-accounts': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const fromEnv = configFromEnv(env);
  const fromFlags = defined<Partial<ServerConfig>>({
    port: intFrom(values.port, '--port', 0),
    host: values.host,
    dataDir: values.data,
    databaseUrl: values.database,
    natsUrl: values.nats,
    logLevel: values['log-level'],
    builtinAccounts: values['no-accounts'] ? false : undefined,
  });
  const config = resolveConfig({ ...fromEnv, ...fromFlags });
  return { ...config, help: values.help ?? false };
}

/**
 * Reads PARLEY_TRUSTED_PROXIES: addresses or networks (`10.0.0.1`, `172.16.0.0/12`, `::1`), separated by commas.
 * Null when empty: no proxy is trusted.
 */
export function parseTrustedProxies(text: string): BlockList | null {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText] = entry.split('/');
    const family = isIP(address);
    const prefix = prefixText === undefined ? null : Number(prefixText);
    const maxPrefix = family === 6 ? 128 : 32;
    if (family === 0 || (prefix !== null && (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix))) {
      throw new ConfigError(`PARLEY_TRUSTED_PROXIES: "${entry}" is not an IP address or network (address/prefix)`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === null) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return list;
}

export function resolveConfig(partial: Partial<ServerConfig>): ServerConfig {
  const config = { ...DEFAULT_CONFIG, ...defined(partial) };
  if (config.port > 65535) throw new ConfigError(`port must be ≤ 65535, got ${config.port}`);
  if (!(DURABILITY_MODES as readonly string[]).includes(config.durability)) {
    throw new ConfigError(`durability must be one of ${DURABILITY_MODES.join(', ')}, got "${String(config.durability)}"`);
  }
  if (config.metricsAddress !== undefined) parseListenAddress(config.metricsAddress);
  if (!(REGISTRATION_MODES as readonly string[]).includes(config.registration)) {
    throw new ConfigError(`registration must be one of ${REGISTRATION_MODES.join(', ')}, got "${String(config.registration)}"`);
  }
  if (!(DIRECTORY_MODES as readonly string[]).includes(config.directory)) {
    throw new ConfigError(`directory must be one of ${DIRECTORY_MODES.join(', ')}, got "${String(config.directory)}"`);
  }
  if (!(MESSAGING_POLICIES as readonly string[]).includes(config.messaging)) {
    throw new ConfigError(`messaging must be one of ${MESSAGING_POLICIES.join(', ')}, got "${String(config.messaging)}"`);
  }
  if (!Number.isInteger(config.passwordCost) || config.passwordCost < MIN_PASSWORD_COST || config.passwordCost > MAX_PASSWORD_COST) {
    throw new ConfigError(`password cost must be an integer from ${MIN_PASSWORD_COST} to ${MAX_PASSWORD_COST}, got ${config.passwordCost}`);
  }
  parseTrustedProxies(config.trustedProxies);
  if (config.databaseUrl !== undefined && !/^postgres(ql)?:\/\//i.test(config.databaseUrl)) {
    // The value is not echoed: it may hold a password.
    throw new ConfigError('PARLEY_DATABASE_URL (--database) must be a PostgreSQL URL: postgres://user:password@host:port/database');
  }
  if (config.natsUrl !== undefined) {
    if (!config.databaseUrl) throw new ConfigError('PARLEY_NATS_URL (--nats) joins this node to a cluster, whose nodes share one PostgreSQL: set PARLEY_DATABASE_URL (--database) too');
    for (const url of config.natsUrl.split(',')) {
      if (!/^(nats|tls):\/\/[^\s/]+\/?$/i.test(url.trim())) throw new ConfigError('PARLEY_NATS_URL (--nats) must be nats://host:port (several separated by commas)');
    }
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.natsPrefix)) throw new ConfigError('PARLEY_NATS_PREFIX must be 1 to 64 letters, digits, "-" or "_"');
  config.dataDir = path.resolve(config.dataDir);
  return config;
}

/** `host:port` or `[v6]:port` (PARLEY_METRICS_ADDRESS); port 0 picks a free one. */
export function parseListenAddress(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError(`PARLEY_METRICS_ADDRESS must be host:port (or [v6]:port), got "${value}"`);
  }
  return { host, port };
}
