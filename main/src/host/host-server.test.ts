import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../../protocol/errors.js';
import { HOST_IPC, isApiError, type ApiHandlers, type MessageView } from '../../../preload/contract.js';
import { createHostApi, type BridgeState, type HostApi } from '../../../preload/host-bridge.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import { createEventBus, type ApiEventBus } from '../ipc/event-bus.js';
import { fakeHandlers } from '../ipc/fake-handlers.js';
import { startHostServer, type HostServer } from './host-server.js';
import { closeCode, connectRaw, nextMessage, nodeSocketOpener, rawRequest } from './test-support.js';

const SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuv';
const BRIDGE = '/* bridge */ window.bridged = true;';

let dir: string;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'parley-host-'));
  await mkdir(path.join(dir, 'root', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'root', 'index.html'), '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  await writeFile(path.join(dir, 'root', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'do not serve');
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const message: MessageView = {
  convId: 'g:team',
  seq: 7,
  clientMsgId: 'c7',
  from: 'bob',
  ts: 1,
  kind: 'text',
  body: { text: 'hi' },
  status: 'sent',
  recalled: false,
  edited: false,
};

async function start(overrides: Partial<ApiHandlers> = {}, options: { port?: number; events?: ApiEventBus } = {}) {
  const events = options.events ?? createEventBus();
  const handlers = fakeHandlers({
    'session.get': async () => ({ state: 'signed-in', userId: 'alice' }),
    'connection.get': async () => ({ state: 'online', queued: 0 }),
    ...overrides,
  });
  const server = await startHostServer({
    staticDir: path.join(dir, 'root'),
    dispatcher: createDispatcher(handlers),
    events,
    secret: SECRET,
    bridgeScript: BRIDGE,
    port: options.port,
  });
  cleanups.push(() => server.close());
  return { server, events };
}

function bridge(server: HostServer, options: { secret?: string; origin?: string; onStateChange?: (s: BridgeState) => void } = {}): HostApi {
  const hostApi = createHostApi({
    url: `ws://127.0.0.1:${server.port}${HOST_IPC.path}`,
    secret: options.secret ?? SECRET,
    openSocket: nodeSocketOpener(options.origin ?? server.origin),
    minRetryMs: 20,
    maxRetryMs: 50,
    onStateChange: options.onStateChange,
  });
  cleanups.push(() => hostApi.close());
  return hostApi;
}

const ipcUrl = (server: HostServer) => `ws://127.0.0.1:${server.port}${HOST_IPC.path}`;
const secretProtocol = (secret: string) => HOST_IPC.secretProtocolPrefix + secret;

describe('host server: static files', () => {
  it('serves the renderer with a strict CSP and the bridge injected first in <head>', async () => {
    const { server } = await start();
    expect(server.url).toBe(`${server.origin}/#${HOST_IPC.fragmentKey}=${SECRET}`);
    const page = await rawRequest(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    for (const directive of ["default-src 'self'", "script-src 'self'", `connect-src 'self' ws://127.0.0.1:${server.port}`, "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain(`<head><script src="${HOST_IPC.bridgeScriptPath}"></script><meta charset="utf-8">`);

    const js = await rawRequest(server.port, '/assets/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log(1)');
    const bridgeJs = await rawRequest(server.port, HOST_IPC.bridgeScriptPath);
    expect(bridgeJs.body).toBe(BRIDGE);
    expect((await rawRequest(server.port, '/some/route')).body).toContain('<html>');
    expect((await rawRequest(server.port, '/assets/app.js', { method: 'HEAD' })).body).toBe('');
  });

  it('refuses traversal, other methods and foreign Host headers', async () => {
    const { server } = await start();
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%5c..%5csecret.txt', '/missing.js']) {
      const res = await rawRequest(server.port, p);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('do not serve');
      expect(res.headers['content-security-policy']).toBeDefined();
    }
    expect((await rawRequest(server.port, '/', { method: 'POST' })).status).toBe(405);
    // DNS rebinding: a page at evil.example resolving to 127.0.0.1 names itself in Host.
    expect((await rawRequest(server.port, '/', { headers: { host: `evil.example:${server.port}` } })).status).toBe(403);
    expect((await rawRequest(server.port, '/', { headers: { host: `localhost:${server.port}` } })).status).toBe(403);
  });
});

describe('host server: who may connect', () => {
  it('closes with 4401 a socket without the secret, with a wrong one, or from another origin', async () => {
    const { server } = await start();
    const attempts: Array<[string[], string | undefined]> = [
      [[HOST_IPC.protocol], server.origin],
      [[], server.origin],
      [[HOST_IPC.protocol, secretProtocol('wrong-secret-wrong-secret-wrong-secret-00')], server.origin],
      [[HOST_IPC.protocol, secretProtocol(SECRET.slice(0, -1))], server.origin],
      [[HOST_IPC.protocol, secretProtocol(SECRET)], 'http://127.0.0.1:1'],
      [[HOST_IPC.protocol, secretProtocol(SECRET)], `http://localhost:${server.port}`],
      [[HOST_IPC.protocol, secretProtocol(SECRET)], 'null'],
      [[HOST_IPC.protocol, secretProtocol(SECRET)], undefined],
    ];
    for (const [protocols, origin] of attempts) {
      const ws = await connectRaw(ipcUrl(server), protocols, origin);
      const frames: unknown[] = [];
      ws.on('message', (d) => frames.push(d.toString()));
      ws.send(JSON.stringify({ id: 1, method: 'session.get', arg: {} }));
      expect(await closeCode(ws), JSON.stringify({ protocols, origin })).toBe(4401);
      expect(frames).toEqual([]);
    }
  });

  it('never echoes the secret in the handshake, and serves no other socket path', async () => {
    const { server } = await start();
    const ws = await connectRaw(ipcUrl(server), [HOST_IPC.protocol, secretProtocol(SECRET)], server.origin);
    expect(ws.protocol).toBe(HOST_IPC.protocol);
    ws.close();
    await expect(connectRaw(`ws://127.0.0.1:${server.port}/other`, [HOST_IPC.protocol, secretProtocol(SECRET)], server.origin)).rejects.toThrow(/404/);
  });

  it('makes the bridge give up on refusal instead of retrying', async () => {
    const { server } = await start();
    const states: BridgeState[] = [];
    const { api } = bridge(server, { secret: 'x'.repeat(40), onStateChange: (s) => states.push(s) });
    const error = await api.session.get().catch((e: unknown) => e);
    expect(isApiError(error) && error.code).toBe('UNAVAILABLE');
    expect(states).toContain('refused');
    await new Promise((r) => setTimeout(r, 100));
    expect(states.filter((s) => s === 'connecting').length).toBeLessThanOrEqual(1);
    await expect(api.session.get()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('host server: the contract over the socket', () => {
  it('answers calls, validates them, and carries typed errors', async () => {
    const { server } = await start({
      'messages.recall': async () => {
        throw new ProtocolError('FORBIDDEN', 'too late');
      },
    });
    const { api } = bridge(server);
    await expect(api.session.get()).resolves.toEqual({ state: 'signed-in', userId: 'alice' });
    await expect(api.messages.recall({ convId: 'g:team', seq: 3 })).rejects.toEqual({ name: 'ApiError', code: 'FORBIDDEN', message: 'too late' });
    await expect(api.messages.list({ convId: 'g:team', limit: 1000 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(api.users.get({ userIds: ['ok', 'not ok!'] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('carries bytes both ways intact', async () => {
    const received = vi.fn();
    const { server } = await start({
      'messages.sendFile': async (arg) => {
        received(arg.data);
        return { clientMsgId: `bytes-${arg.data.byteLength}` };
      },
      'files.read': async () => ({ data: new Uint8Array([0, 255, 128, 1]), mime: 'image/png', size: 4 }),
    });
    const { api } = bridge(server);
    const data = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7) & 0xff);
    await expect(api.messages.sendFile({ convId: 'g:team', name: 'a.bin', mime: 'application/octet-stream', data })).resolves.toEqual({
      clientMsgId: 'bytes-100003',
    });
    const got = received.mock.calls[0]?.[0] as Uint8Array;
    expect(got).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    const file = await api.files.read({ convId: 'g:team', fileId: 'AbCdEfGh1234' });
    expect(file.data).toBeInstanceOf(Uint8Array);
    expect([...file.data!]).toEqual([0, 255, 128, 1]);
  });

  it('delivers events to every connected page', async () => {
    const { server, events } = await start();
    const a = bridge(server).api;
    const b = bridge(server).api;
    await Promise.all([a.session.get(), b.session.get()]);
    const seenA = new Promise((resolve) => a.on('message:added', resolve));
    const seenB = new Promise((resolve) => b.on('message:added', resolve));
    events.emit('message:added', { message });
    expect(await seenA).toEqual({ message });
    expect(await seenB).toEqual({ message });
  });

  it('answers malformed frames with BAD_REQUEST and keeps the socket', async () => {
    const { server } = await start();
    const ws = await connectRaw(ipcUrl(server), [HOST_IPC.protocol, secretProtocol(SECRET)], server.origin);
    const ask = async (frame: string | Buffer) => {
      const answer = nextMessage(ws);
      ws.send(frame);
      return answer;
    };
    expect(await ask('not json')).toMatchObject({ id: 0, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(await ask('[1,2]')).toMatchObject({ id: 0, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(await ask(JSON.stringify({ id: 5, method: 'session.get', arg: {}, extra: 1 }))).toMatchObject({ id: 5, result: { ok: false } });
    expect(await ask(JSON.stringify({ id: -1, method: 'session.get' }))).toMatchObject({ id: 0, result: { ok: false } });
    expect(await ask(Buffer.from([1, 2, 3]))).toMatchObject({ id: 0, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(await ask(JSON.stringify({ id: 6, method: 'nope', arg: {} }))).toMatchObject({ id: 6, result: { ok: false, error: { code: 'BAD_REQUEST' } } });
    expect(await ask(JSON.stringify({ id: 7, method: 'session.get', arg: {} }))).toEqual({ id: 7, result: { ok: true, value: { state: 'signed-in', userId: 'alice' } } });
    ws.close();
  });
});

describe('host bridge across a host restart', () => {
  it('fails pending calls with UNAVAILABLE, reconnects, and tells the page to refresh', async () => {
    const events = createEventBus();
    let release: () => void = () => {};
    const first = await start({ 'typing.send': () => new Promise<void>((resolve) => (release = resolve)) }, { events });
    const { api } = bridge(first.server);
    await api.session.get();
    const pending = api.typing.send({ convId: 'g:team' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    const closing = first.server.close();
    release();
    await closing;
    expect(await pending).toMatchObject({ name: 'ApiError', code: 'UNAVAILABLE' });

    const resynced = new Promise((resolve) => api.on('session:changed', resolve));
    const second = await start({ 'session.get': async () => ({ state: 'signed-in', userId: 'alice2' }) }, { port: first.server.port });
    expect(await resynced).toEqual({ state: 'signed-in', userId: 'alice2' });
    await expect(api.connection.get()).resolves.toEqual({ state: 'online', queued: 0 });
    await second.server.close();
  });
});
