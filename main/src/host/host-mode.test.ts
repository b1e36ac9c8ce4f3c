import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HOST_IPC, type Api, type ConversationView, type MessageView, type NotificationRequest } from '../../../preload/contract.js';
import { DEFAULT_SETTINGS } from '../notify/core-context.js';
import { createEventBus } from '../ipc/event-bus.js';
import { fakeHandlers } from '../ipc/fake-handlers.js';
import { startHostMode, type HostMode } from './host-mode.js';
import { rawRequest } from './test-support.js';

let dir: string;
let host: HostMode;
const events = createEventBus();
const opened: Array<string | null> = [];

const team: ConversationView = {
  convId: 'g:team',
  kind: 'group',
  title: 'Team',
  lastSeq: 7,
  readSeq: 6,
  unread: 1,
  mentioned: false,
  muted: false,
  pinned: false,
  updatedAt: 1,
  lastMessage: null,
  draft: '',
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'parley-hostmode-'));
  await writeFile(path.join(dir, 'index.html'), '<html><head></head><body></body></html>');
  host = await startHostMode({
    staticDir: dir,
    events,
    systemLocale: 'en-US',
    coalesceMs: 50,
    handlers: fakeHandlers({
      'session.get': async () => ({ state: 'signed-in', userId: 'alice' }),
      'settings.get': async () => DEFAULT_SETTINGS,
      'conversations.list': async () => ({ conversations: [team] }),
      'users.get': async ({ userIds }) => ({ users: userIds.map((userId) => ({ userId, name: 'Bob', online: true, lastSeen: 0 })) }),
      'conversation.open': async ({ convId }) => void opened.push(convId),
    }),
  });
}, 60_000);
afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the served bridge script the way a browser tab at `href` would, with `ws` standing in for WebSocket. */
function browserTab(script: string, href: string, storage = new Map<string, string>()): { api: Api; storage: Map<string, string>; location: URL } {
  const location = new URL(href);
  class BrowserWebSocket {
    onopen: (() => void) | null = null;
    onmessage: ((e: { data: unknown }) => void) | null = null;
    onclose: ((e: { code: number }) => void) | null = null;
    private readonly ws: WebSocket;
    constructor(url: string, protocols: string[]) {
      this.ws = new WebSocket(url, protocols, { origin: location.origin });
      this.ws.on('open', () => this.onopen?.());
      this.ws.on('message', (data, isBinary) => this.onmessage?.({ data: isBinary ? data : data.toString() }));
      this.ws.on('close', (code) => this.onclose?.({ code }));
      this.ws.on('error', () => {});
    }
    send(text: string) {
      this.ws.send(text);
    }
    close() {
      this.ws.close();
    }
  }
  const context: Record<string, unknown> = {
    location,
    URLSearchParams,
    TextEncoder,
    setTimeout,
    clearTimeout,
    WebSocket: BrowserWebSocket,
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => storage.set(k, v) },
    history: {
      state: null,
      replaceState: (_s: unknown, _t: string, url: string) => {
        location.href = new URL(url, location.href).href;
      },
    },
  };
  context.window = context;
  vm.runInNewContext(script, context);
  return { api: context.api as Api, storage, location };
}

describe('host mode', () => {
  it('serves a bridge that installs window.api from the URL fragment and drives the core', async () => {
    const page = await rawRequest(host.port, '/');
    expect(page.body).toContain(`<head><script src="${HOST_IPC.bridgeScriptPath}"></script>`);
    const script = (await rawRequest(host.port, HOST_IPC.bridgeScriptPath)).body;

    const tab = browserTab(script, host.url);
    // The secret left the address bar for this tab's storage.
    expect(tab.location.hash).toBe('');
    expect(tab.storage.get(HOST_IPC.fragmentKey)).toBe(host.url.split('=')[1]);
    await expect(tab.api.session.get()).resolves.toEqual({ state: 'signed-in', userId: 'alice' });
    await tab.api.conversation.open({ convId: 'g:team' });
    expect(opened).toEqual(['g:team']);

    // A reload finds the secret in sessionStorage.
    const reloaded = browserTab(script, host.origin + '/', tab.storage);
    await expect(reloaded.api.session.get()).resolves.toMatchObject({ userId: 'alice' });
    // The rest of the fragment is the page's own.
    const routed = browserTab(script, `${host.origin}/#other=1&${HOST_IPC.fragmentKey}=${tab.storage.get(HOST_IPC.fragmentKey)}`);
    expect(routed.location.hash).toBe('#other=1');
    await expect(routed.api.session.get()).resolves.toMatchObject({ userId: 'alice' });

    // A tab without the secret gets nowhere.
    const stranger = browserTab(script, host.origin + '/');
    await expect(stranger.api.session.get()).rejects.toMatchObject({ name: 'ApiError', code: 'UNAVAILABLE' });
  });

  it('turns incoming messages into notification:requested, coalesced per conversation', async () => {
    const script = (await rawRequest(host.port, HOST_IPC.bridgeScriptPath)).body;
    const { api } = browserTab(script, host.url);
    await api.conversation.open({ convId: null });
    const toasts: NotificationRequest[] = [];
    api.on('notification:requested', (n) => toasts.push(n));
    const message = (seq: number): MessageView => ({
      convId: 'g:team',
      seq,
      clientMsgId: `c${seq}`,
      from: 'bob',
      ts: seq,
      kind: 'text',
      body: { text: `hello ${seq}` },
      status: 'sent',
      recalled: false,
      edited: false,
    });
    events.emit('message:added', { message: message(7) });
    events.emit('message:added', { message: message(8) });
    events.emit('message:added', { message: message(9) });
    await expect.poll(() => toasts.length, { timeout: 2000 }).toBe(2);
    expect(toasts[0]).toMatchObject({ tag: 'g:team', title: 'Team', body: 'Bob: hello 7', count: 1 });
    expect(toasts[1]).toMatchObject({ tag: 'g:team', body: '3 new messages from Bob', count: 3 });
  });
});
