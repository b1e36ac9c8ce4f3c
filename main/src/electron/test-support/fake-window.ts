/**
 * Test support, part of the stand-in `electron` module (fake-electron.ts): BrowserWindow, its webContents and
 * frames, typed by electron's definitions, with what the OS and Chromium do to a window (navigation,
 * window.open, a right-click, focus changes, closing).
 */
import { EventEmitter } from 'node:events';
import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  ContextMenuParams,
  HandlerDetails,
  Rectangle,
  WebContents,
  WebFrameMain,
  WindowOpenHandlerResponse,
} from 'electron';

/** What Chromium passes to listeners of preventable events (will-navigate, close, will-quit…). */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

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
  /** The next page load fails with this (as Electron's loadURL rejects on ERR_CONNECTION_REFUSED, say). */
  static failNextLoad: Error | null = null;

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
    const failure = FakeBrowserWindow.failNextLoad;
    if (failure) {
      FakeBrowserWindow.failNextLoad = null;
      await new Promise((resolve) => setImmediate(resolve));
      this.webContents.emit('did-fail-load', {}, -102, failure.message, url, true);
      throw failure;
    }
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
