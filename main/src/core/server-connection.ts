/**
 * The one WebSocket to the server: hello with the stored token, request/answer correlation, liveness,
 * and reconnection with jittered exponential backoff. Observable state for the UI.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  CloseCode,
  PROTOCOL_VERSION,
  ProtocolError,
  serverFrameValidator,
  type EventBodies,
  type EventName,
  type Op,
  type OpRequest,
  type OpResult,
} from '../../../protocol/index.js';
import { Backoff } from './backoff.js';

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'online'; userId: string; serverTime: number }
  | { state: 'offline'; reason: string; nextRetryAt: number | null };

export interface DeviceInfo {
  id: string;
  platform: string;
  app: string;
}

export interface ServerConnectionOptions {
  /** http(s)://host:port of the server. */
  serverUrl: string;
  token: string;
  device: DeviceInfo;
  requestTimeoutMs?: number;
  /** Closes and reconnects when nothing (not even a ping) arrived for this long. */
  idleTimeoutMs?: number;
  backoff?: { baseMs: number; capMs: number };
}

/** No answer arrived (offline, timed out, connection lost): the caller may retry. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

interface PendingRequest {
  resolve: (body: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ServerConnectionEvents {
  state: [ConnectionState];
  /** A server push. */
  event: [{ [E in EventName]: { ev: E; body: EventBodies[E] } }[EventName]];
  /** The token was refused or revoked; the connection will not retry until restarted with a new token. */
  'auth-failed': [{ reason: string; revoked: boolean }];
}

export function wsUrlOf(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = '/v1/ws';
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class ServerConnection extends EventEmitter<ServerConnectionEvents> {
  private ws: WebSocket | null = null;
  private current: ConnectionState = { state: 'offline', reason: 'not started', nextRetryAt: null };
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 1;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly requestTimeoutMs: number;
  private readonly idleTimeoutMs: number;

  constructor(private readonly options: ServerConnectionOptions) {
    super();
    this.backoff = new Backoff(options.backoff ?? { baseMs: 500, capMs: 30_000 });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 75_000;
  }

  get state(): ConnectionState {
    return this.current;
  }

  get online(): boolean {
    return this.current.state === 'online';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  /** Stops and closes; pending requests fail with NoAnswerError. */
  stop(reason = 'stopped'): void {
    this.running = false;
    this.clearRetry();
    this.teardown(reason);
    this.setState({ state: 'offline', reason, nextRetryAt: null });
  }

  /** Tries at once (the OS reports the network back, or the window regained focus after a sleep). */
  connectNow(): void {
    if (!this.running || this.current.state !== 'offline') return;
    this.clearRetry();
    this.open();
  }

  /** Drops the connection as if the network failed (reconnects by itself). */
  drop(): void {
    this.ws?.terminate();
  }

  request<O extends Op>(op: O, body: OpRequest<O>): Promise<OpResult<O>> {
    const ws = this.ws;
    if (!ws || this.current.state !== 'online') return Promise.reject(new NoAnswerError('offline'));
    return this.rawRequest(ws, op, body) as Promise<OpResult<O>>;
  }

  private rawRequest(ws: WebSocket, op: string, body: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new NoAnswerError(`${op}: no answer within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: 'req', id, op, body }), (err) => {
        if (err && this.pending.delete(id)) {
          clearTimeout(timer);
          reject(new NoAnswerError(`${op}: ${err.message}`));
        }
      });
    });
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.emit('state', state);
  }

  private open(): void {
    this.setState({ state: 'connecting' });
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrlOf(this.options.serverUrl), { handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024 });
    } catch (error) {
      this.scheduleRetry(error instanceof Error ? error.message : 'cannot connect');
      return;
    }
    this.ws = ws;
    ws.on('open', () => void this.hello(ws));
    ws.on('message', (data) => this.onFrame(ws, data.toString()));
    ws.on('ping', () => this.touch(ws));
    ws.on('error', () => undefined); // 'close' follows and carries the outcome
    ws.on('close', (code, reason) => this.onClose(ws, code, reason.toString()));
  }

  private async hello(ws: WebSocket): Promise<void> {
    this.touch(ws);
    try {
      const body = (await this.rawRequest(ws, 'hello', {
        token: this.options.token,
        device: this.options.device,
        protocol: PROTOCOL_VERSION,
      })) as OpResult<'hello'>;
      if (ws !== this.ws) return;
      this.backoff.reset();
      this.setState({ state: 'online', userId: body.userId, serverTime: body.serverTime });
    } catch (error) {
      if (ws !== this.ws) return;
      if (error instanceof ProtocolError && error.code === 'UNAUTHENTICATED') {
        this.authFailed(error.message, false);
      } else {
        ws.terminate();
      }
    }
  }

  private touch(ws: WebSocket): void {
    if (ws !== this.ws) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => ws.terminate(), this.idleTimeoutMs);
  }

  private onFrame(ws: WebSocket, text: string): void {
    this.touch(ws);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!serverFrameValidator.check(frame)) return;
    if (frame.type === 'res') {
      const pending = this.pending.get(frame.id);
      if (!pending) return;
      this.pending.delete(frame.id);
      clearTimeout(pending.timer);
      if (frame.ok) pending.resolve(frame.body);
      else {
        const { code, message, ...extra } = frame.error;
        pending.reject(new ProtocolError(code as ProtocolError['code'], message, extra));
      }
    } else if (ws === this.ws && this.current.state === 'online') {
      this.emit('event', { ev: frame.ev, body: frame.body } as ServerConnectionEvents['event'][0]);
    }
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    this.teardown(reason || `closed (${code})`);
    if (!this.running) return;
    if (code === CloseCode.unauthenticated || code === CloseCode.sessionRevoked) {
      this.authFailed(reason || 'session ended', code === CloseCode.sessionRevoked);
      return;
    }
    if (code === CloseCode.replaced) {
      // Another connection with this device id took over; reconnecting would make the two fight.
      this.running = false;
      this.setState({ state: 'offline', reason: 'replaced by another connection of this device', nextRetryAt: null });
      return;
    }
    this.scheduleRetry(reason || (code === 1006 ? 'connection lost' : `closed (${code})`));
  }

  private authFailed(reason: string, revoked: boolean): void {
    this.running = false;
    this.teardown(reason);
    this.setState({ state: 'offline', reason: revoked ? 'session revoked' : 'sign-in refused', nextRetryAt: null });
    this.emit('auth-failed', { reason, revoked });
  }

  private teardown(reason: string): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) ws.terminate();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new NoAnswerError(`connection closed: ${reason}`));
      this.pending.delete(id);
    }
  }

  private scheduleRetry(reason: string): void {
    if (!this.running) return;
    const delay = this.backoff.next();
    this.setState({ state: 'offline', reason, nextRetryAt: Date.now() + delay });
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.open();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
