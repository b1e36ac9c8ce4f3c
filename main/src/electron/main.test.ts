/**
 * The Electron app's entry (main.ts) run whole on the stand-in electron module and electron-updater: the real
 * core, electron-host and updater, a real server behind a proxy that can hold a message in flight, and an update
 * feed on a local HTTP server. main.ts runs on import, so each launch imports it afresh after setting the
 * environment, as the launcher and Electron would.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as FsPromises from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { privateConvId } from '../../../protocol/ids.js';
import type { MenuItemConstructorOptions } from 'electron';
import { IPC_CHANNELS, type ApiArg, type ApiMethod, type ApiResult, type ApiReturn, type MessageView, type UpdateView } from '../../../preload/contract.js';
import { CoreFixture, call, signUp, texts } from '../test-support/cores.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import { startPausableProxy, type PausableProxy } from './test-support/pausable-proxy.js';

const { fake, updater, layout } = await vi.hoisted(async () => {
  const { createFakeElectron } = await import('./test-support/fake-electron.js');
  const { FakeAutoUpdater } = await import('./test-support/fake-updater.js');
  const fake = createFakeElectron();
  const updater = new FakeAutoUpdater({ get app() { return fake.app; }, windows: () => fake.BrowserWindow.getAllWindows(), journal: fake.journal });
  return { fake, updater, layout: { builtRenderer: '', rendererDir: '' } };
});
vi.mock('electron', () => fake.module);
vi.mock('electron-updater', () => ({ autoUpdater: updater }));
// main.ts serves the renderer built next to its bundle (out/renderer); here that is a temporary directory.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const realpath = ((p: fs.PathLike, ...rest: unknown[]) =>
    (actual.realpath as (...a: unknown[]) => Promise<string>)(String(p) === layout.builtRenderer ? layout.rendererDir : p, ...rest)) as typeof actual.realpath;
  return { ...actual, realpath, default: { ...actual, realpath } };
});

let server: TestServer;
let proxy: PausableProxy;
let feed: http.Server;
let feedUrl: string;
let feedRequests = 0;
const fixture = new CoreFixture();
let root: string;
let users = 0;
const ENV_KEYS = ['PARLEY_USER_DATA', 'PARLEY_LOG_LEVEL', 'PARLEY_UPDATE_URL', 'PARLEY_DEFAULT_SERVER', 'PARLEY_RENDERER_URL', 'PARLEY_SQLITE_BINDING', 'XDG_CONFIG_HOME', 'APPIMAGE'] as const;
const saved = { env: Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]])), resourcesPath: process.resourcesPath };
const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };

beforeAll(async () => {
  server = await startTestServer();
  proxy = await startPausableProxy({ port: server.port });
  const update = fs.readFileSync(path.join(import.meta.dirname, '../updater/fixtures/latest-newer.yml'), 'utf8');
  feed = http.createServer((req, res) => {
    feedRequests += 1;
    return req.url?.endsWith('.yml') ? res.end(update) : res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await proxy.close();
  await server.destroy();
  await new Promise((resolve) => feed.close(resolve));
});

beforeEach(() => {
  root = tempDir('electron-main');
  layout.builtRenderer = path.resolve(import.meta.dirname, '../../out/renderer'); // main.ts's __dirname/../..
  layout.rendererDir = path.join(root, 'out', 'renderer');
  fs.mkdirSync(layout.rendererDir, { recursive: true });
  fs.writeFileSync(path.join(layout.rendererDir, 'index.html'), '<!doctype html><title>Parley</title>');
  fs.mkdirSync(path.join(root, 'resources'));
  // What Electron provides and the launcher sets.
  setResourcesPath(path.join(root, 'resources'));
  process.env.PARLEY_USER_DATA = path.join(root, 'user-data');
  process.env.PARLEY_LOG_LEVEL = 'silent';
  process.env.PARLEY_UPDATE_URL = feedUrl;
  process.env.PARLEY_DEFAULT_SERVER = proxy.url;
  delete process.env.PARLEY_RENDERER_URL;
  delete process.env.PARLEY_SQLITE_BINDING;
  delete process.env.APPIMAGE;
  process.env.XDG_CONFIG_HOME = path.join(root, 'config');
  updater.offered = '1.3.0';
  updater.installs.length = 0;
  updater.onQuitAndInstall = () => {};
  proxy.resume();
});

afterEach(async () => {
  proxy.resume();
  if (fake.windows().length > 0 && !fake.app.exited) {
    fake.app.quit();
    await fake.app.whenExited();
  }
  dropSignalListeners();
  for (const key of ENV_KEYS) {
    if (saved.env[key] === undefined) delete process.env[key];
    else process.env[key] = saved.env[key];
  }
  setResourcesPath(saved.resourcesPath);
  await fixture.cleanup();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Electron's process.resourcesPath (read-only in its types): where app-update.yml would be. */
function setResourcesPath(dir: string | undefined): void {
  (process as { resourcesPath?: string }).resourcesPath = dir;
}

/** The listeners main.ts adds for SIGINT and SIGTERM (quit as the Quit menu does). */
function addedSignalListeners(signal: 'SIGINT' | 'SIGTERM'): Array<(...args: unknown[]) => void> {
  return process.listeners(signal).filter((l) => !signals[signal].includes(l)) as Array<(...args: unknown[]) => void>;
}
function dropSignalListeners(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) for (const l of addedSignalListeners(signal)) process.off(signal, l);
}

/** One run of the app: a fresh process as far as main.ts can tell. */
interface Run {
  invoke<M extends ApiMethod>(method: M, arg: ApiArg<M>): Promise<ApiResult<ApiReturn<M>>>;
  events<T>(name: string): T[];
}

async function launchApp(options: { packaged?: boolean } = {}): Promise<Run> {
  fake.reset();
  fake.app.isPackaged = options.packaged ?? false;
  dropSignalListeners();
  vi.resetModules();
  fake.app.becomeReady();
  await import('./main.js');
  // main() is done when it listens for signals; the core starts right after.
  await until(() => addedSignalListeners('SIGTERM').length === 1, 10_000, 'main() to finish');
  const window = fake.windows()[0]!;
  return {
    invoke: (method, arg) => fake.ipcMain.invoke(IPC_CHANNELS.invoke, { sender: window.webContents }, method, arg) as never,
    events: <T>(name: string) => window.webContents.events(IPC_CHANNELS.event, name) as T[],
  };
}

async function value<T>(result: Promise<ApiResult<T>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** Signs a new user up from the app's window, through the proxy; returns its id. */
async function signUpInApp(app: Run): Promise<string> {
  const id = `me${++users}`;
  await value(app.invoke('auth.register', { serverUrl: proxy.url, userId: id, password: 'correct horse battery', name: id }));
  await until(async () => (await value(app.invoke('connection.get', {}))).state === 'online', 10_000, 'online');
  return id;
}

async function peer(): Promise<{ id: string; core: ReturnType<CoreFixture['newCore']> }> {
  const core = fixture.newCore();
  const id = `peer${++users}`;
  await signUp(core, server, id);
  return { id, core };
}

/** Sends a text from the app while the proxy holds it: written by the client, not yet acknowledged. */
async function sendHeld(app: Run, convId: string, text: string): Promise<string> {
  proxy.pause();
  const { clientMsgId } = await value(app.invoke('messages.send', { convId, kind: 'text', body: { text } }));
  await until(() => proxy.held() > 0, 5000, 'the message on its way');
  return clientMsgId;
}

async function storedStatus(app: Run, convId: string, clientMsgId: string): Promise<string | undefined> {
  const { messages } = await value(app.invoke('messages.list', { convId }));
  return messages.find((m) => m.clientMsgId === clientMsgId)?.status;
}

const acknowledged = (app: Run, clientMsgId: string) =>
  app.events<{ message: MessageView }>('message:updated').some(({ message }) => message.clientMsgId === clientMsgId && message.status === 'sent');

describe('main.ts', () => {
  it('keeps its data where PARLEY_USER_DATA says, seals the token with the OS keychain, and resumes the session at the next launch', async () => {
    let app = await launchApp();
    expect(fake.app.getPath('userData')).toBe(process.env.PARLEY_USER_DATA);
    expect(fake.app.getPath('logs')).toBe(path.join(process.env.PARLEY_USER_DATA!, 'logs'));
    expect(fs.existsSync(path.join(process.env.PARLEY_USER_DATA!, 'logs', 'main.log'))).toBe(true);
    expect(fake.windows()[0]!.loadedUrls).toEqual([`parley://app/index.html?server=${encodeURIComponent(proxy.url)}`]);
    expect(fake.windows()[0]!.options.webPreferences?.preload).toBe(path.join(import.meta.dirname, '../preload/electron-preload.cjs'));
    expect(await value(app.invoke('app.info', {}))).toMatchObject({ hostKind: 'electron', version: '1.0.0', openAtLoginSupported: true, defaultServerUrl: proxy.url });

    const me = await signUpInApp(app);
    const saved = JSON.parse(fs.readFileSync(path.join(process.env.PARLEY_USER_DATA!, 'accounts.json'), 'utf8'));
    expect(saved.sessions).toHaveLength(1);
    const session = saved.sessions[0];
    expect(session).toMatchObject({ userId: me, serverUrl: proxy.url });
    expect(session.sealedToken).toMatch(/^k1:/);
    expect(fake.safeStorage.decryptString(Buffer.from(session.sealedToken.slice(3), 'base64'))).not.toBe('');
    expect(JSON.stringify(session)).not.toContain(fake.safeStorage.decryptString(Buffer.from(session.sealedToken.slice(3), 'base64')));

    fake.Tray.all[0]!.contextMenu!.click('Quit');
    await fake.app.whenExited();

    app = await launchApp();
    expect(await value(app.invoke('session.get', {}))).toMatchObject({ state: 'signed-in', userId: me });
  });

  it('after a relaunch that resumed the session, notifies of messages and counts them on the tray', async () => {
    let app = await launchApp();
    const me = await signUpInApp(app);
    const other = await peer();
    fake.Tray.all[0]!.contextMenu!.click('Quit');
    await fake.app.whenExited();

    app = await launchApp();
    await until(async () => (await value(app.invoke('connection.get', {}))).state === 'online', 10_000, 'online again');
    fake.windows()[0]!.blur();
    const { convId } = await call(other.core, 'conversation.startPrivate', { userId: me });
    await call(other.core, 'messages.send', { convId, kind: 'text', body: { text: 'welcome back' } });
    await until(() => app.events('message:added').length > 0, 10_000, 'the message');
    await until(() => fake.Notification.all.length > 0, 5000, 'a notification');
    expect(fake.Notification.all[0]).toMatchObject({ title: other.id.toUpperCase(), body: 'welcome back' });
    await until(() => fake.Tray.all[0]!.tooltip === 'Parley — 1 unread message', 5000, 'the tray’s count');
  });

  it('checks, downloads and offers the update; "restart to update" installs only once the message in flight is acknowledged', async () => {
    const app = await launchApp();
    const me = await signUpInApp(app);
    const other = await peer();
    const { convId } = await value(app.invoke('conversation.startPrivate', { userId: other.id }));

    expect(await value(app.invoke('updates.check', {}))).toMatchObject({ state: 'ready', version: '1.3.0', supported: true, currentVersion: '1.0.0' });
    const states = app.events<UpdateView>('update:changed').map((v) => (v.state === 'downloading' ? `downloading ${v.progress}` : v.state));
    expect(states).toEqual(['checking', 'downloading 0', 'downloading 0.25', 'downloading 0.5', 'downloading 1', 'ready']);
    expect(updater.feedUrls.at(-1)).toEqual({ provider: 'generic', url: feedUrl });
    expect(updater).toMatchObject({ channel: 'latest', allowDowngrade: false, forceDevUpdateConfig: true }); // a development run

    const clientMsgId = await sendHeld(app, convId, 'sent just before the update');
    let acknowledgedAtInstall: boolean | null = null;
    updater.onQuitAndInstall = () => (acknowledgedAtInstall = acknowledged(app, clientMsgId));
    const restart = app.invoke('updates.restart', {});
    await new Promise((r) => setTimeout(r, 300)); // the message stays in flight a while
    proxy.resume();
    expect(await restart).toEqual({ ok: true, value: undefined });
    await fake.app.whenExited();
    expect(acknowledgedAtInstall).toBe(true);
    expect(updater.installs).toEqual([{ isSilent: true, isForceRunAfter: true }]);
    // The window closed for the installer rather than hiding to the tray.
    expect(fake.windows()[0]!.isDestroyed()).toBe(true);
    await until(() => texts(other.core, privateConvId(me, other.id)).includes('sent just before the update'), 5000, 'delivery');
  });

  it('"Check for Updates…" in the menu checks now; a development copy without an update URL offers none', async () => {
    let app = await launchApp();
    const help = fake.Menu.applicationMenu!.template.find((m) => m.role === 'help')!;
    const item = (help.submenu as MenuItemConstructorOptions[]).find((i) => i.id === 'check-for-updates')!;
    (item.click as () => void)();
    await until(() => app.events<UpdateView>('update:changed').some((v) => v.state === 'ready' && v.version === '1.3.0'), 5000, 'the update ready');
    fake.app.quit();
    await fake.app.whenExited();

    delete process.env.PARLEY_UPDATE_URL;
    app = await launchApp();
    const helpNow = fake.Menu.applicationMenu!.template.find((m) => m.role === 'help')!;
    expect((helpNow.submenu as MenuItemConstructorOptions[]).map((i) => i.id ?? i.role)).toEqual(['about']);
    expect(await value(app.invoke('updates.get', {}))).toMatchObject({ supported: false, error: 'a development run does not update itself' });
    expect(await app.invoke('updates.restart', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('a packaged app ignores PARLEY_UPDATE_URL: it checks the https feed built into it, and its log says so without the URL', async () => {
    // The feed built in (app-update.yml) is https and answers nothing here; PARLEY_UPDATE_URL names the local feed.
    fs.writeFileSync(path.join(process.resourcesPath, 'app-update.yml'), 'provider: generic\nurl: https://127.0.0.1:1/parley/\n');
    process.env.PARLEY_SQLITE_BINDING = createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    process.env.PARLEY_LOG_LEVEL = 'warn';
    const before = feedRequests;
    const app = await launchApp({ packaged: true });
    const help = fake.Menu.applicationMenu!.template.find((m) => m.role === 'help')!;
    ((help.submenu as MenuItemConstructorOptions[]).find((i) => i.id === 'check-for-updates')!.click as () => void)();
    await until(() => app.events<UpdateView>('update:changed').some((v) => v.state === 'error'), 10_000, 'the built-in feed to fail');
    expect(app.events<UpdateView>('update:changed').some((v) => v.state === 'ready' || v.state === 'downloading')).toBe(false);
    expect(feedRequests).toBe(before);
    const logFile = path.join(process.env.PARLEY_USER_DATA!, 'logs', 'main.log');
    await until(() => fs.existsSync(logFile) && fs.readFileSync(logFile, 'utf8').includes('PARLEY_UPDATE_URL is ignored by a packaged app'), 5000, 'the log line');
    expect(fs.readFileSync(logFile, 'utf8')).not.toContain(feedUrl);
  });

  it('"Start at login" on Linux writes and removes the XDG autostart entry', async () => {
    const app = await launchApp();
    const entry = path.join(process.env.XDG_CONFIG_HOME!, 'autostart', 'parley.desktop');
    expect(await value(app.invoke('desktop.set', { openAtLogin: true }))).toMatchObject({ openAtLogin: true });
    expect(fs.readFileSync(entry, 'utf8')).toContain(`Exec="${process.execPath}" --hidden`);
    expect(await value(app.invoke('desktop.set', { openAtLogin: false }))).toMatchObject({ openAtLogin: false });
    expect(fs.existsSync(entry)).toBe(false);
  });

  it('quitting gives a message in flight its moment to be acknowledged', async () => {
    let app = await launchApp();
    const me = await signUpInApp(app);
    const other = await peer();
    const convId = privateConvId(me, other.id);
    await value(app.invoke('conversation.startPrivate', { userId: other.id }));
    const clientMsgId = await sendHeld(app, convId, 'bye for now');

    addedSignalListeners('SIGTERM')[0]!(); // a logout or a service manager ends the app
    await new Promise((r) => setTimeout(r, 300)); // the message stays in flight a while
    proxy.resume();
    await fake.app.whenExited();
    await until(() => texts(other.core, convId).includes('bye for now'), 5000, 'delivery');

    // The next launch, offline, finds it acknowledged in its own store.
    proxy.pause();
    app = await launchApp();
    expect(await storedStatus(app, convId, clientMsgId)).toBe('sent');
  });

  it('a message never acknowledged before quitting is kept, and delivered once after the next launch', async () => {
    let app = await launchApp();
    const me = await signUpInApp(app);
    const other = await peer();
    const convId = privateConvId(me, other.id);
    await value(app.invoke('conversation.startPrivate', { userId: other.id }));
    const clientMsgId = await sendHeld(app, convId, 'kept across the restart');

    fake.Tray.all[0]!.contextMenu!.click('Quit');
    await fake.app.whenExited(); // after the outbox's moment ran out; the held bytes die with the connection

    app = await launchApp(); // still offline: the proxy holds everything
    expect(await storedStatus(app, convId, clientMsgId)).not.toBe('sent');
    proxy.resume();
    await until(async () => (await storedStatus(app, convId, clientMsgId)) === 'sent', 10_000, 'sent after the restart');
    await until(() => texts(other.core, convId).includes('kept across the restart'), 5000, 'delivery');
    await call(other.core, 'messages.send', { convId, kind: 'text', body: { text: 'got it' } });
    await until(() => texts(other.core, convId).includes('got it'), 5000, 'the reply');
    expect(texts(other.core, convId).filter((t) => t === 'kept across the restart')).toHaveLength(1);
  }, 30_000);
});
