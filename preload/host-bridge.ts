/**
 * Host mode's `window.api`: the same `Api` as the Electron preload, carried over the host's local WebSocket.
 *
 * Frames (JSON through `wire-codec`, so bytes survive): `{id, method, arg}` → `{id, result}`, and pushes
 * `{event, payload}`. The socket is opened through an injected function, so this file needs neither DOM nor
 * Node types; `host-bridge-entry.ts` adapts the browser's WebSocket and installs `window.api`.
 *
 * A call made while the socket is (re)connecting waits for it; every call still unanswered when the socket
 * closes fails with `UNAVAILABLE`. The bridge reconnects with backoff if the host goes away, except after a
 * refusal (close 4401: wrong secret or origin), which retrying cannot fix. After a reconnect it emits
 * `session:changed` and `connection:changed` with fresh values, because events may have been missed.
 */
import { buildApi, createEventHub } from './build-api.js';
import { HOST_IPC, type Api, type ApiErrorBody, type ApiMethod, type ApiResult } from './contract.js';
import { createWireCodec, type Base64 } from './wire-codec.js';

export interface BridgeSocket {
  send(text: string): void;
  close(): void;
}

export interface BridgeSocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number): void;
}

export type OpenSocket = (url: string, protocols: string[], handlers: BridgeSocketHandlers) => BridgeSocket;

export type BridgeState = 'connecting' | 'open' | 'refused' | 'closed';

export interface HostApiOptions {
  /** `ws://127.0.0.1:<port>/ipc` */
  url: string;
  secret: string;
  openSocket: OpenSocket;
  minRetryMs?: number;
  maxRetryMs?: number;
  base64?: Base64;
  onStateChange?: (state: BridgeState) => void;
}

export interface HostApi {
  api: Api;
  /** Closes the socket for good; pending and later calls fail with UNAVAILABLE. */
  close(): void;
}

interface Pending {
  resolve(result: ApiResult<unknown>): void;
  frame: string;
}

const unavailable = (message: string): ApiResult<never> => ({ ok: false, error: { code: 'UNAVAILABLE', message } });

export function createHostApi(options: HostApiOptions): HostApi {
  const minRetry = options.minRetryMs ?? 250;
  const maxRetry = options.maxRetryMs ?? 5000;
  const codec = createWireCodec(options.base64);
  const hub = createEventHub();

  let state: BridgeState = 'connecting';
  let socket: BridgeSocket | null = null;
  let isOpen = false;
  let everOpened = false;
  let retryMs = minRetry;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;
  // Calls belong to the socket they were issued on (or wait for the next one): all fail when it closes.
  let pending = new Map<number, Pending>();

  const setState = (next: BridgeState) => {
    if (state === next) return;
    state = next;
    options.onStateChange?.(next);
  };

  const failAll = (message: string) => {
    const failed = pending;
    pending = new Map();
    for (const call of failed.values()) call.resolve(unavailable(message));
  };

  const connect = () => {
    setState('connecting');
    const protocols = [HOST_IPC.protocol, HOST_IPC.secretProtocolPrefix + options.secret];
    let current: BridgeSocket | null = null;
    const isCurrent = () => current !== null && socket === current;
    current = options.openSocket(options.url, protocols, {
      open() {
        if (!isCurrent()) return;
        isOpen = true;
        retryMs = minRetry;
        setState('open');
        for (const call of pending.values()) current?.send(call.frame);
        if (everOpened) void resync();
        everOpened = true;
      },
      message(text) {
        if (isCurrent()) onFrame(text);
      },
      close(code) {
        if (!isCurrent()) return;
        socket = null;
        isOpen = false;
        if (code === HOST_IPC.refusedCloseCode) {
          setState('refused');
          failAll('the app refused this page: open it again from the link the app printed');
          return;
        }
        failAll('the connection to the app was lost');
        if (state === 'closed') return;
        setState('connecting');
        retryTimer = setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, maxRetry);
      },
    });
    socket = current;
  };

  const onFrame = (text: string) => {
    let frame: unknown;
    try {
      frame = codec.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const { id, result, event, payload } = frame as Record<string, unknown>;
    if (typeof event === 'string') {
      hub.emit(event, payload);
      return;
    }
    if (typeof id !== 'number') return;
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    call.resolve(asResult(result));
  };

  const call = (method: ApiMethod, arg: unknown): Promise<ApiResult<unknown>> => {
    if (state === 'refused') return Promise.resolve(unavailable('the app refused this page'));
    if (state === 'closed') return Promise.resolve(unavailable('the bridge is closed'));
    const id = nextId++;
    let frame: string;
    try {
      frame = codec.stringify({ id, method, arg });
    } catch {
      return Promise.resolve({ ok: false, error: { code: 'BAD_REQUEST', message: `${method}: argument cannot be sent` } });
    }
    return new Promise((resolve) => {
      pending.set(id, { resolve, frame });
      if (isOpen) socket?.send(frame);
    });
  };

  const resync = async () => {
    const session = await call('session.get', {});
    if (session.ok) hub.emit('session:changed', session.value);
    const connection = await call('connection.get', {});
    if (connection.ok) hub.emit('connection:changed', connection.value);
  };

  if (options.secret === '') {
    state = 'refused';
    options.onStateChange?.('refused');
  } else {
    connect();
  }

  return {
    api: buildApi(call, hub),
    close() {
      setState('closed');
      clearTimeout(retryTimer);
      const closing = socket;
      socket = null;
      isOpen = false;
      closing?.close();
      failAll('the bridge is closed');
    },
  };
}

function asResult(value: unknown): ApiResult<unknown> {
  if (typeof value === 'object' && value !== null) {
    const r = value as { ok?: unknown; value?: unknown; error?: Partial<ApiErrorBody> };
    if (r.ok === true) return { ok: true, value: r.value };
    if (r.ok === false && typeof r.error?.code === 'string' && typeof r.error.message === 'string') {
      return { ok: false, error: r.error as ApiErrorBody };
    }
  }
  return { ok: false, error: { code: 'INTERNAL', message: 'malformed answer from the app' } };
}
