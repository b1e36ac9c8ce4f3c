import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULT_LIMITS, MalformedFrameError, ProtocolError, type ServerEvent } from '../../../protocol/index.js';
import { restartTestServer, startTestServer, until, type TestServer } from '../test-support/server.js';
import { NoAnswerError, ServerConnection, type ConnectionState } from './server-connection.js';
import { Backoff } from './backoff.js';

let server: TestServer;
const connections: ServerConnection[] = [];

function connect(token: string, deviceId = 'dev1'): ServerConnection {
  const conn = new ServerConnection({
    serverUrl: server.url,
    token,
    device: { id: deviceId, platform: 'test', app: 'parley-test' },
    backoff: { baseMs: 20, capMs: 200 },
  });
  connections.push(conn);
  conn.start();
  return conn;
}

function waitState(conn: ServerConnection, state: ConnectionState['state']): Promise<ConnectionState> {
  if (conn.state.state === state) return Promise.resolve(conn.state);
  return new Promise((resolve) => {
    const on = (s: ConnectionState) => {
      if (s.state === state) {
        conn.off('state', on);
        resolve(s);
      }
    };
    conn.on('state', on);
  });
}

describe('ServerConnection', () => {
  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    for (const c of connections.splice(0)) c.stop();
    await server.destroy();
  });

  it('says hello, answers requests and receives events', async () => {
    const alice = connect(await server.register('alice'));
    const bob = connect(await server.register('bob'));
    const online = await waitState(alice, 'online');
    expect(online).toMatchObject({ state: 'online', userId: 'alice' });
    await waitState(bob, 'online');
    const got = new Promise((resolve) => bob.on('event', (e) => e.ev === 'msg' && resolve(e.body)));
    const ack = await alice.request('send', { convId: 'p:alice|bob', clientMsgId: 'm1', kind: 'text', body: { text: 'hi' } });
    expect(ack.seq).toBe(1);
    expect(await got).toMatchObject({ seq: 1, from: 'alice', body: { text: 'hi' } });
  });

  it('turns error answers into typed errors', async () => {
    const alice = connect(await server.register('alice'));
    await waitState(alice, 'online');
    const err = await alice.request('history', { convId: 'p:bob|carol' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('FORBIDDEN');
  });

  it('reconnects after a drop and after a server restart', async () => {
    const alice = connect(await server.register('alice'));
    await waitState(alice, 'online');
    alice.drop();
    await waitState(alice, 'offline');
    await waitState(alice, 'online');
    server = await restartTestServer(server);
    await waitState(alice, 'online');
    await expect(alice.request('sync', {})).resolves.toHaveProperty('conversations');
  });

  it('fails requests made while offline with a retryable NoAnswerError', async () => {
    const alice = connect(await server.register('alice'));
    await waitState(alice, 'online');
    alice.stop();
    await expect(alice.request('sync', {})).rejects.toBeInstanceOf(NoAnswerError);
  });

  it('reports a refused token and stops retrying', async () => {
    const conn = connect('pt_' + 'x'.repeat(43));
    const failed = await new Promise<{ revoked: boolean }>((resolve) => conn.on('auth-failed', resolve));
    expect(failed.revoked).toBe(false);
    expect(conn.state).toMatchObject({ state: 'offline', nextRetryAt: null });
  });

  it('keeps the limits the server announced (PARLEY_RECALL_WINDOW_MS and the rest)', async () => {
    server = await restartTestServer(server, { recallWindowMs: 600_000, maxGroupMembers: 40 });
    const alice = connect(await server.register('alice'));
    await waitState(alice, 'online');
    expect(alice.limits).toMatchObject({ recallWindowMs: 600_000, maxGroupMembers: 40, maxTextChars: 8000, typingMaxGroupMembers: 100 });
  });

  it('sends a request answered RATE_LIMITED again after retryAfterMs instead of failing it', async () => {
    server = await restartTestServer(server, { fetchRate: 2, fetchBurst: 1 });
    const alice = connect(await server.register('alice'));
    await waitState(alice, 'online');
    const answers = await Promise.all([alice.request('sync', {}), alice.request('users.get', { userIds: ['alice'] }), alice.request('blocks', {})]);
    expect(answers[1].users.map((u) => u.userId)).toEqual(['alice']);
  });

  it('is refused by the per-user connection limit without signing out, and comes online once a slot frees', async () => {
    server = await restartTestServer(server, { maxConnectionsPerUser: 1 });
    const token = await server.register('alice');
    const first = connect(token, 'first');
    await waitState(first, 'online');
    const second = connect(token, 'second');
    let authFailed = false;
    second.on('auth-failed', () => (authFailed = true));
    const refused = await new Promise<ConnectionState>((resolve) => {
      const on = (s: ConnectionState) => {
        if (s.state === 'offline' && s.nextRetryAt !== null) {
          second.off('state', on);
          resolve(s);
        }
      };
      second.on('state', on);
    });
    expect(refused).toMatchObject({ reason: expect.stringContaining('too many connections') });
    first.stop();
    await waitState(second, 'online');
    expect(authFailed).toBe(false);
  });

  it('stops when another connection of the same device replaces it', async () => {
    const token = await server.register('alice');
    const first = connect(token, 'same');
    await waitState(first, 'online');
    const second = connect(token, 'same');
    await waitState(second, 'online');
    await until(() => first.state.state === 'offline', 5000, 'first connection replaced');
    expect(first.state).toMatchObject({ reason: expect.stringContaining('replaced') });
  });
});

describe('ServerConnection against a server that breaks the contract', () => {
  /** Answers each request with what `answer` returns (a frame object or raw text); `hello` is answered well unless `answer` says otherwise. */
  type Script = (req: { id: number; op: string; body: Record<string, unknown> }, socket: WebSocket) => unknown;
  let wss: WebSocketServer | null = null;
  let socket: WebSocket | null = null;
  const ok = (id: number, body: unknown) => ({ type: 'res', id, ok: true, body });
  const helloAnswer = (id: number) => ok(id, { userId: 'alice', sessionId: 's1', serverTime: Date.now(), limits: { maxFrameBytes: 1 << 20, sendPerSecond: 5, maxFileBytes: 1 << 20 } });

  async function fakeServer(script: Script): Promise<string> {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss!.once('listening', () => resolve()));
    wss.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => {
        const req = JSON.parse(String(data)) as { id: number; op: string; body: Record<string, unknown> };
        const out = script(req, ws) ?? (req.op === 'hello' ? helloAnswer(req.id) : undefined);
        if (out !== undefined) ws.send(typeof out === 'string' ? out : JSON.stringify(out));
      });
    });
    return `http://127.0.0.1:${(wss.address() as { port: number }).port}`;
  }

  afterEach(async () => {
    for (const c of connections.splice(0)) c.stop();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    wss = null;
    socket = null;
  });

  function open(serverUrl: string): { conn: ServerConnection; problems: string[]; events: ServerEvent[] } {
    const conn = new ServerConnection({ serverUrl, token: 't', device: { id: 'd', platform: 'test', app: 'test' }, backoff: { baseMs: 20, capMs: 200 } });
    const problems: string[] = [];
    const events: ServerEvent[] = [];
    conn.on('malformed', ({ problem }) => problems.push(problem));
    conn.on('event', (e) => events.push(e));
    connections.push(conn);
    conn.start();
    return { conn, problems, events };
  }

  async function failure(p: Promise<unknown>): Promise<ProtocolError> {
    const error = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }

  it('fails a request whose answer does not fit its op, naming the problem, and stays usable', async () => {
    const url = await fakeServer(({ id, op, body }) => {
      if (op === 'send') return ok(id, body.clientMsgId === 'bad' ? { msgId: 'm', seq: '1', ts: 5 } : { msgId: 'm', seq: 1, ts: 5 });
      if (op === 'sync') return ok(id, { conversations: [{ convId: 'p:bob|alice', kind: 'private' }] });
      return undefined;
    });
    const { conn, problems } = open(url);
    await waitState(conn, 'online');
    const send = { convId: 'p:alice|bob', kind: 'text', body: { text: 'hi' } };
    const error = await failure(conn.request('send', { ...send, clientMsgId: 'bad' }));
    expect(error).toBeInstanceOf(MalformedFrameError);
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/^malformed answer to send: \/seq/);
    expect((await failure(conn.request('sync', {}))).message).toMatch(/sync.*conversations\/0/);
    await expect(conn.request('send', { ...send, clientMsgId: 'good' })).resolves.toEqual({ msgId: 'm', seq: 1, ts: 5 });
    expect(problems).toHaveLength(2);
    expect(conn.state.state).toBe('online');
  });

  it('fails a request at once when its answer’s envelope is broken, and survives frames that are not JSON', async () => {
    const url = await fakeServer(({ id, op }) => {
      if (op === 'blocks') return { type: 'res', id, ok: 'yes', body: {} };
      if (op === 'read') return 'not json {';
      if (op === 'typing') return ok(id, {});
      return undefined;
    });
    const { conn, problems } = open(url);
    await waitState(conn, 'online');
    const error = await failure(conn.request('blocks', {}));
    expect(error).toBeInstanceOf(MalformedFrameError);
    expect(error.message).toMatch(/^malformed frame/);
    void conn.request('read', { convId: 'p:alice|bob', seq: 1 }).catch(() => undefined);
    // Answered after the garbage, on the same socket: the connection lived through it.
    await expect(conn.request('typing', { convId: 'p:alice|bob' })).resolves.toEqual({});
    expect(problems).toEqual([expect.stringMatching(/^malformed frame/), 'a frame that is not JSON']);
  });

  it('drops malformed events with a report, ignores unknown ones, and delivers the rest', async () => {
    const url = await fakeServer(() => undefined);
    const { conn, problems, events } = open(url);
    await waitState(conn, 'online');
    const push = (ev: string, body: unknown) => socket!.send(JSON.stringify({ type: 'evt', ev, body }));
    push('typing', { convId: 'p:alice|bob' });
    push('msg', { convId: 'p:alice|bob', seq: 1, msgId: 'm', clientMsgId: 'c', from: 'bob', ts: 1, kind: 'text', body: { text: 7 } });
    push('reaction.added', { convId: 'p:alice|bob' });
    push('presence', { userId: 'bob', online: true, lastSeen: 0, device: 'new field' });
    await until(() => events.length > 0, 5000, 'the well-formed event');
    expect(events).toEqual([{ ev: 'presence', body: { userId: 'bob', online: true, lastSeen: 0, device: 'new field' } }]);
    expect(problems).toEqual([expect.stringMatching(/^malformed typing event: \/userId/), expect.stringMatching(/^malformed msg event/)]);
  });

  it('reads an error code it does not know as BAD_REQUEST, keeping the server’s code', async () => {
    const url = await fakeServer(({ id, op }) => (op === 'sync' ? { type: 'res', id, ok: false, error: { code: 'QUOTA_EXCEEDED', message: 'too many', limit: 3 } } : undefined));
    const { conn } = open(url);
    await waitState(conn, 'online');
    const error = await failure(conn.request('sync', {}));
    expect(error).not.toBeInstanceOf(MalformedFrameError);
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.extra).toEqual({ serverCode: 'QUOTA_EXCEEDED', limit: 3 });
  });

  it('does not go online on a malformed hello answer: it reports it and tries again', async () => {
    let hellos = 0;
    const url = await fakeServer(({ id, op }) => {
      if (op !== 'hello') return undefined;
      hellos++;
      return hellos === 1 ? ok(id, { userId: 'alice', sessionId: 's1' }) : helloAnswer(id);
    });
    const { conn, problems } = open(url);
    await waitState(conn, 'online');
    expect(hellos).toBe(2);
    expect(problems).toEqual([expect.stringMatching(/^malformed answer to hello/)]);
  });

  it('reconnects after a close with 1013, backing off further each time even though each hello succeeded', async () => {
    let hellos = 0;
    const url = await fakeServer(({ id, op }, ws) => {
      if (op !== 'hello') return undefined;
      hellos++;
      if (hellos <= 4) setImmediate(() => ws.close(1013, 'server output over its limit; reconnect later'));
      return helloAnswer(id);
    });
    const conn = new ServerConnection({ serverUrl: url, token: 't', device: { id: 'd', platform: 'test', app: 'test' }, backoff: { baseMs: 20, capMs: 1000, random: () => 1 } });
    connections.push(conn);
    const delays: number[] = [];
    let authFailed = false;
    conn.on('auth-failed', () => (authFailed = true));
    conn.on('state', (s) => {
      if (s.state === 'offline' && s.nextRetryAt !== null) delays.push(s.nextRetryAt - Date.now());
    });
    conn.start();
    await until(() => hellos === 5 && conn.online, 10_000, 'online after four sheddings');
    expect(authFailed).toBe(false);
    expect(delays).toHaveLength(4);
    // 20, 40, 80, 160 ms: the backoff is not reset by hellos that are shed again.
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThan(delays[i - 1]! * 1.5);
  });

  it('keeps the limits hello announced, with the protocol defaults for what an older server leaves out', async () => {
    const url = await fakeServer(() => undefined);
    const { conn } = open(url);
    expect(conn.limits).toBeNull();
    const announced = new Promise((resolve) => conn.once('limits', resolve));
    await waitState(conn, 'online');
    expect(await announced).toEqual({ ...DEFAULT_LIMITS, maxFrameBytes: 1 << 20, maxFileBytes: 1 << 20 });
    expect(conn.limits?.recallWindowMs).toBe(DEFAULT_LIMITS.recallWindowMs);
  });
});

describe('Backoff', () => {
  it('grows exponentially up to the cap, with jitter, and resets', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 1 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
    const low = new Backoff({ baseMs: 100, capMs: 30_000, random: () => 0 });
    expect(low.next()).toBeGreaterThan(0);
  });
});
