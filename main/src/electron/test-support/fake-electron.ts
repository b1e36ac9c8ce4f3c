/**
 * Test support: a stand-in for the `electron` module where the Electron binary cannot be installed, so the
 * real Electron layer (electron-host.ts, main.ts) runs in Node under vitest. Load it in place of the real module:
 *
 *   const fake = await vi.hoisted(async () => (await import('./test-support/fake-electron.js')).createFakeElectron());
 *   vi.mock('electron', () => fake.module);
 *
 * Each fake implements the part of electron's API the layer uses, typed by electron's own definitions
 * (`implements Pick<App, …>`), so a method the layer calls with a shape Electron does not have fails to compile.
 * The fakes record what is done to them (a shared, ordered `journal` too) and offer what the OS or Chromium
 * would do to the app (a navigation, a click on a notification, an IPC call from some frame, the quit sequence).
 */
import { EventEmitter } from 'node:events';
import type {
  App,
  BrowserWindow,
  BrowserWindowConstructorOptions,
  ContextMenuParams,
  CustomScheme,
  Display,
  HandlerDetails,
  HeadersReceivedResponse,
  IpcMain,
  IpcMainInvokeEvent,
  LoginItemSettings,
  Menu,
  MenuItemConstructorOptions,
  NativeImage,
  NativeTheme,
  Notification,
  NotificationConstructorOptions,
  OnHeadersReceivedListenerDetails,
  PopupOptions,
  Rectangle,
  Protocol,
  SafeStorage,
  Session,
  Settings,
  Shell,
  Tray,
  WebContents,
  WebFrameMain,
  WebRequest,
  WebRequestFilter,
  WindowOpenHandlerResponse,
} from 'electron';

/** What Chromium passes to listeners of preventable events (will-navigate, close, will-quit…). */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

type PathName = Parameters<App['getPath']>[0];

export class FakeApp
  extends EventEmitter
  implements
    Pick<
      App,
      | 'requestSingleInstanceLock'
      | 'quit'
      | 'setAppUserModelId'
      | 'whenReady'
      | 'isReady'
      | 'getLocale'
      | 'getName'
      | 'getVersion'
      | 'getAppPath'
      | 'getPath'
      | 'setPath'
      | 'setAppLogsPath'
      | 'setBadgeCount'
      | 'getBadgeCount'
      | 'setAsDefaultProtocolClient'
      | 'getLoginItemSettings'
      | 'setLoginItemSettings'
      | 'isPackaged'
    >
{
  isPackaged = false;
  locale = 'en-US';
  version = '1.0.0';
  /** Another instance holds the single-instance lock. */
  otherInstanceRunning = false;
  badgeCount = 0;
  readonly paths = new Map<string, string>();
  readonly protocolClients: string[] = [];
  readonly loginItemSettings: Settings[] = [];
  quitRequests = 0;
  /** The process ended: the quit sequence ran to its end. */
  exited = false;
  private ready = false;
  private readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private exitWaiters: Array<() => void> = [];

  constructor(private readonly journal: string[]) {
    super();
    this.readyPromise = new Promise((resolve) => (this.resolveReady = resolve));
  }

  requestSingleInstanceLock(): boolean {
    return !this.otherInstanceRunning;
  }
  setAppUserModelId(id: string): void {
    this.journal.push(`app.setAppUserModelId ${id}`);
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.ready;
  }
  /** Electron finished initializing (`ready`). */
  becomeReady(): void {
    if (this.ready) return;
    this.ready = true;
    this.resolveReady();
    this.emit('ready', new FakeEvent(), {});
  }
  getLocale(): string {
    return this.locale;
  }
  getName(): string {
    return 'Parley';
  }
  getVersion(): string {
    return this.version;
  }
  getAppPath(): string {
    return this.getPath('exe');
  }
  getPath(name: PathName): string {
    const value = this.paths.get(name);
    if (value === undefined) throw new Error(`Failed to get '${name}' path`); // as Electron does for an unknown path
    return value;
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  setAppLogsPath(path?: string): void {
    this.paths.set('logs', path ?? `${this.paths.get('userData') ?? '/nowhere'}/logs`);
  }
  setBadgeCount(count?: number): boolean {
    this.badgeCount = count ?? 0;
    return true;
  }
  getBadgeCount(): number {
    return this.badgeCount;
  }
  setAsDefaultProtocolClient(protocol: string): boolean {
    this.protocolClients.push(protocol);
    return true;
  }
  getLoginItemSettings(): LoginItemSettings {
    return { openAtLogin: false, wasOpenedAtLogin: false, status: 'not-registered', executableWillLaunchAtLogin: false, launchItems: [] };
  }
  setLoginItemSettings(settings: Settings): void {
    this.loginItemSettings.push(settings);
  }

  /**
   * Electron's quit sequence, asynchronously as in Electron: `before-quit` (preventable), every window is
   * asked to close (a prevented `close` stops the quit), `will-quit` (preventable), then `quit` and exit.
   */
  quit(): void {
    this.quitRequests += 1;
    this.journal.push('app.quit');
    setImmediate(() => this.runQuit());
  }

  /** Resolves when the quit sequence has ended the (pretend) process. */
  whenExited(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** The window list the quit sequence closes; set by the module. */
  windows: () => FakeBrowserWindow[] = () => [];

  private runQuit(): void {
    if (this.exited) return;
    const before = new FakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const window of this.windows()) {
      if (!window.close()) {
        this.journal.push('app.quit stopped: a window refused to close');
        return;
      }
    }
    const willQuit = new FakeEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    this.exited = true;
    this.journal.push('app.exit');
    this.emit('quit', new FakeEvent(), 0);
    for (const resolve of this.exitWaiters.splice(0)) resolve();
  }
}

/** A frame of a page: the top-level one (no parent) or an iframe in it. */
export class FakeFrame implements Pick<WebFrameMain, 'url' | 'processId' | 'routingId'> {
  constructor(
    public url: string,
    readonly parent: FakeFrame | null,
    readonly processId: number,
    readonly routingId: number,
  ) {}
}

let nextId = 1;

export class FakeWebContents extends EventEmitter implements Pick<WebContents, 'id' | 'send' | 'getURL' | 'replaceMisspelling' | 'setWindowOpenHandler'> {
  readonly id = nextId++;
  readonly mainFrame: FakeFrame;
  /** What main sent to the page, in order: [channel, ...args]. */
  readonly sent: unknown[][] = [];
  readonly replacedMisspellings: string[] = [];
  private openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;

  constructor(private readonly journal: string[]) {
    super();
    this.mainFrame = new FakeFrame('about:blank', null, 10 + this.id, 1);
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
    this.journal.push(`webContents.send ${channel} ${typeof args[0] === 'string' ? args[0] : ''}`.trim());
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  replaceMisspelling(text: string): void {
    this.replacedMisspellings.push(text);
  }
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.openHandler = handler;
  }

  /** An iframe of the page (or of another iframe) at `url`. */
  childFrame(url: string, parent: FakeFrame = this.mainFrame): FakeFrame {
    return new FakeFrame(url, parent, parent.processId, parent.routingId + 1 + Math.floor(Math.random() * 1000));
  }

  /** The page tries to navigate (a followed link, `location = …`): whether the app let it. */
  navigate(url: string): boolean {
    const event = new FakeEvent();
    this.emit('will-navigate', event, url, false, true);
    if (!event.defaultPrevented) this.mainFrame.url = url;
    return !event.defaultPrevented;
  }

  /** A server redirect during a navigation: whether the app let it. */
  redirect(url: string): boolean {
    const event = new FakeEvent();
    this.emit('will-redirect', event, url, false, true);
    return !event.defaultPrevented;
  }

  /** The page calls `window.open(url)` or a link has target=_blank: what the app's handler answers. */
  openWindow(url: string): WindowOpenHandlerResponse {
    if (!this.openHandler) return { action: 'allow' }; // Electron's default
    return this.openHandler({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: this.getURL(), policy: 'strict-origin-when-cross-origin' } });
  }

  /** A right-click; `params` holds the fields of ContextMenuParams a test cares about. */
  contextMenu(params: Partial<ContextMenuParams>): void {
    const full = { isEditable: false, selectionText: '', dictionarySuggestions: [], misspelledWord: '', ...params } as ContextMenuParams;
    this.emit('context-menu', new FakeEvent(), full);
  }

  /** The events main sent to the page on the event channel, by name. */
  events(channel: string, name?: string): unknown[] {
    return this.sent.filter((s) => s[0] === channel && (name === undefined || s[1] === name)).map((s) => s[2]);
  }
}

type WindowPart = Pick<
  BrowserWindow,
  | 'id'
  | 'show'
  | 'hide'
  | 'focus'
  | 'restore'
  | 'minimize'
  | 'maximize'
  | 'isMinimized'
  | 'isMaximized'
  | 'isVisible'
  | 'isFocused'
  | 'isDestroyed'
  | 'getNormalBounds'
  | 'setBounds'
  | 'loadURL'
  | 'close'
>;

export class FakeBrowserWindow extends EventEmitter implements Omit<WindowPart, 'close'> {
  static all: FakeBrowserWindow[] = [];
  static onCreated: (window: FakeBrowserWindow) => void = () => {};
  static journal: string[] = [];

  readonly id = nextId++;
  readonly webContents: FakeWebContents;
  readonly options: BrowserWindowConstructorOptions;
  readonly loadedUrls: string[] = [];
  private visible = false;
  private focused = false;
  private minimized = false;
  private maximized = false;
  private destroyed = false;
  private bounds: Rectangle;

  constructor(options: BrowserWindowConstructorOptions = {}) {
    super();
    this.options = options;
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    this.webContents = new FakeWebContents(FakeBrowserWindow.journal);
    FakeBrowserWindow.all.push(this);
    FakeBrowserWindow.onCreated(this);
  }

  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all.filter((w) => !w.isDestroyed());
  }

  show(): void {
    const wasVisible = this.visible;
    this.visible = true;
    this.minimized = false;
    if (!wasVisible) this.emit('show');
    this.focus();
  }
  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.blur();
    this.emit('hide');
  }
  focus(): void {
    if (this.focused || !this.visible) return;
    this.focused = true;
    this.emit('focus');
  }
  /** The user switched to another app. */
  blur(): void {
    if (!this.focused) return;
    this.focused = false;
    this.emit('blur');
  }
  restore(): void {
    if (!this.minimized) return;
    this.minimized = false;
    this.emit('restore');
  }
  minimize(): void {
    this.minimized = true;
    this.blur();
    this.emit('minimize');
  }
  maximize(): void {
    this.maximized = true;
    this.emit('maximize');
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isFocused(): boolean {
    return this.focused;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Rectangle {
    return { ...this.bounds };
  }
  /** The user (or the window manager) moves or resizes the window. */
  setBounds(bounds: Partial<Rectangle>): void {
    const before = this.bounds;
    this.bounds = { ...before, ...bounds };
    if (this.bounds.x !== before.x || this.bounds.y !== before.y) this.emit('move');
    if (this.bounds.width !== before.width || this.bounds.height !== before.height) this.emit('resize');
  }
  /** Resolves once the page has loaded (`did-finish-load`); the first paint follows (`ready-to-show`). */
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.webContents.mainFrame.url = url;
    await new Promise((resolve) => setImmediate(resolve));
    this.webContents.emit('did-finish-load');
    this.emit('ready-to-show');
  }
  /** The user (or the app) closes the window: whether it really closed (a `close` listener may refuse). */
  close(): boolean {
    if (this.destroyed) return true;
    const event = new FakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.visible = false;
    this.focused = false;
    this.emit('closed');
    return true;
  }
}

export class FakeMenu implements Pick<Menu, 'popup'> {
  readonly popups: Array<PopupOptions | undefined> = [];
  constructor(readonly template: MenuItemConstructorOptions[]) {}

  static applicationMenu: FakeMenu | null = null;
  static built: FakeMenu[] = [];
  static buildFromTemplate(template: MenuItemConstructorOptions[]): FakeMenu {
    const menu = new FakeMenu(template);
    FakeMenu.built.push(menu);
    return menu;
  }
  static setApplicationMenu(menu: FakeMenu | null): void {
    FakeMenu.applicationMenu = menu;
  }
  popup(options?: PopupOptions): void {
    this.popups.push(options);
  }
  /** Clicks the item with this label (or role), as the user would. */
  click(labelOrRole: string): void {
    const item = this.template.find((i) => i.label === labelOrRole || i.role === labelOrRole);
    if (!item?.click) throw new Error(`no clickable menu item ${labelOrRole}`);
    (item.click as () => void)();
  }
}

export class FakeImage implements Pick<NativeImage, 'isEmpty'> {
  constructor(readonly path: string | null) {}
  isEmpty(): boolean {
    return this.path === null;
  }
}

export const fakeNativeImage = {
  createFromPath: (path: string) => new FakeImage(path),
  createEmpty: () => new FakeImage(null),
};

export class FakeTray extends EventEmitter implements Pick<Tray, 'setToolTip' | 'destroy' | 'isDestroyed'> {
  static all: FakeTray[] = [];
  tooltip = '';
  contextMenu: FakeMenu | null = null;
  private destroyed = false;

  constructor(readonly image: FakeImage | string) {
    super();
    FakeTray.all.push(this);
  }
  setToolTip(toolTip: string): void {
    this.tooltip = toolTip;
  }
  setContextMenu(menu: FakeMenu | null): void {
    this.contextMenu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeNotification extends EventEmitter implements Pick<Notification, 'show' | 'close' | 'title' | 'body' | 'silent'> {
  static supported = true;
  static all: FakeNotification[] = [];
  static onShown: (n: FakeNotification) => void = () => {};
  title: string;
  body: string;
  silent: boolean;
  shown = false;
  closed = false;

  constructor(options: NotificationConstructorOptions = {}) {
    super();
    this.title = options.title ?? '';
    this.body = options.body ?? '';
    this.silent = options.silent ?? false;
  }
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  show(): void {
    this.shown = true;
    FakeNotification.all.push(this);
    FakeNotification.onShown(this);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', new FakeEvent());
  }
  /** The user clicks the notification. */
  click(): void {
    this.emit('click', new FakeEvent());
  }
}

type InvokeListener = Parameters<IpcMain['handle']>[1];

export class FakeIpcMain extends EventEmitter implements Pick<IpcMain, 'handle' | 'removeHandler'> {
  readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    // Electron refuses a second handler for a channel.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /**
   * `ipcRenderer.invoke(channel, ...args)` from `frame` of `sender`'s page. The event carries the two fields
   * the layer reads (sender, senderFrame); Electron rejects the renderer's promise when no handler is registered.
   */
  async invoke(channel: string, from: { sender: FakeWebContents; frame?: FakeFrame | null }, ...args: unknown[]): Promise<unknown> {
    const listener = this.handlers.get(channel);
    if (!listener) throw new Error(`No handler registered for '${channel}'`);
    const event = { sender: from.sender, senderFrame: from.frame === undefined ? from.sender.mainFrame : from.frame, frameId: 1, processId: from.sender.mainFrame.processId };
    return listener(event as unknown as IpcMainInvokeEvent, ...args);
  }
}

type ProtocolHandler = Parameters<Protocol['handle']>[1];
type HeadersListener = (details: OnHeadersReceivedListenerDetails, callback: (response: HeadersReceivedResponse) => void) => void;
type PermissionRequestHandler = NonNullable<Parameters<Session['setPermissionRequestHandler']>[0]>;
type PermissionCheckHandler = NonNullable<Parameters<Session['setPermissionCheckHandler']>[0]>;

export class FakeProtocol implements Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle' | 'unhandle' | 'isProtocolHandled'> {
  readonly privileged: CustomScheme[] = [];
  readonly handlers = new Map<string, ProtocolHandler>();

  registerSchemesAsPrivileged(customSchemes: CustomScheme[]): void {
    this.privileged.push(...customSchemes);
  }
  handle(scheme: string, handler: ProtocolHandler): void {
    this.handlers.set(scheme, handler);
  }
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  }
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  }
  /** A request the page makes for `url` of a custom scheme. */
  async fetch(url: string): Promise<Response> {
    const handler = this.handlers.get(new URL(url).protocol.replace(/:$/, ''));
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME ${url}`);
    return handler(new Request(url));
  }
}

export class FakeWebRequest implements Pick<WebRequest, 'onHeadersReceived'> {
  listener: HeadersListener | null = null;

  onHeadersReceived(filter: WebRequestFilter, listener: HeadersListener | null): void;
  onHeadersReceived(listener: HeadersListener | null): void;
  onHeadersReceived(a: WebRequestFilter | HeadersListener | null, b?: HeadersListener | null): void {
    this.listener = typeof a === 'function' || a === null ? a : (b ?? null);
  }

  /** A response from `url` reaches the session: the headers the page is given. */
  headersFor(url: string, responseHeaders: Record<string, string[]>): Promise<Record<string, string[]> | undefined> {
    const listener = this.listener;
    if (!listener) return Promise.resolve(responseHeaders);
    return new Promise((resolve) => {
      const details = { id: 1, url, method: 'GET', timestamp: Date.now(), resourceType: 'mainFrame', referrer: '', statusLine: 'HTTP/1.1 200 OK', statusCode: 200, responseHeaders };
      listener(details as unknown as OnHeadersReceivedListenerDetails, (response) => resolve(response.responseHeaders as Record<string, string[]> | undefined));
    });
  }
}

export class FakeSession implements Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> {
  readonly protocol = new FakeProtocol();
  readonly webRequest = new FakeWebRequest();
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler;
  }

  /** A page at `requestingUrl` asks for a permission (getUserMedia, clipboard…): whether it is granted. */
  requestPermission(permission: Parameters<PermissionRequestHandler>[1], requestingUrl: string, mediaTypes?: Array<'audio' | 'video'>): Promise<boolean> {
    const handler = this.permissionRequestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => {
      const details = { requestingUrl, isMainFrame: true, ...(mediaTypes ? { mediaTypes } : {}) };
      handler(null as unknown as WebContents, permission, resolve, details as Parameters<PermissionRequestHandler>[3]);
    });
  }
}

export class FakeShell implements Pick<Shell, 'openExternal'> {
  readonly opened: string[] = [];
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
}

/** The OS keychain: reversible, and never the plain text. */
export class FakeSafeStorage implements Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> {
  available = true;
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    return Buffer.from(`sealed:${Buffer.from(plainText).toString('hex')}`);
  }
  decryptString(encrypted: Buffer): string {
    const text = encrypted.toString();
    if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice(7), 'hex').toString();
  }
}

export class FakePowerMonitor extends EventEmitter {}

export class FakeScreen {
  displays: Array<Pick<Display, 'workArea'>> = [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }];
  getAllDisplays(): Array<Pick<Display, 'workArea'>> {
    return this.displays;
  }
}

export interface FakeElectron {
  /** The object `vi.mock('electron', () => fake.module)` returns. */
  module: Record<string, unknown>;
  journal: string[];
  app: FakeApp;
  ipcMain: FakeIpcMain;
  protocol: FakeProtocol;
  session: { defaultSession: FakeSession };
  shell: FakeShell;
  safeStorage: FakeSafeStorage;
  powerMonitor: FakePowerMonitor;
  screen: FakeScreen;
  nativeTheme: Pick<NativeTheme, 'themeSource'>;
  BrowserWindow: typeof FakeBrowserWindow;
  Notification: typeof FakeNotification;
  Tray: typeof FakeTray;
  Menu: typeof FakeMenu;
  /** Windows created so far (destroyed ones included), oldest first. */
  windows(): FakeBrowserWindow[];
  /** Forgets everything (a new process): listeners, handlers, windows, trays, notifications, records. */
  reset(): void;
}

export function createFakeElectron(): FakeElectron {
  const journal: string[] = [];
  let app = new FakeApp(journal);
  const ipcMain = new FakeIpcMain();
  let protocol = new FakeProtocol();
  const session = { defaultSession: new FakeSession() };
  let shell = new FakeShell();
  const safeStorage = new FakeSafeStorage();
  const powerMonitor = new FakePowerMonitor();
  const screen = new FakeScreen();
  const nativeTheme: Pick<NativeTheme, 'themeSource'> = { themeSource: 'system' };
  FakeBrowserWindow.journal = journal;

  const wire = () => {
    app.windows = () => FakeBrowserWindow.getAllWindows();
    // Electron tells the app about every new web contents (hardening listens for this).
    FakeBrowserWindow.onCreated = (window) => app.emit('web-contents-created', new FakeEvent(), window.webContents);
  };
  wire();

  // The module's exports are getters, so `reset()` (a relaunch) gives the next import fresh objects.
  const module: Record<string, unknown> = {};
  const exports: Record<string, () => unknown> = {
    app: () => app,
    ipcMain: () => ipcMain,
    protocol: () => protocol,
    session: () => session,
    shell: () => shell,
    safeStorage: () => safeStorage,
    powerMonitor: () => powerMonitor,
    screen: () => screen,
    nativeTheme: () => nativeTheme,
    nativeImage: () => fakeNativeImage,
    BrowserWindow: () => FakeBrowserWindow,
    Notification: () => FakeNotification,
    Tray: () => FakeTray,
    Menu: () => FakeMenu,
  };
  for (const [name, get] of Object.entries(exports)) Object.defineProperty(module, name, { get, enumerable: true });
  module.default = module;

  const fake: FakeElectron = {
    module,
    journal,
    get app() {
      return app;
    },
    ipcMain,
    get protocol() {
      return protocol;
    },
    session,
    get shell() {
      return shell;
    },
    safeStorage,
    powerMonitor,
    screen,
    nativeTheme,
    BrowserWindow: FakeBrowserWindow,
    Notification: FakeNotification,
    Tray: FakeTray,
    Menu: FakeMenu,
    windows: () => [...FakeBrowserWindow.all],
    reset() {
      journal.length = 0;
      app.removeAllListeners();
      app = new FakeApp(journal);
      ipcMain.removeAllListeners();
      ipcMain.handlers.clear();
      protocol = new FakeProtocol();
      session.defaultSession = new FakeSession();
      shell = new FakeShell();
      safeStorage.available = true;
      powerMonitor.removeAllListeners();
      nativeTheme.themeSource = 'system';
      FakeBrowserWindow.all = [];
      FakeTray.all = [];
      FakeNotification.all = [];
      FakeNotification.supported = true;
      FakeNotification.onShown = () => {};
      FakeMenu.applicationMenu = null;
      FakeMenu.built = [];
      wire();
    },
  };
  return fake;
}
