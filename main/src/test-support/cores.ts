/** Test support: ClientCores in temporary data directories, signed in to a test server, and their events. */
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { ApiArg, ApiEventName, ApiEvents, ApiMethod, ApiReturn } from '../../../preload/contract.js';
import { ClientCore, type ClientCoreOptions } from '../core/client-core.js';
import { tempDir, until, type TestServer } from './server.js';

export const TEST_ADMIN = { appKey: 'test-app', appSecret: 'test-secret-0123456789' } as const;

export class CoreFixture {
  private readonly cores: ClientCore[] = [];
  private readonly dirs: string[] = [];

  /** `backoff`: reconnect delays (default: fast, for tests); `more`: other options of the core. */
  newCore(dataDir = tempDir('client'), backoff = { baseMs: 20, capMs: 300 }, more: Partial<ClientCoreOptions> = {}): ClientCore {
    this.dirs.push(dataDir);
    const core = new ClientCore({ dataDir, platform: 'test', appVersion: 'test', backoff, ...more });
    this.cores.push(core);
    core.start();
    return core;
  }

  /** Stops a core without deleting its data directory (a restart of the app). */
  async stopCore(core: ClientCore): Promise<void> {
    await core.stop();
  }

  async cleanup(): Promise<void> {
    for (const c of this.cores.splice(0)) await c.stop();
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Calls a handler as the renderer would (arguments are trusted here: validation is the dispatcher's job). */
export function call<M extends ApiMethod>(core: ClientCore, method: M, arg: ApiArg<M>): Promise<ApiReturn<M>> {
  return (core.handlers[method] as (a: ApiArg<M>, ctx: unknown) => Promise<ApiReturn<M>>)(arg, { transport: 'host', clientId: 't' });
}

export function nextEvent<E extends ApiEventName>(
  core: ClientCore,
  event: E,
  predicate: (p: ApiEvents[E]) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ApiEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event`));
    }, timeoutMs);
    const off = core.events.on(event, (payload) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

export async function signUp(core: ClientCore, server: TestServer, userId: string): Promise<void> {
  await call(core, 'auth.register', { serverUrl: server.url, userId, password: 'correct horse battery', name: userId.toUpperCase() });
  await until(() => core.current?.conn.online === true, 10_000, `${userId} online`);
}

export function texts(core: ClientCore, convId: string): string[] {
  return core.current!.store.listMessages(convId, { limit: 500 }).map((m) => String(m.body.text ?? ''));
}

/**
 * A signed admin API call (docs/protocol.md "Admin API", signature version 2 of part 2), for servers started with
 * TEST_ADMIN's key. `path` may carry a query; no `?` signs an empty one.
 */
export async function admin(server: TestServer, method: string, path: string, payload?: unknown): Promise<Response> {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const nonce = randomUUID();
  const ts = String(Date.now());
  const q = path.indexOf('?');
  const signed = ['v2', method, q < 0 ? path : path.slice(0, q), q < 0 ? '' : path.slice(q + 1), nonce, ts, body].join('\n');
  const signature = createHmac('sha256', TEST_ADMIN.appSecret).update(signed).digest('hex');
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      'X-App-Key': TEST_ADMIN.appKey,
      'X-Nonce': nonce,
      'X-Timestamp': ts,
      'X-Signature-Version': '2',
      'X-Signature': signature,
      'Content-Type': 'application/json',
    },
    ...(body ? { body } : {}),
  });
}
