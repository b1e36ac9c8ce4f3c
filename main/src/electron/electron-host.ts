/**
 * The thin Electron layer: wires a core (handlers + events) to one sandboxed window, ipcMain, notifications,
 * the tray and the badge. Every decision worth testing lives in plain modules (web-security, window-state,
 * notify/); this file only connects them to Electron's objects, so it type-checks here and runs only where
 * the Electron binary exists.
 *
 * Call `startElectronHost` at startup, before the app is ready: custom schemes must be registered before.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  nativeImage,
  nativeTheme,
  Notification,
  powerMonitor,
  protocol,
  screen,
  session,
  shell,
  Tray,
  type ContextMenuParams,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import { IPC_CHANNELS, type ApiHandlers, type ApiResult, type NotificationRequest } from '../../../preload/contract.js';
import { rendererCsp } from '../host/csp.js';
import { contentType, findStaticFile } from '../host/static-files.js';
import { createDispatcher } from '../ipc/dispatcher.js';
import type { ApiEventBus } from '../ipc/event-bus.js';
import { describeError, silentLogger, type Logger } from '../ipc/logger.js';
import { createAccountNotifications, type AccountFeed } from '../notify/account-notifications.js';
import { resolveLocale, words } from '../notify/format.js';
import { trackOpenConversation } from '../notify/notifier.js';
import { trayTooltip, unreadSummary } from '../notify/unread.js';
import { appMenuTemplate } from './app-menu.js';
import { DEEP_LINK_SCHEME, DeepLinkRouter, deepLinkFromArgv } from './deep-link.js';
import { externalUrl, isTrustedSender, sameOrigin } from './web-security.js';
import { fitWindowState, loadWindowState, MIN_HEIGHT, MIN_WIDTH, saveWindowState, windowStateFile, type WindowState } from './window-state.js';

const SCHEME = 'parley';
const PACKAGED_ORIGIN = `${SCHEME}://app`;
const APP_ID = 'chat.parley.desktop';

export interface ElectronHostOptions {
  /** The core: what the renderer's calls run, and the events it is told. */
  handlers: ApiHandlers;
  events: ApiEventBus;
  /** Every signed-in account (ClientCore.feed): background accounts notify and count in the badge too. */
  feed?: AccountFeed;
  /** The built renderer, served as parley://app/. */
  rendererDir: string;
  /** Development: load the renderer from this dev server instead (e.g. http://localhost:5173). */
  devServerUrl?: string;
  /** The bundled preload script (preload/electron-preload.ts built as one CommonJS file). */
  preloadPath: string;
  trayIconPath?: string;
  /** The window's icon (Linux; Windows and macOS take the executable's). */
  windowIconPath?: string;
  /** Prefills the sign-in form's server field (the renderer reads `?server=`), e.g. the server `npm start` runs. */
  defaultServerUrl?: string;
  /** Started at login (`--hidden`): stay in the tray until the user opens the window. */
  startHidden?: boolean;
  /** Development run: reload and developer tools in the menu. */
  dev?: boolean;
  /** "Check for Updates…" in the menu; absent where this copy does not update itself. */
  onCheckForUpdates?: () => void;
  /**
   * Starts the core (resumes the saved session): run once this copy holds the single-instance lock and the app
   * is ready (safeStorage opens the token from then on), before the host first reads the core's state.
   */
  start?: () => void;
  /** Runs once when the app quits, before it exits: close the connection and the database. */
  shutdown?: () => Promise<void>;
  /** The machine woke from sleep or the window regained focus: a good moment to reconnect at once. */
  onWake?: () => void;
  log?: Logger;
}

export interface ElectronHost {
  showWindow(): void;
  quit(): void;
  /** The next quit really quits (the window closes instead of hiding to the tray): before an update installs. */
  allowQuit(): void;
}

/** Resolves to null when another instance is already running (which is then focused instead). */
export async function startElectronHost(options: ElectronHostOptions): Promise<ElectronHost | null> {
  const log = options.log ?? silentLogger;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  // Windows shows notifications only for an app with an AppUserModelID (electron-builder.yml's appId).
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  let signedIn = () => false;
  // parley://chat/<userId> links: registered with the OS (the packages also declare the scheme), taken from
  // argv (Windows, Linux) or open-url (macOS, which may deliver it before ready: listen now).
  const deepLinks = new DeepLinkRouter({
    openChat: async (userId) => (await options.handlers['conversation.startPrivate']({ userId }, { transport: 'main', clientId: 'deep-link' })).convId,
    focus: (convId) => {
      showWindow();
      options.events.emit('conversation:focus-requested', { convId });
    },
    signedIn: () => signedIn(),
    log,
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    void deepLinks.handle(url);
  });
  registerProtocolClient(log);
  const launchLink = deepLinkFromArgv(process.argv);
  if (launchLink) void deepLinks.handle(launchLink);
  await app.whenReady();

  const appOrigin = options.devServerUrl ? new URL(options.devServerUrl).origin : PACKAGED_ORIGIN;
  const appUrl = withServer(options.devServerUrl ?? `${PACKAGED_ORIGIN}/index.html`, options.defaultServerUrl);
  const onError = (error: unknown) => log.error({ err: describeError(error) }, 'electron host error');
  let window: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let quitting = false;

  await serveRenderer(options, appOrigin);
  hardenWebContents(appOrigin, log);
  powerMonitor.on('resume', () => options.onWake?.());
  powerMonitor.on('unlock-screen', () => options.onWake?.());

  // Started after the context below read the session, the core would resume it unseen (no notifications,
  // links held); started before an await, messages could arrive before the notifier listens.
  options.start?.();
  // The core's view for notifications, tray and badge, over every signed-in account.
  const shown = new Map<string, Notification>();
  const context = createAccountNotifications({
    handlers: options.handlers,
    events: options.events,
    feed: options.feed,
    systemLocale: () => app.getLocale(),
    onError,
    show(request) {
      if (!Notification.isSupported()) {
        options.events.emit('notification:requested', request);
        return;
      }
      const tag = request.accountKey ? `${request.accountKey} ${request.tag}` : request.tag;
      shown.get(tag)?.close();
      const notification = new Notification({ title: request.title, body: request.body, silent: request.silent });
      notification.on('click', () => {
        showWindow();
        openNotified(request);
      });
      notification.on('close', () => {
        if (shown.get(tag) === notification) shown.delete(tag);
      });
      shown.set(tag, notification);
      notification.show();
    },
  });
  const notifier = context;
  const locale = () => resolveLocale(context.settings().language, app.getLocale());
  signedIn = () => context.selfId() !== undefined;
  /** A notification of a background account switches to that account first (session:changed), then shows the conversation. */
  const openNotified = (request: NotificationRequest) => {
    const focus = () => options.events.emit('conversation:focus-requested', { convId: request.convId });
    if (!request.accountKey || options.feed?.activeKey() === request.accountKey) return focus();
    options.handlers['accounts.switch']({ key: request.accountKey }, { transport: 'main', clientId: 'main' }).then(focus, onError);
  };

  // Calls: only from the app's own top-level frame of its one window.
  const dispatcher = createDispatcher(trackOpenConversation(options.handlers, notifier), { log });
  ipcMain.handle(IPC_CHANNELS.invoke, async (event: IpcMainInvokeEvent, method: unknown, arg: unknown): Promise<ApiResult<unknown>> => {
    const frame = event.senderFrame;
    const main = event.sender.mainFrame;
    const isTop = frame !== null && frame.parent === null && frame.processId === main.processId && frame.routingId === main.routingId;
    const trusted =
      window !== null && event.sender === window.webContents && isTrustedSender(frame && { url: frame.url, isTop }, appOrigin);
    if (!trusted) {
      log.warn({ url: frame?.url ?? null }, 'ipc call from an untrusted frame refused');
      return { ok: false, error: { code: 'FORBIDDEN', message: 'not the app' } };
    }
    return dispatcher.dispatch(method, arg, { transport: 'electron', clientId: `window-${window?.id ?? 0}` });
  });

  const stopForwarding = options.events.onAny((event, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event, payload);
  });

  const showWindow = () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const quit = () => {
    quitting = true;
    app.quit();
  };

  // The menu, in the user's language; the theme the user chose (system: follow the OS), for native parts too.
  const applySettings = () => {
    nativeTheme.themeSource = context.settings().theme;
    const template = appMenuTemplate({
      platform: process.platform,
      appName: app.getName(),
      locale: locale(),
      dev: options.dev === true,
      onCheckForUpdates: options.onCheckForUpdates,
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  applySettings();
  const stopAppearance = options.events.on('settings:changed', applySettings);
  void context.ready.then(applySettings);

  // The window.
  const stateFile = windowStateFile(app.getPath('userData'));
  const state = fitWindowState(await loadWindowState(stateFile), screen.getAllDisplays().map((d) => d.workArea));
  window = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: 'Parley',
    ...(process.platform === 'linux' && options.windowIconPath ? { icon: options.windowIconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // The composer is checked in the OS's languages (Hunspell dictionaries on Linux).
      spellcheck: true,
    },
  });
  const win = window;
  win.webContents.on('context-menu', (_event, params) => {
    const items = editContextMenu(params, (word) => win.webContents.replaceMisspelling(word));
    if (items.length > 0) Menu.buildFromTemplate(items).popup({ window: win });
  });
  // Links that arrived before the app could show them: once the renderer has loaded and subscribed.
  win.webContents.once('did-finish-load', () => {
    setTimeout(() => void deepLinks.setReady(), 1000).unref();
  });
  const stopDeepLinkSession = options.events.on('session:changed', () => void deepLinks.sessionChanged());
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    if (!options.startHidden) win.show();
  });
  const focusChanged = () => notifier.setWindowFocused(!win.isDestroyed() && win.isFocused() && win.isVisible());
  win.on('focus', focusChanged);
  win.on('focus', () => options.onWake?.());
  win.on('blur', focusChanged);
  win.on('show', focusChanged);
  win.on('hide', focusChanged);
  win.on('minimize', focusChanged);
  win.on('restore', focusChanged);

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last write of the window's place, awaited before the app exits (a quick quit would cut it short). */
  let lastSave: Promise<void> = Promise.resolve();
  const captureState = (): WindowState => ({ ...win.getNormalBounds(), maximized: win.isMaximized() });
  const saveNow = () => {
    lastSave = saveWindowState(stateFile, captureState()).catch(onError);
  };
  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('maximize', saveSoon);
  win.on('unmaximize', saveSoon);
  win.on('close', (event) => {
    clearTimeout(saveTimer);
    saveNow();
    // An IM client keeps running (and notifying) in the tray; Quit in the tray menu or the app menu ends it.
    if (!quitting && tray !== null) {
      event.preventDefault();
      win.hide();
    }
  });
  win.on('closed', () => {
    window = null;
  });

  // Tray and badge.
  tray = new Tray(options.trayIconPath ? nativeImage.createFromPath(options.trayIconPath) : nativeImage.createEmpty());
  const refreshTray = () => {
    const w = words(locale());
    const summary = unreadSummary(context.conversations());
    app.setBadgeCount(summary.total);
    tray?.setToolTip(trayTooltip(summary, locale()));
    tray?.setContextMenu(
      Menu.buildFromTemplate([
        { label: w.open, click: showWindow },
        { type: 'separator' },
        { label: w.quit, click: quit },
      ]),
    );
  };
  tray.on('click', showWindow);
  const stopTray = context.onConversationsChanged(refreshTray);
  const stopSettings = options.events.on('settings:changed', refreshTray);
  refreshTray();

  // Lifecycle.
  app.on('second-instance', (_event, argv) => {
    showWindow();
    const link = deepLinkFromArgv(argv);
    if (link) void deepLinks.handle(link);
  });
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  let shutDown = false;
  app.on('will-quit', (event) => {
    if (shutDown) return;
    shutDown = true;
    stopForwarding();
    stopTray();
    stopSettings();
    stopAppearance();
    stopDeepLinkSession();
    notifier.dispose();
    ipcMain.removeHandler(IPC_CHANNELS.invoke);
    tray?.destroy();
    tray = null;
    event.preventDefault();
    Promise.allSettled([lastSave, options.shutdown?.().catch(onError)]).finally(() => app.quit());
  });

  // Last, once quitting, links from a second instance and the tray are handled: a page that fails to load leaves a
  // window that can still be quit cleanly (and reloaded from the menu), not an app without its shutdown.
  await win.loadURL(appUrl).catch(onError);

  return {
    showWindow,
    quit,
    allowQuit: () => {
      quitting = true;
    },
  };
}

/** The sign-in form's server, as the renderer reads it (`?server=`). */
function withServer(appUrl: string, serverUrl: string | undefined): string {
  if (!serverUrl) return appUrl;
  const url = new URL(appUrl);
  url.searchParams.set('server', serverUrl);
  return url.toString();
}

/**
 * Makes the installed app the handler of parley:// links. The macOS and Linux packages declare the scheme
 * too; the NSIS installer does not, so on Windows this registration (per user) is what makes links work.
 * A development run leaves the OS alone.
 */
function registerProtocolClient(log: Logger): void {
  if (!app.isPackaged) return;
  if (!app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)) log.warn({}, 'could not register as the parley:// handler');
}

/** Right-click in a text field: spelling suggestions, then the usual editing commands. */
function editContextMenu(params: ContextMenuParams, replace: (word: string) => void): MenuItemConstructorOptions[] {
  if (!params.isEditable) return params.selectionText ? [{ role: 'copy' }] : [];
  const suggestions: MenuItemConstructorOptions[] = params.dictionarySuggestions.slice(0, 5).map((word) => ({ label: word, click: () => replace(word) }));
  return [
    ...suggestions,
    ...(suggestions.length > 0 ? [{ type: 'separator' } as const] : []),
    { role: 'cut' },
    { role: 'copy' },
    { role: 'paste' },
    { type: 'separator' },
    { role: 'selectAll' },
  ];
}

/** parley://app/… from the renderer directory, with the CSP header; the dev server gets the CSP too. */
async function serveRenderer(options: ElectronHostOptions, appOrigin: string): Promise<void> {
  const root = await realpath(path.resolve(options.rendererDir));
  const csp = rendererCsp();
  session.defaultSession.protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const found = url.host === 'app' ? await findStaticFile(root, url.pathname) : null;
    if (!found) return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(new Uint8Array(await readFile(found.file)), {
      headers: { 'Content-Type': contentType(found.file), 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    });
  });
  if (options.devServerUrl) {
    // The dev server's hot reload needs its WebSocket and an inline preamble script; only in development.
    const devCsp = rendererCsp({ connect: [appOrigin.replace(/^http/, 'ws')], inlineScripts: true });
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      const headers = { ...details.responseHeaders, 'Content-Security-Policy': [devCsp] };
      callback({ responseHeaders: headers });
    });
  }
  // Voice messages record audio; the clipboard is for copying messages. Nothing else, and only for the app.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const fromApp = sameOrigin(details.requestingUrl, appOrigin);
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const audioOnly = permission === 'media' && mediaTypes.length > 0 && mediaTypes.every((t) => t === 'audio');
    callback(fromApp && (audioOnly || permission === 'clipboard-sanitized-write'));
  });
  session.defaultSession.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin) =>
      sameOrigin(requestingOrigin, appOrigin) && (permission === 'media' || permission === 'clipboard-sanitized-write'),
  );
}

/** Every web contents: no navigation away from the app, no new windows, no webviews; links go to the browser. */
function hardenWebContents(appOrigin: string, log: Logger): void {
  const openOutside = (url: string) => {
    const target = externalUrl(url);
    if (target !== null) void shell.openExternal(target);
    else log.warn({ scheme: url.split(':')[0] }, 'blocked a link');
  };
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (sameOrigin(url, appOrigin)) return;
      event.preventDefault();
      // A followed link: the user meant to see the page, in the browser.
      openOutside(url);
    });
    contents.on('will-redirect', (event, url) => {
      if (!sameOrigin(url, appOrigin)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      openOutside(url);
      return { action: 'deny' };
    });
  });
}
