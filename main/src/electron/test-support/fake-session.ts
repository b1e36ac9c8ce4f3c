/**
 * Test support, part of the stand-in `electron` module (fake-electron.ts): how the page reaches main — ipcMain,
 * the custom protocol, the session's response headers and permission requests — typed by electron's
 * definitions, with the page's side of each (an invoke from a frame, a request, a permission prompt).
 */
import { EventEmitter } from 'node:events';
import type {
  CustomScheme,
  HeadersReceivedResponse,
  IpcMain,
  IpcMainInvokeEvent,
  OnHeadersReceivedListenerDetails,
  Protocol,
  Session,
  WebContents,
  WebRequest,
  WebRequestFilter,
} from 'electron';
import type { FakeFrame, FakeWebContents } from './fake-window.js';

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
