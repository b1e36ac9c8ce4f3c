/**
 * Conformance-test harness: a real server on port 0 in a fresh data directory, plus HTTP helpers (accounts,
 * files, the signed admin API). The WebSocket client lives in ws-client.ts and is re-exported here.
 */
import { createHmac, randomUUID } from 'node:crypto';
import DatabaseCtor from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type WebSocket from 'ws';
import { startServer } from '../src/app.js';
import { envForConfig } from '../src/config.js';
import { BUILT_CLI, ServerProcess } from './server-process.js';
import { TEST_DATABASE_URL, databaseUrlFor, dropDatabaseFor, queryDatabase } from './test-database.js';
import { AnswerError, takeConformanceViolations, WAIT_MS, WsClient, wsUrl } from './ws-client.js';

export * from './ws-client.js';

export type StartConfig = NonNullable<Parameters<typeof startServer>[0]>;
export type RunningServer = Awaited<ReturnType<typeof startServer>>;

export const APP_KEY = 'test-app-key';
export const APP_SECRET = 'test-app-secret-0123456789';
export const PASSWORD = 'correct horse battery staple';
/** What the test servers use unless a test says otherwise: the cheapest password hashing and no registration limits. */
/**
 * What test servers change of the account protections, none of which is what most tests are about: cheap hashing,
 * no registration limits, and a hashing queue long enough for a test that registers dozens of users at once.
 */
export const TEST_ACCOUNT_SETTINGS = { passwordCost: 10, registerPerIpPerHour: 0, registerPerMinute: 0, hashQueue: 1000 } as const;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface TestUser {
  userId: string;
  name: string;
  token: string;
  expiresAt: number;
}

export interface SignedRequest {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** Version 1 (part 1): hex HMAC-SHA256(secret, nonce + timestamp + body). */
export function sign(secret: string, nonce: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(nonce + timestamp + body).digest('hex');
}

/**
 * Version 2 (docs/protocol.md part 2): the HMAC covers "v2", the method, the path and the query as sent (the
 * request target split at its first `?`), nonce, timestamp and body, joined by newlines.
 */
export function signV2(secret: string, method: string, target: string, nonce: string, timestamp: string, body: string): string {
  const q = target.indexOf('?');
  const [pathPart, query] = q < 0 ? [target, ''] : [target.slice(0, q), target.slice(q + 1)];
  return createHmac('sha256', secret).update(['v2', method, pathPart, query, nonce, timestamp, body].join('\n')).digest('hex');
}

/**
 * Builds the headers of a signed admin request (version 2 unless `version: 1`); every part can be overridden to
 * forge a bad one.
 */
export function signedRequest(
  method: string,
  urlPath: string,
  body: unknown,
  opts: { nonce?: string; timestamp?: number; appKey?: string; secret?: string; signature?: string; version?: 1 | 2 } = {},
): SignedRequest {
  const text = body === undefined ? '' : JSON.stringify(body);
  const nonce = opts.nonce ?? randomUUID();
  const timestamp = String(opts.timestamp ?? Date.now());
  const secret = opts.secret ?? APP_SECRET;
  const version = opts.version ?? 2;
  const headers: Record<string, string> = {
    'x-app-key': opts.appKey ?? APP_KEY,
    'x-nonce': nonce,
    'x-timestamp': timestamp,
    'x-signature': opts.signature ?? (version === 1 ? sign(secret, nonce, timestamp, text) : signV2(secret, method, urlPath, nonce, timestamp, text)),
  };
  if (version === 2) headers['x-signature-version'] = '2';
  if (text !== '') headers['content-type'] = 'application/json';
  return { method, path: urlPath, body: text, headers };
}

let userCounter = 0;

/** What a test needs of a running server: in-process (startServer), or the built CLI as a child process. */
interface Running {
  url: string;
  close(): Promise<void>;
}

/** The built server (PARLEY_TEST_SERVER_CLI) as a child process, configured through its environment. */
async function startBuilt(config: StartConfig, dataDir: string, sqlite = false): Promise<Running> {
  const { host, port = 0, dataDir: _dir, ...settings } = config;
  // The CLI binds 127.0.0.1 unless told otherwise; another address is passed on (a test that needs a non-loopback peer).
  const env = envForConfig(host && host !== '127.0.0.1' ? { host, ...settings } : settings);
  // An empty PARLEY_DATABASE_URL is SQLite, and keeps ServerProcess from choosing PostgreSQL under PARLEY_TEST_DATABASE_URL.
  const proc = new ServerProcess(port, dataDir, sqlite && env.PARLEY_DATABASE_URL === undefined ? { ...env, PARLEY_DATABASE_URL: '' } : env);
  await proc.start();
  return {
    url: proc.url,
    close: async () => {
      await proc.terminate();
    },
  };
}

/** A server under test with its data directory and everything the tests opened against it. */
export class TestServer {
  private server: Running | null = null;
  readonly dataDir: string;
  readonly config: StartConfig;
  private readonly clients = new Set<WsClient>();

  /** `sqlite`: this server stores in SQLite even when the tests run against PostgreSQL (a test of migrating from it). */
  constructor(
    config: StartConfig = {},
    private readonly options: { sqlite?: boolean } = {},
  ) {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
    // Tests register hundreds of users from one address: cheap hashes (the server warns that this is for tests only)
    // and no registration limits, unless a test asks for them.
    this.config = { ...TEST_ACCOUNT_SETTINGS, port: 0, host: '127.0.0.1', logLevel: 'silent', appKey: APP_KEY, appSecret: APP_SECRET, ...config };
  }

  get url(): string {
    if (!this.server) throw new Error('server not started');
    return this.server.url;
  }

  async start(): Promise<this> {
    const postgres = TEST_DATABASE_URL && this.config.databaseUrl === undefined && !this.options.sqlite;
    const config = postgres ? { ...this.config, databaseUrl: await databaseUrlFor(this.dataDir) } : this.config;
    this.server = BUILT_CLI ? await startBuilt(config, this.dataDir, this.options.sqlite) : await startServer({ ...config, dataDir: this.dataDir });
    return this;
  }

  async stop(): Promise<void> {
    this.closeClients();
    const s = this.server;
    this.server = null;
    if (s) await s.close();
  }

  /** Stops the server and starts it again on the same data directory (the port may change). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
      await dropDatabaseFor(this.dataDir);
    }
  }

  /**
   * Runs one SQL statement on the server's database, SQLite or PostgreSQL (`?` placeholders): what an operator
   * changing rows by hand does. Rows for a query, [] otherwise.
   */
  async sql<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    if (this.config.databaseUrl) return queryDatabase<R>(this.config.databaseUrl, text, params);
    if (TEST_DATABASE_URL && !this.options.sqlite) return queryDatabase<R>(await databaseUrlFor(this.dataDir), text, params);
    const db = new DatabaseCtor(path.join(this.dataDir, 'parley.db'));
    try {
      db.pragma('busy_timeout = 5000');
      const stmt = db.prepare(text);
      if (stmt.reader) return stmt.all(...params) as R[];
      stmt.run(...params);
      return [];
    } finally {
      db.close();
    }
  }

  closeClients(): void {
    for (const c of this.clients) c.terminate();
    this.clients.clear();
  }

  /** Opens a WebSocket to /v1/ws (no hello). */
  async connect(options: WebSocket.ClientOptions = {}): Promise<WsClient> {
    const c = new WsClient(wsUrl(this.url), options);
    this.clients.add(c);
    await c.opened;
    return c;
  }

  /** Connects and says hello; the hello must succeed. */
  async device(user: { token: string }, deviceId: string = `dev-${randomUUID().slice(0, 8)}`): Promise<WsClient> {
    const c = await this.connect();
    const a = await c.hello(user.token, deviceId);
    if (!a.ok) throw new AnswerError('hello', a.error);
    return c;
  }

  async http(
    method: string,
    urlPath: string,
    opts: { json?: unknown; body?: string | Uint8Array; headers?: Record<string, string>; token?: string } = {},
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | Uint8Array | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(this.url + urlPath, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  /** An HTTP request whose path is sent byte for byte (fetch would normalise `..` away). */
  rawHttp(method: string, rawPath: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
    const { hostname, port } = new URL(this.url);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: hostname, port, method, path: rawPath, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(WAIT_MS, () => req.destroy(new Error(`no answer to ${method} ${rawPath.slice(0, 80)}`)));
      req.end(body);
    });
  }

  async register(userId: string, name = `Name of ${userId}`, password = PASSWORD): Promise<TestUser> {
    const res = await this.http('POST', '/v1/auth/register', { json: { userId, password, name } });
    if (res.status !== 201) throw new Error(`register ${userId}: ${res.status} ${res.text}`);
    const body = res.json as { token: string; expiresAt: number };
    return { userId, name, token: body.token, expiresAt: body.expiresAt };
  }

  /** Registers a user with a fresh id starting with `prefix`. */
  user(prefix = 'user'): Promise<TestUser> {
    return this.register(`${prefix}${++userCounter}`);
  }

  async login(userId: string, password = PASSWORD): Promise<HttpAnswer> {
    return this.http('POST', '/v1/auth/login', { json: { userId, password } });
  }

  /** Sends a prepared signed admin request as it is (also for replays). */
  sendSigned(req: SignedRequest): Promise<HttpAnswer> {
    return this.http(req.method, req.path, { body: req.body === '' ? undefined : req.body, headers: req.headers });
  }

  /** A correctly signed admin request (version 2). */
  admin(method: string, urlPath: string, body?: unknown): Promise<HttpAnswer> {
    return this.sendSigned(signedRequest(method, urlPath, body));
  }

  /** Uploads bytes; the upload must succeed. */
  async upload(token: string, bytes: Uint8Array, mime = 'application/octet-stream', name = 'file.bin'): Promise<{ fileId: string; size: number; mime: string }> {
    const res = await this.http('PUT', '/v1/files', { body: bytes, token, headers: { 'content-type': mime, 'x-file-name': name } });
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${res.text}`);
    return res.json as { fileId: string; size: number; mime: string };
  }
}

/**
 * Starts a fresh server for the enclosing describe block (or file) and cleans up after it: connections
 * after each test, the server and its data directory after all.
 */
export function useServer(config: StartConfig = {}): TestServer {
  const ts = new TestServer(config);
  beforeAll(async () => {
    await ts.start();
  });
  afterEach(() => {
    ts.closeClients();
    const violations = takeConformanceViolations();
    if (violations.length > 0) throw new Error(`the server sent frames outside protocol/'s schemas:\n${violations.slice(0, 10).join('\n')}`);
  });
  afterAll(async () => {
    await ts.dispose();
  });
  return ts;
}

/** Whether an HTTP answer carries the error body of docs/protocol.md with `code`. */
export function httpErrorCode(res: HttpAnswer): string | undefined {
  const e = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string' ? e.code : undefined;
}
