/**
 * The real Electron layer (electron-host.ts) on a stand-in `electron` module, wired to a real ClientCore signed
 * in to a real server on port 0: what the window may do, who may call main, deep links, notifications, tray
 * and badge, closing to the tray and quitting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { privateConvId } from '../../../protocol/ids.js';
import { IPC_CHANNELS, type ApiArg, type ApiHandlers, type ApiMethod, type ApiResult, type ApiReturn } from '../../../preload/contract.js';
import type { ClientCore } from '../core/client-core.js';
import { CoreFixture, call, signUp } from '../test-support/cores.js';
import { startTestServer, tempDir, until, type TestServer } from '../test-support/server.js';
import type { FakeBrowserWindow, FakeFrame, FakeWebContents } from './test-support/fake-electron.js';

const fake = await vi.hoisted(async () => (await import('./test-support/fake-electron.js')).createFakeElectron());
vi.mock('electron', () => fake.module);

const { startElectronHost } = await import('./electron-host.js');
type HostOptions = Parameters<typeof startElectronHost>[0];

let server: TestServer;
const fixture = new CoreFixture();
const dirs: string[] = [];
let users = 0;
const userId = (name: string) => `${name}${++users}`;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.destroy();
});

/** One launch of the app: the host on the fake Electron, the real core behind it. */
interface Launched {
  core: ClientCore;
  window: FakeBrowserWindow;
  /** Handler methods the core was asked to run (after the host's checks). */
  coreCalls: string[];
  wakes: number;
  shutdowns: number;
  /** A call as the app's own page makes it (top frame of the window), or from `frame`. */
  invoke<M extends ApiMethod>(method: M, arg: ApiArg<M> | unknown, from?: { sender?: FakeWebContents; frame?: FakeFrame | null }): Promise<ApiResult<ApiReturn<M>>>;
  /** Events sent to the page, by name. */
  events(name: string): unknown[];
}

let current: Launched | null = null;

async function launch(options: { core?: ClientCore; host?: Partial<HostOptions>; beforeReady?: () => void; userData?: string } = {}): Promise<Launched> {
  const dataDir = tempDir('electron-host');
  dirs.push(dataDir);
  const rendererDir = path.join(dataDir, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'export {};');
  fs.writeFileSync(path.join(dataDir, 'secret.txt'), 'not for the page');
  fake.app.setPath('userData', options.userData ?? path.join(dataDir, 'user-data'));

  const core = options.core ?? fixture.newCore();
  const coreCalls: string[] = [];
  const handlers = Object.fromEntries(
    Object.entries(core.handlers).map(([method, handler]) => [
      method,
      (arg: unknown, ctx: unknown) => {
        coreCalls.push(method);
        return (handler as (a: unknown, c: unknown) => Promise<unknown>).call(core.handlers, arg, ctx);
      },
    ]),
  ) as unknown as ApiHandlers;
  const launched = { core, coreCalls, wakes: 0, shutdowns: 0 } as Launched;
  const started = startElectronHost({
    handlers,
    events: core.events,
    feed: core.feed,
    rendererDir,
    preloadPath: '/app/out/preload/electron-preload.cjs',
    trayIconPath: '/app/build/icons/tray.png',
    defaultServerUrl: server.url,
    onWake: () => void (launched.wakes += 1),
    shutdown: async () => {
      launched.shutdowns += 1;
      await core.current?.outbox.idle(3000);
      await core.stop();
    },
    ...options.host,
  });
  options.beforeReady?.();
  fake.app.becomeReady();
  const host = await started;
  if (!host) throw new Error('the host did not start');
  const window = fake.windows().at(-1)!;
  Object.assign(launched, {
    window,
    invoke: (method: string, arg: unknown, from: { sender?: FakeWebContents; frame?: FakeFrame | null } = {}) =>
      fake.ipcMain.invoke(IPC_CHANNELS.invoke, { sender: from.sender ?? window.webContents, frame: from.frame }, method, arg),
    events: (name: string) => window.webContents.events(IPC_CHANNELS.event, name),
  });
  current = launched;
  return launched;
}

/** Signs a new user up through the window, as the sign-in form does. */
async function signUpInWindow(app: Launched, name: string): Promise<string> {
  const id = userId(name);
  const result = await app.invoke('auth.register', { serverUrl: server.url, userId: id, password: 'correct horse battery', name: id.toUpperCase() });
  expect(result).toMatchObject({ ok: true, value: { state: 'signed-in', userId: id } });
  await until(() => app.core.current?.conn.online === true, 10_000, `${id} online`);
  return id;
}

/** Another user on another device, to write to the app's user. */
async function otherUser(name: string): Promise<{ id: string; core: ClientCore; send(to: string, text: string): Promise<void> }> {
  const core = fixture.newCore();
  const id = userId(name);
  await signUp(core, server, id);
  return {
    id,
    core,
    async send(to, text) {
      const { convId } = await call(core, 'conversation.startPrivate', { userId: to });
      await call(core, 'messages.send', { convId, kind: 'text', body: { text } });
    },
  };
}

beforeEach(() => {
  fake.reset();
});

afterEach(async () => {
  if (current && !fake.app.exited) {
    fake.app.quit();
    await fake.app.whenExited();
  }
  current = null;
  await fixture.cleanup();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the window', () => {
  it('is sandboxed and isolated, has the preload, loads the app with the server prefilled, and shows when painted', async () => {
    const app = await launch();
    expect(app.window.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/electron-preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(app.window.options.show).toBe(false);
    expect(app.window.loadedUrls).toEqual([`parley://app/index.html?server=${encodeURIComponent(server.url)}`]);
    expect(app.window.isVisible()).toBe(true);
    expect(fake.protocol.privileged).toEqual([{ scheme: 'parley', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('stays hidden in the tray when started at login', async () => {
    const app = await launch({ host: { startHidden: true } });
    expect(app.window.isVisible()).toBe(false);
    fake.Tray.all[0]!.emit('click');
    expect(app.window.isVisible()).toBe(true);
  });

  it('serves the app’s files with a strict Content-Security-Policy, and nothing outside the renderer directory', async () => {
    await launch();
    const page = await fake.session.defaultSession.protocol.fetch('parley://app/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = Object.fromEntries(
      page.headers
        .get('content-security-policy')!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...sources]) => [name, sources]),
    );
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]); // no inline or eval'd script
    expect(csp['connect-src']).toEqual(["'self'"]); // the page reaches the network only through main
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);

    const script = await fake.session.defaultSession.protocol.fetch('parley://app/assets/app.js');
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('content-security-policy')).toBe(page.headers.get('content-security-policy'));
    for (const url of ['parley://app/../secret.txt', 'parley://app/%2e%2e/secret.txt', 'parley://elsewhere/index.html', 'parley://app/missing.js']) {
      expect((await fake.session.defaultSession.protocol.fetch(url)).status, url).toBe(404);
    }
  });

  it('in development loads the dev server and gives its pages the CSP (with its hot-reload socket)', async () => {
    const app = await launch({ host: { devServerUrl: 'http://localhost:5173', defaultServerUrl: undefined } });
    expect(app.window.loadedUrls).toEqual(['http://localhost:5173']);
    const headers = await fake.session.defaultSession.webRequest.headersFor('http://localhost:5173/', { 'Content-Type': ['text/html'] });
    expect(headers?.['Content-Type']).toEqual(['text/html']);
    const csp = headers?.['Content-Security-Policy']?.[0] ?? '';
    expect(csp).toContain("connect-src 'self' ws://localhost:5173");
    expect(csp).toContain("object-src 'none'");
    // The app is at the dev server's origin there: it may navigate within it, and call main.
    expect(app.window.webContents.navigate('http://localhost:5173/#/chat')).toBe(true);
    expect(await app.invoke('session.get', {})).toMatchObject({ ok: true });
  });

  it('refuses to navigate away from the app; links followed or opened in a new window go to the browser', async () => {
    const app = await launch();
    const contents = app.window.webContents;
    expect(contents.navigate('parley://app/index.html#/settings')).toBe(true);
    expect(contents.navigate('https://example.com/article')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('javascript:alert(1)')).toBe(false);
    expect(contents.redirect('https://evil.example/')).toBe(false);
    expect(contents.openWindow('http://example.com/page')).toEqual({ action: 'deny' });
    expect(contents.openWindow('mailto:someone@example.com')).toEqual({ action: 'deny' });
    expect(contents.openWindow('file:///C:/Windows/system32/calc.exe')).toEqual({ action: 'deny' });
    expect(contents.openWindow('parley://app/index.html')).toEqual({ action: 'deny' });
    expect(fake.shell.opened).toEqual(['https://example.com/article', 'http://example.com/page', 'mailto:someone@example.com']);

    const webview = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    contents.emit('will-attach-webview', webview, {}, {});
    expect(webview.defaultPrevented).toBe(true);
    expect(contents.getURL()).toBe('parley://app/index.html#/settings');
  });

  it('grants the app the microphone and clipboard writes only, and nothing to other origins', async () => {
    await launch();
    const session = fake.session.defaultSession;
    expect(await session.requestPermission('media', 'parley://app/index.html', ['audio'])).toBe(true);
    expect(await session.requestPermission('media', 'parley://app/index.html', ['audio', 'video'])).toBe(false);
    expect(await session.requestPermission('clipboard-sanitized-write', 'parley://app/index.html')).toBe(true);
    expect(await session.requestPermission('geolocation', 'parley://app/index.html')).toBe(false);
    expect(await session.requestPermission('notifications', 'parley://app/index.html')).toBe(false);
    expect(await session.requestPermission('media', 'https://evil.example/', ['audio'])).toBe(false);
    const check = session.permissionCheckHandler!;
    expect(check(null, 'media', 'parley://app', { requestingUrl: 'parley://app/index.html', isMainFrame: true, embeddingOrigin: '' })).toBe(true);
    expect(check(null, 'media', 'https://evil.example', { requestingUrl: 'https://evil.example/', isMainFrame: true, embeddingOrigin: '' })).toBe(false);
    expect(check(null, 'geolocation', 'parley://app', { requestingUrl: 'parley://app/index.html', isMainFrame: true, embeddingOrigin: '' })).toBe(false);
  });

  it('offers spelling suggestions on a misspelled word in the composer', async () => {
    const app = await launch();
    app.window.webContents.contextMenu({ isEditable: true, misspelledWord: 'helo', dictionarySuggestions: ['hello', 'help'] });
    const menu = fake.Menu.built.at(-1)!;
    expect(menu.template.map((i) => i.label ?? i.role ?? i.type)).toEqual(['hello', 'help', 'separator', 'cut', 'copy', 'paste', 'separator', 'selectAll']);
    expect(menu.popups).toHaveLength(1);
    menu.click('hello');
    expect(app.window.webContents.replacedMisspellings).toEqual(['hello']);

    const before = fake.Menu.built.length;
    app.window.webContents.contextMenu({ isEditable: false, selectionText: '' });
    expect(fake.Menu.built).toHaveLength(before); // no menu on plain, unselected text
  });
});

describe('calls from the page', () => {
  it('answers the app’s own top frame, and refuses iframes, other origins and other windows without running the core', async () => {
    const app = await launch();
    expect(await app.invoke('session.get', {})).toEqual({ ok: true, value: { state: 'signed-out' } });
    expect(app.coreCalls).toContain('session.get');
    const before = app.coreCalls.length;

    const forbidden = { ok: false, error: { code: 'FORBIDDEN', message: 'not the app' } };
    const contents = app.window.webContents;
    expect(await app.invoke('settings.get', {}, { frame: contents.childFrame('parley://app/index.html') })).toEqual(forbidden);
    expect(await app.invoke('settings.get', {}, { frame: contents.childFrame('https://evil.example/') })).toEqual(forbidden);
    expect(await app.invoke('settings.get', {}, { frame: null })).toEqual(forbidden); // the frame is gone
    const stray = new fake.BrowserWindow({});
    stray.webContents.mainFrame.url = 'parley://app/index.html';
    expect(await app.invoke('settings.get', {}, { sender: stray.webContents })).toEqual(forbidden);
    contents.mainFrame.url = 'https://evil.example/'; // however the top frame got there
    expect(await app.invoke('settings.get', {})).toEqual(forbidden);
    expect(app.coreCalls).toHaveLength(before);

    contents.mainFrame.url = 'parley://app/index.html';
    expect(await app.invoke('settings.get', {})).toMatchObject({ ok: true, value: { theme: 'system' } });
  });

  it('refuses a bad argument or an unknown method with a typed error, without running the core', async () => {
    const app = await launch();
    await signUpInWindow(app, 'ann');
    const before = app.coreCalls.length;
    const badTheme = await app.invoke('settings.set', { theme: 'neon' });
    expect(badTheme).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(!badTheme.ok && badTheme.error.message).toMatch(/^settings\.set: /);
    expect(await app.invoke('messages.send', { convId: 'p:a|b', kind: 'text', body: { text: 42 } })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await app.invoke('conversation.startPrivate', { userId: '../../etc' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await app.invoke('shell.exec' as ApiMethod, {})).toEqual({ ok: false, error: { code: 'BAD_REQUEST', message: 'unknown method: shell.exec' } });
    expect(app.coreCalls).toHaveLength(before);
    // An error inside the core crosses as a value too.
    expect(await app.invoke('conversation.startPrivate', { userId: 'nobody-here' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('forwards the core’s events to the page', async () => {
    const app = await launch();
    const me = await signUpInWindow(app, 'eve');
    expect(app.events('session:changed')).toContainEqual(expect.objectContaining({ state: 'signed-in', userId: me }));
    expect(app.events('connection:changed')).toContainEqual(expect.objectContaining({ state: 'online' }));
  });
});

describe('parley:// links', () => {
  const focusRequests = (app: Launched) => app.events('conversation:focus-requested') as Array<{ convId: string }>;

  it('from the command line at launch open the chat once the page has loaded', async () => {
    const bob = await otherUser('bob');
    const core = fixture.newCore();
    const me = userId('al');
    await signUp(core, server, me);
    const argv = process.argv;
    process.argv = [...argv, `parley://chat/${bob.id}`];
    let app: Launched;
    try {
      app = await launch({ core });
    } finally {
      process.argv = argv;
    }
    await until(() => focusRequests(app).length > 0, 5000, 'focus request');
    expect(focusRequests(app)).toEqual([{ convId: privateConvId(me, bob.id) }]);
    expect(app.core.current!.store.getConversation(privateConvId(me, bob.id))?.title).toBe(bob.id.toUpperCase());
  });

  it('are registered with the OS by an installed copy only', async () => {
    await launch();
    expect(fake.app.protocolClients).toEqual([]); // a development run leaves the OS alone
    fake.app.quit();
    await fake.app.whenExited();
    fake.reset();
    fake.app.isPackaged = true;
    await launch();
    expect(fake.app.protocolClients).toEqual(['parley']);
  });

  it('from a second instance bring the window back and open the chat; links that are not chats are ignored', async () => {
    const bob = await otherUser('bob');
    const app = await launch();
    const me = await signUpInWindow(app, 'al');
    await new Promise((r) => setTimeout(r, 1100)); // the page is given a second to subscribe after loading
    app.window.minimize();
    app.window.hide();
    fake.app.emit('second-instance', {}, ['/opt/Parley/parley', 'parley://chat/../../etc'], '/');
    fake.app.emit('second-instance', {}, ['/opt/Parley/parley', `parley://chat/${bob.id}`], '/');
    await until(() => focusRequests(app).length > 0, 5000, 'focus request');
    expect(focusRequests(app)).toEqual([{ convId: privateConvId(me, bob.id) }]);
    expect(app.window.isVisible() && app.window.isFocused() && !app.window.isMinimized()).toBe(true);
  });

  it('that arrive before the app is ready (macOS open-url) or before sign-in are acted on after sign-in', async () => {
    const bob = await otherUser('bob');
    const opened = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    const app = await launch({ beforeReady: () => fake.app.emit('open-url', opened, `parley://chat/${bob.id}`) });
    expect(opened.defaultPrevented).toBe(true);
    await new Promise((r) => setTimeout(r, 1100)); // the page has loaded and subscribed; no one is signed in yet
    const me = await signUpInWindow(app, 'al');
    await until(() => focusRequests(app).length > 0, 5000, 'focus request');
    expect(focusRequests(app)).toEqual([{ convId: privateConvId(me, bob.id) }]);
  });
});

describe('notifications, badge and tray', () => {
  it('notify of a message while the window is in the background, count it on the badge and tray, and open it on click', async () => {
    const app = await launch();
    const me = await signUpInWindow(app, 'nia');
    const bob = await otherUser('bob');
    const tray = fake.Tray.all[0]!;
    expect(tray.tooltip).toBe('Parley');
    expect(fake.app.badgeCount).toBe(0);
    app.window.blur(); // the user is in another app

    await bob.send(me, 'are you there?');
    await until(() => fake.Notification.all.length > 0, 10_000, 'a notification');
    const shown = fake.Notification.all[0]!;
    expect(shown).toMatchObject({ title: bob.id.toUpperCase(), body: 'are you there?', silent: false });
    await until(() => fake.app.badgeCount === 1, 5000, 'badge');
    expect(tray.tooltip).toBe('Parley — 1 unread message');

    app.window.hide();
    shown.click();
    const convId = privateConvId(me, bob.id);
    expect(app.window.isVisible() && app.window.isFocused()).toBe(true);
    expect(app.events('conversation:focus-requested')).toEqual([{ convId }]);

    // The page opens the conversation and reads it: the count goes.
    expect(await app.invoke('conversation.open', { convId })).toEqual({ ok: true, value: undefined });
    expect(await app.invoke('conversation.markRead', { convId, seq: 1 })).toMatchObject({ ok: true });
    await until(() => fake.app.badgeCount === 0, 5000, 'badge cleared');
    expect(tray.tooltip).toBe('Parley');
  });

  it('with two accounts: the background one notifies under its name, the badge counts both, a click switches to it', async () => {
    const app = await launch();
    const first = await signUpInWindow(app, 'pia');
    const second = await signUpInWindow(app, 'quin');
    await until(() => app.core.accounts().every((a) => a.conn.online), 10_000, 'both online');
    const bob = await otherUser('bob');
    app.window.blur();

    await bob.send(first, 'to the first account');
    await until(() => fake.Notification.all.length > 0, 10_000, 'a notification');
    const shown = fake.Notification.all[0]!;
    expect(shown).toMatchObject({ title: `${bob.id.toUpperCase()} · ${first.toUpperCase()}`, body: 'to the first account' });
    await bob.send(second, 'to the second');
    await until(() => fake.app.badgeCount === 2, 5000, 'badge of both accounts');
    // The window was told only the active (second) account's message.
    expect(app.events('message:added').map((e) => (e as { message: { convId: string } }).message.convId)).toEqual([privateConvId(second, bob.id)]);

    shown.click();
    const convId = privateConvId(first, bob.id);
    await until(() => app.events('conversation:focus-requested').length > 0, 5000, 'focus requested');
    expect(app.events('session:changed').at(-1)).toMatchObject({ state: 'signed-in', userId: first });
    expect(app.events('conversation:focus-requested')).toEqual([{ convId }]);
    expect(await app.invoke('conversations.list', {})).toMatchObject({ ok: true, value: { conversations: [{ convId }] } });
  });

  it('stay quiet for the conversation on screen, and still notify of the others', async () => {
    const app = await launch();
    const me = await signUpInWindow(app, 'oli');
    const bob = await otherUser('bob');
    const cy = await otherUser('cy');
    await bob.send(me, 'first');
    await until(() => fake.Notification.all.some((n) => n.body === 'first'), 10_000, 'the first message’s notification');
    const onScreen = privateConvId(me, bob.id);
    await app.invoke('conversation.open', { convId: onScreen });
    app.window.show();
    expect(app.window.isFocused()).toBe(true);
    const before = fake.Notification.all.length;

    await bob.send(me, 'seen on screen');
    await until(() => app.events('message:added').some((e) => JSON.stringify(e).includes('seen on screen')), 10_000, 'the message on screen');
    await cy.send(me, 'elsewhere');
    await until(() => fake.Notification.all.some((n) => n.body === 'elsewhere'), 10_000, 'the other conversation’s notification');
    expect(fake.Notification.all.slice(before).map((n) => n.body)).toEqual(['elsewhere']);
  });

  it('go to the page when the OS has no notifications', async () => {
    const app = await launch();
    const me = await signUpInWindow(app, 'pat');
    fake.Notification.supported = false;
    app.window.blur();
    const bob = await otherUser('bob');
    await bob.send(me, 'hello');
    await until(() => app.events('notification:requested').length > 0, 10_000, 'notification:requested');
    expect(app.events('notification:requested')[0]).toMatchObject({ convId: privateConvId(me, bob.id), body: 'hello', count: 1 });
    expect(fake.Notification.all).toEqual([]);
  });

  it('follow the settings: language of the menus and tray, theme of native parts', async () => {
    const app = await launch();
    expect(fake.Menu.applicationMenu!.template.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Window', 'Help']);
    expect(await app.invoke('settings.set', { language: 'zh-CN', theme: 'dark' })).toMatchObject({ ok: true });
    expect(fake.nativeTheme.themeSource).toBe('dark');
    expect(fake.Menu.applicationMenu!.template.map((m) => m.label)).toEqual(['文件', '编辑', '视图', '窗口', '帮助']);
    expect(fake.Tray.all[0]!.contextMenu!.template.map((i) => i.label ?? i.type)).toEqual(['打开 Parley', 'separator', '退出']);
  });
});

describe('lifecycle', () => {
  it('closing the window keeps the app in the tray; Quit in the tray ends it after the core shut down', async () => {
    const app = await launch();
    expect(app.window.close()).toBe(false);
    expect(app.window.isVisible()).toBe(false);
    expect(fake.app.exited).toBe(false);
    const tray = fake.Tray.all[0]!;
    tray.contextMenu!.click('Open Parley');
    expect(app.window.isVisible()).toBe(true);

    tray.contextMenu!.click('Quit');
    await fake.app.whenExited();
    expect(app.window.isDestroyed()).toBe(true);
    expect(app.shutdowns).toBe(1);
    expect(tray.isDestroyed()).toBe(true);
    expect(fake.ipcMain.handlers.size).toBe(0);
    // The window's place is remembered for the next launch: written as the window closes, before the app exits.
    const stateFile = path.join(fake.app.getPath('userData'), 'window-state.json');
    expect(fs.existsSync(stateFile)).toBe(true);
    const saved = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    expect(saved).toMatchObject({ width: app.window.options.width, height: app.window.options.height, maximized: false });
  });

  it('reopens the window where the user left it, maximized if it was', async () => {
    const userData = tempDir('electron-user-data');
    dirs.push(userData);
    const first = await launch({ userData });
    expect(first.window.options).toMatchObject({ width: 1100, height: 720, minWidth: 720, minHeight: 480 });
    first.window.setBounds({ x: 40, y: 30, width: 1000, height: 700 });
    const stateFile = path.join(userData, 'window-state.json');
    await until(() => fs.existsSync(stateFile), 5000, 'the state saved after the move');
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8'))).toEqual({ x: 40, y: 30, width: 1000, height: 700, maximized: false });
    first.window.maximize();
    await until(() => JSON.parse(fs.readFileSync(stateFile, 'utf8')).maximized === true, 5000, 'the state saved after maximizing');
    fake.app.quit();
    await fake.app.whenExited();

    fake.reset();
    const second = await launch({ userData });
    expect(second.window.options).toMatchObject({ x: 40, y: 30, width: 1000, height: 700 });
    expect(second.window.isMaximized()).toBe(true);
  });

  it('a page that fails to load still leaves an app that quits cleanly and takes links from a second instance', async () => {
    fake.BrowserWindow.failNextLoad = new Error('ERR_CONNECTION_REFUSED (-102) loading the app');
    const app = await launch();
    expect(fake.Tray.all).toHaveLength(1);
    app.window.close(); // to the tray
    fake.app.emit('second-instance', {}, ['/opt/Parley/parley'], '/');
    expect(app.window.isVisible()).toBe(true);
    fake.Tray.all[0]!.contextMenu!.click('Quit');
    await fake.app.whenExited();
    expect(app.shutdowns).toBe(1);
    expect(fake.ipcMain.handlers.size).toBe(0);
  });

  it('reconnects at once when the machine wakes or the window regains focus', async () => {
    const app = await launch();
    const shownAtLaunch = app.wakes; // the first focus, when the window shows
    fake.powerMonitor.emit('resume');
    fake.powerMonitor.emit('unlock-screen');
    app.window.blur();
    app.window.focus();
    expect(app.wakes - shownAtLaunch).toBe(3);
  });

  it('a second copy of the app hands over to the first and quits', async () => {
    fake.app.otherInstanceRunning = true;
    const host = await startElectronHost({ handlers: {} as ApiHandlers, events: fixture.newCore().events, rendererDir: '/nowhere', preloadPath: '/nowhere' });
    expect(host).toBeNull();
    expect(fake.app.quitRequests).toBe(1);
    expect(fake.windows()).toEqual([]);
  });
});
