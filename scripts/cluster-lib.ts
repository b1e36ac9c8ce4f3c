/**
 * A local Parley cluster: N server nodes (the built server, dist/server/cli.js) sharing one PostgreSQL database, one
 * NATS server (a subject prefix of their own) and one data directory for files/, behind nginx as the load balancer.
 * `npm run cluster` (scripts/cluster.ts) runs one from the command line; tests and benchmarks start one with
 * `startCluster`. The nginx configuration comes from `nginxServerConfig`, the same text docs/deploy.md shows.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './free-port.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUILT_CLI = path.join(ROOT, 'dist', 'server', 'cli.js');
export const DEFAULT_ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_NGINX = '/usr/sbin/nginx';

// --- the nginx configuration

export interface NginxServerOptions {
  /** `host:port` nginx listens on. */
  listen: string;
  /** `host:port` of every node. */
  upstreams: readonly string[];
  /** Largest request body (uploads): PARLEY_MAX_FILE_BYTES plus room for the headers. */
  maxBodyMegabytes?: number;
}

/** The headers every proxied request carries (repeated in each location: nginx inherits none once one is set). */
function proxyHeaders(indent: string, connection: string): string {
  return [
    'proxy_http_version 1.1;',
    'proxy_set_header Host $host;',
    // The node reads the client's address from the rightmost entry (PARLEY_TRUSTED_PROXIES names this proxy).
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    `proxy_set_header Connection ${connection};`,
  ]
    .map((l) => indent + l)
    .join('\n');
}

/**
 * The `upstream`, `map` and `server` blocks that balance a Parley cluster: what goes into nginx's `http {}` (for a
 * system nginx, a file in /etc/nginx/conf.d/). Put TLS in front of it, or add `listen 443 ssl` and certificates.
 */
export function nginxServerConfig(o: NginxServerOptions): string {
  const servers = o.upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=5s;`).join('\n');
  return `# Parley cluster: ${o.upstreams.length} nodes behind one address.
upstream parley_nodes {
    # New connections go to the node with the fewest open ones, so WebSockets spread evenly.
    least_conn;
${servers}
    keepalive 32;
}

# WebSocket upgrades pass the client's Upgrade and Connection on; other requests reuse kept-alive connections.
map $http_upgrade $parley_connection {
    default upgrade;
    ''      '';
}

server {
    listen ${o.listen};
    # Uploads: PARLEY_MAX_FILE_BYTES (100 MiB by default) and some room.
    client_max_body_size ${o.maxBodyMegabytes ?? 101}m;
    # A node that refuses the connection, times out or answers 502/503 is skipped (a WebSocket or request goes
    # to the next one); nginx passes a POST on only if the first node never received it.
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 3;
    proxy_connect_timeout 2s;

    location = /v1/ws {
        proxy_pass http://parley_nodes;
${proxyHeaders('        ', '$parley_connection')}
        proxy_set_header Upgrade $http_upgrade;
        # The server pings every 30 s; an idle but live WebSocket is never cut by the proxy.
        proxy_read_timeout 1h;
        proxy_send_timeout 1h;
    }

    location /v1/files {
        proxy_pass http://parley_nodes;
${proxyHeaders('        ', '""')}
        # Stream uploads to the node as they arrive (the node enforces its own idle timeout and size limit).
        proxy_request_buffering off;
        proxy_read_timeout 5m;
        proxy_send_timeout 5m;
    }

    location / {
        proxy_pass http://parley_nodes;
${proxyHeaders('        ', '""')}
    }
}
`;
}

/** Whether the nginx binary has the module (Debian's nginx-light lacks some); `nginx -V` lists those left out. */
function nginxHas(nginx: string, module: string): boolean {
  try {
    const out = execFileSync(nginx, ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return !out.includes(`--without-http_${module}_module`);
  } catch (error) {
    // nginx -V prints to stderr
    const e = error as { stderr?: string };
    return !(e.stderr ?? '').includes(`--without-http_${module}_module`);
  }
}

/**
 * A whole nginx.conf for a balancer run by an ordinary user in the foreground: the pid file, logs and temporary
 * files in `prefix`, nothing of /etc/nginx or /var touched.
 */
export function nginxStandaloneConfig(prefix: string, server: NginxServerOptions, nginx = DEFAULT_NGINX): string {
  const temp = ['client_body', 'proxy', ...['fastcgi', 'uwsgi', 'scgi'].filter((m) => nginxHas(nginx, m))]
    .map((m) => `    ${m}_temp_path ${path.join(prefix, 'temp', m)};`)
    .join('\n');
  // Started by root, nginx's workers would run as nobody, who cannot write the temporary files in this private
  // directory: a throwaway local balancer keeps the user that started it.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `# Written by scripts/cluster-lib.ts for a local cluster; run: nginx -p ${prefix} -c ${path.join(prefix, 'nginx.conf')} -g 'daemon off;'
${user}worker_processes 1;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${path.join(prefix, 'error.log')} warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
${temp}

${nginxServerConfig(server)
  .split('\n')
  .map((l) => (l ? `    ${l}` : l))
  .join('\n')}}
`;
}

// --- prerequisites

/** Answers true when something accepts TCP connections at host:port within `ms`. */
export function tcpAnswers(host: string, port: number, ms = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Reads the INFO line a NATS server sends on connect: null when nothing NATS-like answers at `url`, otherwise
 * whether JetStream is on.
 */
export function natsInfo(url: string, ms = 3000): Promise<{ jetstream: boolean; version: string } | null> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 4222) });
    let text = '';
    const done = (v: { jetstream: boolean; version: string } | null) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(ms, () => done(null));
    socket.once('error', () => done(null));
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /^INFO\s+(\{.*\})\s*\n/.exec(text);
      if (!m?.[1]) {
        if (text.includes('\n')) done(null);
        return;
      }
      try {
        const info = JSON.parse(m[1]) as { jetstream?: boolean; version?: string };
        done({ jetstream: Boolean(info.jetstream), version: info.version ?? '?' });
      } catch {
        done(null);
      }
    });
  });
}

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** True when dist/server is missing or older than the sources it is built from. */
export function builtServerIsStale(): boolean {
  if (!fs.existsSync(BUILT_CLI)) return true;
  const built = fs.statSync(path.join(ROOT, 'dist', 'server', 'server', 'src', 'cli.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(newest(path.join(ROOT, 'server', 'src')), newest(path.join(ROOT, 'protocol')), fs.statSync(path.join(ROOT, 'deploy', 'server', 'package.json')).mtimeMs);
  return built < sources;
}

/** Builds the server (`npm run build:server`) when dist/server is missing or stale. */
export function ensureBuiltServer(log: (line: string) => void = () => undefined): void {
  if (!builtServerIsStale()) return;
  log('building the server (dist/server is missing or older than server/src)');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-server.mjs')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}


/** The URL with its password replaced by *** (for printing). */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// --- the cluster

export interface ClusterOptions {
  /** Server nodes (default 3). */
  nodes?: number;
  /** An existing database to use (kept at stop); otherwise a fresh one is made next to `adminDatabaseUrl`'s. */
  databaseUrl?: string;
  /** A database on the server where the fresh database is created (default PARLEY_TEST_DATABASE_URL or …/test). */
  adminDatabaseUrl?: string;
  natsUrl?: string;
  /** Subject prefix of this cluster's nodes (default: unique per run, so clusters can share a NATS server). */
  natsPrefix?: string;
  /** The data directory the nodes share (files/); default: a temporary directory. */
  dataDir?: string;
  /** More environment for every node (PARLEY_* settings). */
  env?: Record<string, string>;
  /** Keep the database made for the run and the temporary directory. */
  keep?: boolean;
  nginx?: string;
  /** The server's CLI (default dist/server/cli.js; see ensureBuiltServer). */
  cli?: string;
  /** Port of the balancer (default: a free one). */
  port?: number;
  /** Receives each line a node prints to stderr (its JSON log), with the node's number. */
  onNodeLog?: (node: number, line: string) => void;
  /**
   * For comparisons (bench/cluster-bench.ts): 'sqlite' runs one node on SQLite in the data directory (no database
   * is made); `nats: false` leaves PARLEY_NATS_URL unset (one node only); `balancer: false` starts no nginx and
   * `url` is then the first node's. Defaults: 'postgres', true, true.
   */
  storage?: 'postgres' | 'sqlite';
  nats?: boolean;
  balancer?: boolean;
}

export interface ClusterNode {
  /** 1-based, as printed. */
  readonly index: number;
  readonly port: number;
  readonly url: string;
  /** The pid of the running process (0 while it is down). */
  readonly pid: number;
  readonly running: boolean;
  /** Sends the signal and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on the same port (stopping it first if it runs). */
  restart(): Promise<void>;
  /** The last lines the node printed to stderr. */
  readonly diagnostics: string;
}

export interface Cluster {
  /** The balancer's URL: what clients use. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** Empty with storage 'sqlite'. */
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly natsPrefix: string;
  readonly dataDir: string;
  /** The temporary directory holding nginx's configuration, pid, logs and temporary files. */
  readonly dir: string;
  readonly nginxConfigFile: string;
  readonly nginxPid: number;
  stop(): Promise<void>;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Every process a cluster of this process started: killed when this process exits, however it exits. */
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
}

class Node implements ClusterNode {
  child: ChildProcess | null = null;
  private stderrTail = '';
  readonly url: string;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly cli: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onLog: ((node: number, line: string) => void) | undefined,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number {
    return this.running ? (this.child?.pid ?? 0) : 0;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get diagnostics(): string {
    return this.stderrTail;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [this.cli, '--port', String(this.port)], { cwd: ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    track(child);
    let partial = '';
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      this.stderrTail = (this.stderrTail + text).slice(-8000);
      if (!this.onLog) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) this.onLog(this.index, line);
    });
    let stdout = '';
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (/^listening on http:\/\/\S+\s*$/m.test(stdout)) resolve();
        });
        child.once('exit', (code, signal) => reject(new Error(`node ${this.index} exited (${code ?? signal}) before listening: ${this.stderrTail.slice(-2000)}`)));
      }),
      30_000,
      `node ${this.index} to start`,
    );
    const announced = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
    if (announced !== this.url) throw new Error(`node ${this.index} announced ${announced}, expected ${this.url}`);
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = exited(child);
    child.kill(signal);
    await gone;
  }

  /** SIGTERM, then SIGKILL if it is still running after `ms`. */
  async stop(ms = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = exited(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    await gone;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** The environment of a node: ours without PARLEY_* settings, then `extra`. */
function nodeEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_')) env[k] = v;
  return { ...env, ...extra };
}

/** Waits until GET url answers 200. */
async function waitHealthy(url: string, ms: number, alive: () => string | null): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(dead);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`no 200 from ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a cluster: a fresh database (unless `databaseUrl`), `nodes` nodes on free ports, and nginx in front of
 * them. Everything started is stopped again if a step fails.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`nodes must be a positive integer, got ${count}`);
  const sqlite = options.storage === 'sqlite';
  const withNats = options.nats ?? true;
  if ((sqlite || !withNats) && count > 1) throw new Error('several nodes need PostgreSQL and NATS');
  const cli = options.cli ?? BUILT_CLI;
  if (!fs.existsSync(cli)) throw new Error(`${cli} does not exist: run npm run build:server first`);
  const nginx = options.nginx ?? DEFAULT_NGINX;
  if (!fs.existsSync(nginx)) throw new Error(`nginx is not installed at ${nginx}`);
  const natsUrl = options.natsUrl ?? DEFAULT_NATS_URL;
  const natsPrefix = options.natsPrefix ?? `parley_${process.pid}_${randomBytes(4).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-cluster-'));
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cluster: ${(error as Error).message}\n`);
      }
    }
  };
  try {
    // The database.
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl && !sqlite) {
      const admin = options.adminDatabaseUrl ?? (process.env.PARLEY_TEST_DATABASE_URL || DEFAULT_ADMIN_DATABASE_URL);
      const name = `parley_cluster_${process.pid}_${randomBytes(4).toString('hex')}`;
      await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
      if (!options.keep) cleanups.push(() => withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined));
      const u = new URL(admin);
      u.pathname = `/${name}`;
      databaseUrl = u.toString();
    }
    if (!options.keep) cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));

    // The nodes, started one after the other (the first migrates the schema; the others find it done).
    const ports: number[] = [];
    while (ports.length < count) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    const env = nodeEnv({
      PARLEY_LOG_LEVEL: 'warn',
      ...options.env,
      PARLEY_HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dataDir,
      ...(databaseUrl ? { PARLEY_DATABASE_URL: databaseUrl } : {}),
      ...(withNats ? { PARLEY_NATS_URL: natsUrl, PARLEY_NATS_PREFIX: natsPrefix } : {}),
      PARLEY_TRUSTED_PROXIES: '127.0.0.1',
    });
    const nodes = ports.map((port, i) => new Node(i + 1, port, cli, env, options.onNodeLog));
    cleanups.push(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
    });
    for (const node of nodes) await node.start();

    if (options.balancer === false) {
      let stoppedEarly: Promise<void> | null = null;
      return {
        url: nodes[0]!.url,
        nodes,
        databaseUrl: databaseUrl ?? '',
        natsUrl: withNats ? natsUrl : '',
        natsPrefix: withNats ? natsPrefix : '',
        dataDir,
        dir,
        nginxConfigFile: '',
        nginxPid: 0,
        stop: () => (stoppedEarly ??= cleanUp()),
      };
    }

    // The balancer.
    const lbPort = options.port ?? (await freePort());
    for (const m of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(dir, 'temp', m), { recursive: true });
    const nginxConfigFile = path.join(dir, 'nginx.conf');
    fs.writeFileSync(nginxConfigFile, nginxStandaloneConfig(dir, { listen: `127.0.0.1:${lbPort}`, upstreams: ports.map((p) => `127.0.0.1:${p}`) }, nginx));
    const lb = spawn(nginx, ['-p', dir, '-c', nginxConfigFile, '-e', path.join(dir, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    track(lb);
    let lbErr = '';
    lb.stderr!.on('data', (d: Buffer) => (lbErr = (lbErr + d.toString()).slice(-4000)));
    cleanups.push(async () => {
      if (lb.exitCode !== null || lb.signalCode !== null) return;
      const gone = exited(lb);
      lb.kill('SIGQUIT'); // graceful: open WebSockets are closed as the workers finish
      const timer = setTimeout(() => lb.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    });
    const url = `http://127.0.0.1:${lbPort}`;
    const errorLog = () => {
      try {
        return fs.readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000);
      } catch {
        return '';
      }
    };
    await waitHealthy(`${url}/healthz`, 15_000, () => (lb.exitCode !== null || lb.signalCode !== null ? `nginx exited (${lb.exitCode ?? lb.signalCode}): ${lbErr}${errorLog()}` : null));

    let stopped: Promise<void> | null = null;
    return {
      url,
      nodes,
      databaseUrl: databaseUrl ?? '',
      natsUrl,
      natsPrefix,
      dataDir,
      dir,
      nginxConfigFile,
      get nginxPid() {
        return lb.pid ?? 0;
      },
      stop: () => (stopped ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
