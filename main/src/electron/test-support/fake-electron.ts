/**
 * Test support: a stand-in for the `electron` module where the Electron binary cannot be installed, so the
 * real Electron layer (electron-host.ts, main.ts) runs in Node under vitest. Load it in place of the real module:
 *
 *   const fake = await vi.hoisted(async () => (await import('./test-support/fake-electron.js')).createFakeElectron());
 *   vi.mock('electron', () => fake.module);
 *
 * The window (fake-window.ts) and the page's ways into main (fake-session.ts) are beside this file.
 * Each fake implements the part of electron's API the layer uses, typed by electron's own definitions
 * (`implements Pick<App, …>`), so a method the layer calls with a shape Electron does not have fails to compile.
 * The fakes record what is done to them (a shared, ordered `journal` too) and offer what the OS or Chromium
 * would do to the app (a navigation, a click on a notification, an IPC call from some frame, the quit sequence).
 */
import { EventEmitter } from 'node:events';
import type {
  App,
  Display,
  LoginItemSettings,
  Menu,
  MenuItemConstructorOptions,
  NativeImage,
  NativeTheme,
  Notification,
  NotificationConstructorOptions,
  PopupOptions,
  SafeStorage,
  Settings,
  Shell,
  Tray,
} from 'electron';
import { FakeIpcMain, FakeProtocol, FakeSession } from './fake-session.js';
import { FakeBrowserWindow, FakeEvent } from './fake-window.js';

export { FakeIpcMain, FakeProtocol, FakeSession, FakeWebRequest } from './fake-session.js';
export { FakeBrowserWindow, FakeEvent, FakeFrame, FakeWebContents } from './fake-window.js';

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
      FakeBrowserWindow.failNextLoad = null;
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
