import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/index.js';
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

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  for (const c of connections.splice(0)) c.stop();
  await server.destroy();
});

describe('ServerConnection', () => {
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
