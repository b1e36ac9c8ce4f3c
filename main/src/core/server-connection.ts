/**
 * The one WebSocket to the server: hello with the stored token, request/answer correlation, liveness,
 * and reconnection with jittered exponential backoff. Observable state for the UI.
 *
 * The server is a trust boundary: every frame is checked against protocol/'s schemas (the envelope, then the
 * answer by its op, the event by its name). A malformed answer fails its request with MalformedFrameError
 * (a ProtocolError, code INTERNAL); a malformed event is reported (`malformed`) and dropped.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  CloseCode,
  MalformedFrameError,
  PROTOCOL_VERSION,
  ProtocolError,
  isErrorCode,
  limitsOf,
  parseAnswer,
  parseEvent,
  serverFrameValidator,
  type Op,
  type OpRequest,
  type OpResult,
  type ServerEvent,
  type MessagingPolicy,
  type ServerLimits,
} from '../../../protocol/index.js';
import { Backoff, type BackoffOptions } from './backoff.js';

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
  backoff?: BackoffOptions;
}

/** The server's close code for "over a resource limit, try again later" (docs/protocol.md part 2, "Resource limits"). */
const CLOSE_TRY_AGAIN_LATER = 1013;
/** A connection online this long before it was shed no longer counts as part of a series: the backoff starts over. */
const STABLE_MS = 60_000;
/** How long a request answered RATE_LIMITED is retried (after each retryAfterMs) before the error reaches the caller. */
const RATE_LIMIT_PATIENCE_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** No answer arrived (offline, timed out, connection lost): the caller may retry. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
}

interface PendingRequest {
  /** Checks the answer's body against the op's schema and settles the request with it. */
  answer: (body: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ServerConnectionEvents {
  state: [ConnectionState];
  /** A server push, checked against its schema. */
  event: [ServerEvent];
  /** The token was refused or revoked; the connection will not retry until restarted with a new token. */
  'auth-failed': [{ reason: string; revoked: boolean }];
  /** The server announced limits other than those known so far (the first hello, or a server reconfigured). */
  limits: [ServerLimits];
  /** The server sent something outside the contract: dropped (an answer's request failed with MalformedFrameError). */
  malformed: [{ problem: string }];
}

/** An error answer as a typed error. A code this version does not know (a newer server's) is read as BAD_REQUEST: not retried. */
function errorOf(error: { code: string; message: string } & Record<string, unknown>): ProtocolError {
  const { code, message, ...extra } = error;
  if (isErrorCode(code)) return new ProtocolError(code, message, extra);
  return new ProtocolError('BAD_REQUEST', message, { ...extra, serverCode: code });
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
  private announced: ServerLimits | null = null;
  /**
   * The server shed this client or refused it for a limit (1013, or a hello answered RATE_LIMITED): reconnects back
   * off further even when hellos succeed, until a connection stays up for STABLE_MS.
   */
  private pressured = false;
  /** A hello's retryAfterMs: the next attempt waits at least this long (capped by the backoff's cap). */
  private retryAfterMs = 0;
  private onlineSince: number | null = null;
  private messagingPolicy: MessagingPolicy = 'anyone';
  /** Why the last hello was refused, to show instead of the close that follows it. */
  private refusal: string | null = null;

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

  /** The limits the server announced in its last hello (completed with the protocol's defaults); null before the first. */
  get limits(): ServerLimits | null {
    return this.announced;
  }

  /** Who may message whom privately, as the last hello said (absent from older servers: anyone). */
  get messaging(): MessagingPolicy {
    return this.messagingPolicy;
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

  /**
   * Sends a request and resolves with its answer. One answered RATE_LIMITED is sent again after its retryAfterMs
   * (with jitter, so requests refused together do not return together) for up to a minute, then the error is thrown.
   */
  async request<O extends Op>(op: O, body: OpRequest<O>): Promise<OpResult<O>> {
    const started = Date.now();
    for (;;) {
      const ws = this.ws;
      if (!ws || this.current.state !== 'online') throw new NoAnswerError('offline');
      try {
        return await this.rawRequest(ws, op, body);
      } catch (error) {
        if (!(error instanceof ProtocolError) || error.code !== 'RATE_LIMITED') throw error;
        const wait = Math.max(10, Number(error.extra.retryAfterMs ?? 1000)) * (1 + Math.random());
        if (Date.now() + wait - started > RATE_LIMIT_PATIENCE_MS) throw error;
        await sleep(wait);
      }
    }
  }

  private rawRequest<O extends Op>(ws: WebSocket, op: O, body: OpRequest<O>): Promise<OpResult<O>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new NoAnswerError(`${op}: no answer within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      const answer = (raw: unknown) => {
        try {
          resolve(parseAnswer(op, raw));
        } catch (error) {
          this.report((error as Error).message);
          reject(error);
        }
      };
      this.pending.set(id, { answer, reject, timer });
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
      const body = await this.rawRequest(ws, 'hello', {
        token: this.options.token,
        device: this.options.device,
        protocol: PROTOCOL_VERSION,
      });
      if (ws !== this.ws) return;
      if (!this.pressured) this.backoff.reset();
      this.onlineSince = Date.now();
      this.messagingPolicy = body.messaging ?? 'anyone';
      this.keepLimits(limitsOf(body.limits));
      this.setState({ state: 'online', userId: body.userId, serverTime: body.serverTime });
    } catch (error) {
      if (ws !== this.ws) return;
      if (error instanceof ProtocolError && error.code === 'UNAUTHENTICATED') {
        this.authFailed(error.message, false);
      } else {
        // Refused for a limit (too many connections of this user): not a sign-in problem; try again later.
        if (error instanceof ProtocolError && error.code === 'RATE_LIMITED') {
          this.pressured = true;
          this.retryAfterMs = Number(error.extra.retryAfterMs ?? 0);
          this.refusal = error.message;
        }
        ws.terminate();
      }
    }
  }

  private touch(ws: WebSocket): void {
    if (ws !== this.ws) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => ws.terminate(), this.idleTimeoutMs);
  }

  private keepLimits(limits: ServerLimits): void {
    const before = this.announced;
    this.announced = limits;
    if (!before || JSON.stringify(before) !== JSON.stringify(limits)) this.emit('limits', limits);
  }

  /** Something outside the contract arrived (and was dropped). */
  private report(problem: string): void {
    this.emit('malformed', { problem });
  }

  private onFrame(ws: WebSocket, text: string): void {
    this.touch(ws);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.report('a frame that is not JSON');
      return;
    }
    if (!serverFrameValidator.check(frame)) {
      const problem = `malformed frame: ${serverFrameValidator.explain(frame)}`;
      this.report(problem);
      // An answer whose envelope is broken still fails its request now rather than at the timeout.
      const id = typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'res' ? (frame as { id?: unknown }).id : undefined;
      if (typeof id === 'number') this.settle(id)?.reject(new MalformedFrameError(problem));
      return;
    }
    if (frame.type === 'res') {
      const pending = this.settle(frame.id);
      if (!pending) return;
      if (frame.ok) pending.answer(frame.body);
      else pending.reject(errorOf(frame.error));
    } else if (ws === this.ws && this.current.state === 'online') {
      const parsed = parseEvent(frame.ev, frame.body);
      // An event this version does not know is a newer server's extension: ignored.
      if (parsed.ok) this.emit('event', parsed.event);
      else if (!parsed.unknown) this.report(parsed.problem);
    }
  }

  /** Takes the pending request `id` off the table (null when there is none). */
  private settle(id: number): PendingRequest | null {
    const pending = this.pending.get(id);
    if (!pending) return null;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return;
    const stable = this.onlineSince !== null && Date.now() - this.onlineSince >= STABLE_MS;
    this.onlineSince = null;
    if (stable) {
      this.pressured = false;
      this.backoff.reset();
    }
    if (code === CLOSE_TRY_AGAIN_LATER) this.pressured = true;
    if (this.refusal) {
      reason = this.refusal;
      this.refusal = null;
    }
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
    const floor = Math.min(this.retryAfterMs, this.options.backoff?.capMs ?? 30_000);
    this.retryAfterMs = 0;
    const delay = Math.max(this.backoff.next(), floor);
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
