/** Builds and starts a Parley server: storage, bus, hub, messaging, HTTP routes and the WebSocket gateway. */
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { resolveConfig, type ServerConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.js';
import type { Storage } from './storage/storage.js';
import { LocalBus, type Bus } from './bus/bus.js';
import { TokenService } from './auth/tokens.js';
import { Hub } from './services/hub.js';
import { Committer } from './services/committer.js';
import { Messaging } from './services/messaging.js';
import { GroupCache } from './services/group-cache.js';
import { Groups } from './services/groups.js';
import { Rooms } from './services/rooms.js';
import { SensitiveWordFilter, type FilterMode } from './services/sensitive-words.js';
import { createHandlers } from './ops/handlers.js';
import { Gateway } from './ws/gateway.js';
import { OutputBudget } from './ws/output-budget.js';
import { UserLimits } from './services/user-limits.js';
import { Accounts } from './http/accounts.js';
import { Files } from './http/files.js';
import { AdminApi, CLOCK_SKEW_MS, SENSITIVE_WORDS_KEY } from './http/admin.js';
import { createRouter } from './http/router.js';

export type { ServerConfig } from './config.js';

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  config: ServerConfig;
  log: Logger;
  /** Stops accepting, closes connections, commits what is in flight, closes storage. */
  close(): Promise<void>;
}

export interface ServerParts {
  storage?: Storage;
  bus?: Bus;
}

export async function startServer(partial: Partial<ServerConfig> = {}, parts: ServerParts = {}): Promise<RunningServer> {
  const config = resolveConfig(partial);
  const log = createLogger(config.logLevel);
  const metrics = new Metrics();
  const storage = parts.storage ?? new SqliteStorage({ file: path.join(config.dataDir, 'parley.db'), durability: config.durability });
  const bus = parts.bus ?? new LocalBus();
  const tokens = new TokenService(storage, config.tokenTtlSeconds);
  const hub = new Hub(storage, bus, metrics, log);
  const committer = new Committer(storage, metrics);
  const words = new SensitiveWordFilter();
  const savedWords = await storage.getSetting(SENSITIVE_WORDS_KEY);
  if (savedWords) {
    const { words: list, mode } = JSON.parse(savedWords) as { words: string[]; mode: FilterMode };
    words.set(list, mode);
  }
  const groupCache = new GroupCache(storage, bus);
  const groups = new Groups(storage, groupCache, hub, config);
  const rooms = new Rooms(storage, hub, config, metrics, log);
  await rooms.start();
  const messaging = new Messaging(storage, committer, hub, words, config, groups, rooms);
  const adminOn = Boolean(config.appKey && config.appSecret);
  const admin = adminOn
    ? new AdminApi({ appKey: config.appKey!, appSecret: config.appSecret!, allowV1: config.adminSignatureV1, storage, tokens, hub, messaging, rooms, words })
    : null;
  if (admin && config.adminSignatureV1) {
    log.warn('the admin API accepts deprecated version 1 signatures, which a captured request can reuse on another route or user: sign with version 2, then set PARLEY_ADMIN_SIGNATURE_V1=false');
  }
  const router = createRouter({
    storage,
    metrics,
    log,
    accounts: config.builtinAccounts ? new Accounts(storage, tokens) : null,
    files: new Files(config.dataDir, storage, tokens, config.maxFileBytes),
    admin,
  });

  const server = http.createServer((req, res) => void router(req, res));
  server.requestTimeout = 0; // large uploads may take long; idle sockets are still timed out below
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const budget = new OutputBudget(config.maxUnsentBytes, metrics);
  const userLimits = new UserLimits(config, (userId) => hub.isOnline(userId));
  const handlers = createHandlers(messaging, groups, rooms);
  const gateway = new Gateway(server, { config, hub, tokens, handlers, metrics, log, budget, userLimits });

  const pruneTimer = setInterval(() => void storage.pruneNonces(Date.now() - 2 * CLOCK_SKEW_MS).catch(() => undefined), 60_000);
  pruneTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info({ port, dataDir: config.dataDir, durability: storage.durability?.() ?? null, admin: adminOn, accounts: config.builtinAccounts }, 'server started');

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    config,
    log,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await gateway.close();
        server.closeIdleConnections();
        await committer.drain();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await stopped;
        clearTimeout(force);
        userLimits.dispose();
        rooms.dispose();
        groupCache.dispose();
        hub.dispose();
        await bus.close();
        await storage.close();
        log.info('server stopped');
      })();
      return closing;
    },
  };
}
