/** Builds and starts a Parley server: storage, bus, hub, messaging, HTTP routes and the WebSocket gateway. */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseListenAddress, resolveConfig, type ServerConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { SqliteStorage } from './storage/sqlite/sqlite-storage.js';
import { PgStorage, redactDatabaseUrl } from './storage/postgres/pg-storage.js';
import type { Storage } from './storage/storage.js';
import { LocalBus, type Bus } from './bus/bus.js';
import { NatsBus } from './bus/nats-bus.js';
import { ClusterView } from './services/cluster-view.js';
import { DEFAULT_PASSWORD_COST } from './auth/passwords.js';
import { TokenService } from './auth/tokens.js';
import { Hub } from './services/hub.js';
import { Committer } from './services/committer.js';
import { Messaging } from './services/messaging.js';
import { GroupCache } from './services/group-cache.js';
import { Groups } from './services/groups.js';
import { Rooms } from './services/rooms.js';
import { SensitiveWordFilter, type FilterMode } from './services/sensitive-words.js';
import { createHandlers } from './ops/handlers.js';
import { Directory } from './services/directory.js';
import { Profiles } from './services/profiles.js';
import { Gateway } from './ws/gateway.js';
import { OutputBudget } from './ws/output-budget.js';
import { UserLimits } from './services/user-limits.js';
import { Accounts } from './http/accounts.js';
import { Files } from './http/files.js';
import { FileBlobs } from './storage/file-blobs.js';
import { FileCollector } from './services/file-collector.js';
import { UploadLimits } from './services/upload-limits.js';
import { memoryThrottles, sharedThrottles } from './services/rate-limit.js';
import { Contacts } from './services/contacts.js';
import { AdminApi, CLOCK_SKEW_MS, SENSITIVE_WORDS_KEY } from './http/admin.js';
import { ProfileRoutes } from './http/profiles.js';
import { SessionRoutes } from './http/sessions.js';
import { Sessions } from './services/sessions.js';
import { metricsPolicy } from './http/metrics-access.js';
import { createMetricsRouter, createRouter } from './http/router.js';

export type { ServerConfig } from './config.js';

export interface RunningServer {
  /** http://host:port */
  url: string;
  port: number;
  config: ServerConfig;
  /** http://host:port of the metrics address (PARLEY_METRICS_ADDRESS), null when metrics are on the main listener. */
  metricsUrl: string | null;
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
  const storage: Storage =
    parts.storage ??
    (config.databaseUrl
      ? await PgStorage.open({ url: config.databaseUrl })
      : new SqliteStorage({ file: path.join(config.dataDir, 'parley.db'), durability: config.durability }));
  let bus: Bus;
  try {
    bus =
      parts.bus ??
      (config.natsUrl
        ? await NatsBus.connect({ url: config.natsUrl, prefix: config.natsPrefix, name: `parley-server ${os.hostname()} ${process.pid}`, log })
        : new LocalBus());
  } catch (error) {
    await storage.close();
    throw new Error(`NATS (PARLEY_NATS_URL) does not answer: ${(error as Error).message}`, { cause: error });
  }
  const cluster = new ClusterView(bus);
  const tokens = new TokenService(storage, config.tokenTtlSeconds);
  const hub = new Hub(storage, bus, cluster, metrics, log);
  const sessions = new Sessions(storage, hub, log);
  const committer = new Committer(storage, metrics);
  const words = new SensitiveWordFilter();
  const savedWords = await storage.getSetting(SENSITIVE_WORDS_KEY);
  if (savedWords) {
    const { words: list, mode } = JSON.parse(savedWords) as { words: string[]; mode: FilterMode };
    words.set(list, mode);
  }
  const groupCache = new GroupCache(storage, bus);
  const groups = new Groups(storage, groupCache, hub, config);
  const rooms = new Rooms(storage, hub, bus, cluster, config, metrics, log);
  await rooms.start();
  cluster.start({ users: () => hub.localDevices(), rooms: () => rooms.localMembers() });
  const messaging = new Messaging(storage, committer, hub, words, config, groups, rooms);
  // The account, upload, avatar and contact-request limits: in the storage every node shares when there is one (PostgreSQL), so a cluster
  // grants each once; in memory for a single node (SQLite). docs/protocol.md part 2, "Clusters".
  const throttles = storage.throttles ? sharedThrottles(storage.throttles) : memoryThrottles;
  const profiles = new Profiles(storage, hub, config, throttles);
  const adminOn = Boolean(config.appKey && config.appSecret);
  const admin = adminOn
    ? new AdminApi({ appKey: config.appKey!, appSecret: config.appSecret!, allowV1: config.adminSignatureV1, storage, tokens, hub, messaging, rooms, words, profiles })
    : null;
  if (admin && config.adminSignatureV1) {
    log.warn('the admin API accepts deprecated version 1 signatures, which a captured request can reuse on another route or user: sign with version 2, then set PARLEY_ADMIN_SIGNATURE_V1=false');
  }
  const metricsAccess = { metricsToken: config.metricsToken, metricsAddress: config.metricsAddress };
  const accounts = config.builtinAccounts ? new Accounts(storage, tokens, metrics, config, throttles) : null;
  // With PostgreSQL several nodes may share the data directory: an upload another node is receiving is not a leftover.
  const blobs = new FileBlobs(config.dataDir, { shared: Boolean(config.databaseUrl), staleMs: Math.max(10 * 60_000, 2 * config.uploadIdleTimeoutMs) });
  metrics.fileBytes.set(await storage.storedFileBytes());
  const collector = new FileCollector(storage, blobs, metrics, config, log);
  const files = new Files({
    blobs,
    storage,
    tokens,
    limits: new UploadLimits(storage, config, throttles),
    metrics,
    maxBytes: config.maxFileBytes,
    idleTimeoutMs: config.uploadIdleTimeoutMs,
    log,
  });
  const router = createRouter({
    storage,
    accepting: () => hub.accepting,
    metrics,
    metricsAccess,
    log,
    accounts,
    sessions: new SessionRoutes(storage, tokens, sessions, accounts, throttles),
    files,
    profiles: new ProfileRoutes(profiles, tokens),
    admin,
    instanceToken: config.instanceToken ?? null,
    bodyTimeoutMs: config.requestBodyTimeoutMs,
  });

  const server = http.createServer((req, res) => void router(req, res));
  // Node's whole-request timeout would cut a large upload on a slow link: bodies are timed per route instead
  // (requestBodyTimeoutMs for every request but an upload, uploadIdleTimeoutMs for uploads). Headers must still
  // arrive within 30 s, and an idle kept-alive connection is closed after 5 s.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const budget = new OutputBudget(config.maxUnsentBytes, metrics);
  const userLimits = new UserLimits(config, (userId) => hub.isOnline(userId));
  const contacts = new Contacts(storage, hub, messaging, words, config, throttles);
  const handlers = createHandlers(messaging, groups, rooms, sessions, new Directory(storage, messaging, config), contacts, profiles);
  const gateway = new Gateway(server, { config, hub, tokens, sessions, handlers, metrics, log, budget, userLimits });

  // Each minute: admin nonces past the replay window, and shared rate-limit buckets that are full again (so the
  // table stays the size of the last minutes' activity).
  const pruneTimer = setInterval(() => {
    void storage.pruneNonces(Date.now() - 2 * CLOCK_SKEW_MS).catch(() => undefined);
    void storage.throttles?.prune(Date.now()).catch((error: unknown) => log.warn({ err: error }, 'throttle rows not pruned'));
  }, 60_000);
  pruneTimer.unref();
  // Revoked and long-expired token rows: at start, then hourly, so the table stays the size of the live sessions.
  const pruneTokens = () => void sessions.prune().catch((error: unknown) => log.warn({ err: error }, 'token rows not pruned'));
  pruneTokens();
  const tokenPruneTimer = setInterval(pruneTokens, 3600_000);
  tokenPruneTimer.unref();
  collector.start();

  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let metricsServer: http.Server | null = null;
  let metricsUrl: string | null = null;
  if (config.metricsAddress) {
    const address = parseListenAddress(config.metricsAddress);
    const metricsRouter = createMetricsRouter({ metrics, log, metricsAccess });
    metricsServer = http.createServer((req, res) => void metricsRouter(req, res));
    try {
      await listen(metricsServer, address.port, address.host);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
    const metricsHost = address.host.includes(':') ? `[${address.host}]` : address.host;
    metricsUrl = `http://${metricsHost}:${(metricsServer.address() as AddressInfo).port}`;
  }
  log.info(
    {
      port,
      dataDir: config.dataDir,
      storage: parts.storage ? 'supplied' : config.databaseUrl ? redactDatabaseUrl(config.databaseUrl) : 'sqlite',
      cluster: config.natsUrl ? { node: cluster.nodeId, nats: config.natsUrl.split(',').map((u) => redactDatabaseUrl(u.trim())).join(','), prefix: config.natsPrefix } : null,
      durability: storage.durability?.() ?? null,
      registration: config.builtinAccounts ? config.registration : null,
      admin: adminOn,
      accounts: config.builtinAccounts,
      metrics: metricsPolicy(metricsAccess, metricsUrl),
    },
    'server started',
  );
  if (config.builtinAccounts && config.passwordCost < DEFAULT_PASSWORD_COST) {
    log.warn(`PARLEY_PASSWORD_COST=${config.passwordCost} hashes passwords below the recommended ${DEFAULT_PASSWORD_COST} (scrypt N=2^${DEFAULT_PASSWORD_COST}): for tests only`);
  }
  if (config.builtinAccounts && config.registration === 'invite' && !adminOn) {
    log.warn('registration is by invite code, but the admin API that makes the codes is off (PARLEY_APP_KEY, PARLEY_APP_SECRET)');
  }

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    config,
    metricsUrl,
    log,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        clearInterval(tokenPruneTimer);
        await collector.stop();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        const metricsStopped = new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
        metricsServer?.closeAllConnections();
        await gateway.close();
        server.closeIdleConnections();
        await committer.drain();
        await sessions.flush();
        const force = setTimeout(() => server.closeAllConnections(), 5_000);
        await stopped;
        await metricsStopped;
        clearTimeout(force);
        userLimits.dispose();
        rooms.dispose();
        groupCache.dispose();
        cluster.dispose();
        hub.dispose();
        await bus.close();
        await storage.close();
        log.info('server stopped');
      })();
      return closing;
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
