import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOST_IPC, isApiError } from '../../../preload/contract.js';
import { createHostApi } from '../../../preload/host-bridge.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import { runHost, type RunningHost } from './run-host.js';
import { nodeSocketOpener, rawRequest } from './test-support.js';

let server: TestServer;
let host: RunningHost;
let dataDir: string;
let staticDir: string;

beforeEach(async () => {
  server = await startTestServer();
  dataDir = tempDir('host');
  staticDir = tempDir('static');
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Parley</title>');
  host = await runHost({ dataDir, staticDir, serverUrl: server.url, backoff: { baseMs: 20, capMs: 200 } });
});

afterEach(async () => {
  await host.close();
  await server.destroy();
  for (const d of [dataDir, staticDir]) fs.rmSync(d, { recursive: true, force: true });
});

function bridge(secret: string) {
  return createHostApi({
    url: `ws://127.0.0.1:${host.port}${HOST_IPC.path}`,
    secret,
    openSocket: nodeSocketOpener(`http://127.0.0.1:${host.port}`),
    minRetryMs: 20,
    maxRetryMs: 50,
  });
}

describe('host mode with the real core', () => {
  it('serves the page with the server prefilled and the secret only in the fragment', async () => {
    const url = new URL(host.url);
    expect(url.searchParams.get('server')).toBe(server.url);
    expect(url.hash).toContain('parley-secret=');
    const page = await rawRequest(host.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(host.secret);
  });

  it('drives the core through the bridge: sign up, send, and see the message stored', async () => {
    const { api, close } = bridge(host.secret);
    try {
      expect(await api.session.get()).toEqual({ state: 'signed-out' });
      const session = await api.auth.register({ serverUrl: server.url, userId: 'alice', password: 'correct horse battery', name: 'Alice' });
      expect(session).toMatchObject({ state: 'signed-in', userId: 'alice' });
      await server.register('bob');
      const { convId } = await api.conversation.startPrivate({ userId: 'bob' });
      expect(convId).toBe('p:alice|bob');
      await until(async () => (await api.connection.get()).state === 'online', 5000, 'online');
      await api.messages.send({ convId, kind: 'text', body: { text: 'from the browser' } });
      await until(async () => (await api.messages.list({ convId })).messages.some((m) => m.status === 'sent'), 5000, 'acked');
      const { conversations } = await api.conversations.list();
      expect(conversations).toMatchObject([{ convId, title: 'bob', lastMessage: { text: 'from the browser' } }]);
    } finally {
      close();
    }
  });

  it('refuses a wrong secret: calls fail and the core is untouched', async () => {
    const { api, close } = bridge('x'.repeat(43));
    try {
      const error = await api.session.get().catch((e: unknown) => e);
      expect(isApiError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      close();
    }
  });
});
