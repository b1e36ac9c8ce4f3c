/**
 * One client WebSocket: the hello handshake, frame validation, per-connection limits, and dispatch of
 * ops. Bad input is answered and counted; it never takes the server or other connections down.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import {
  CloseCode,
  MAX_TEXT,
  PROTOCOL_VERSION,
  ProtocolError,
  isOp,
  parseRequestBody,
  requestFrameValidator,
  type ErrorBody,
  type Op,
  type OpResult,
} from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { TokenService } from '../auth/tokens.js';
import type { ClientConnection, FrameBatch, Hub } from '../services/hub.js';
import type { Sessions } from '../services/sessions.js';
import { TokenBucket } from '../services/rate-limit.js';
import { UserLimits } from '../services/user-limits.js';
import type { OpHandlers } from '../ops/handlers.js';
import { encodeTextFrames } from './frames.js';
import type { OutputBudget, Sheddable } from './output-budget.js';

export interface ConnectionDeps {
  config: ServerConfig;
  hub: Hub;
  tokens: TokenService;
  sessions: Sessions;
  handlers: OpHandlers;
  metrics: Metrics;
  log: Logger;
  budget: OutputBudget;
  userLimits: UserLimits;
}

/** Close code for a connection shed or refused by a resource limit: the client reconnects after a backoff. */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** What a client refused by the per-user connection limit is told to wait before trying again. */
export const CONNECTION_RETRY_AFTER_MS = 5_000;
/** While a connection has more unsent output than this, its further requests are not read. */
const READ_PAUSE_BYTES = 1024 * 1024;

const noop = () => undefined;
/** Buffers passed to `ws.send` are UTF-8 JSON: they go out as text frames. */
const TEXT = { binary: false } as const;

type State = 'awaiting-hello' | 'authenticating' | 'open' | 'closed';

interface Request {
  id: number;
  op: string;
  body: unknown;
}

export class WsConnection implements ClientConnection, Sheddable {
  readonly id = randomUUID();
  userId = '';
  deviceId = '';
  tokenHash = '';
  lastPong = Date.now();
  private state: State = 'awaiting-hello';
  private readonly helloTimer: NodeJS.Timeout;
  private readonly malformedAt: number[] = [];
  private readonly bucket: TokenBucket;
  /** Sends of one connection enter the log in the order they arrived. */
  private sendChain: Promise<unknown> = Promise.resolve();
  private readonly early: RawData[] = [];
  /** Requests being handled; of them, requests other than sends; requests read and not started yet. */
  private inFlight = 0;
  private othersInFlight = 0;
  private readonly waiting: Request[] = [];
  private readingPaused = false;

  /**
   * @param socket the upgraded socket under `ws`: a batch shared by many connections is encoded once and written
   *   to each socket as it is (perMessageDeflate is off, so ws never holds frames back that this could overtake).
   */
  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    private readonly socket: Duplex | null = null,
  ) {
    this.bucket = new TokenBucket(deps.config.sendRate, deps.config.sendBurst);
    this.helloTimer = setTimeout(() => this.close(CloseCode.unauthenticated, 'hello expected'), deps.config.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.lastPong = Date.now()));
    ws.on('close', () => {
      this.onClosed();
      deps.budget.gone(this);
    });
    ws.on('error', (err) => deps.log.debug({ err, conn: this.id }, 'socket error'));
    socket?.on('drain', () => {
      if (this.state === 'open') deps.budget.update(this);
      this.pump();
    });
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  private writable(): boolean {
    if (this.state === 'closed' || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > this.deps.config.maxConnectionUnsentBytes) {
      this.deps.metrics.connectionsShed.inc({ reason: 'connection-output' });
      this.shed('client too slow');
      return false;
    }
    return true;
  }

  /** Counts what a write left unsent: towards the server's total (which may shed), and for pausing reads. */
  private wrote(): void {
    if (this.state === 'open') this.deps.budget.update(this);
    if (!this.readingPaused && this.ws.bufferedAmount > READ_PAUSE_BYTES) this.updateReading();
  }

  sendFrame(frame: string | Buffer): void {
    if (!this.writable()) return;
    // As UTF-8 bytes: ws would queue a string as it is, and the socket counts a queued string in characters, so
    // unsent CJK text would count a third of its size (and sit on the V8 heap).
    this.ws.send(typeof frame === 'string' ? Buffer.from(frame) : frame, TEXT);
    this.wrote();
  }

  sendFrames(batch: FrameBatch): void {
    if (batch.frames.length === 0 || !this.writable()) return;
    if (this.socket) {
      // Straight to the socket, in order with what ws writes (ws queues nothing of its own without compression).
      batch.encoded ??= encodeTextFrames(batch.frames);
      this.socket.write(batch.encoded);
    } else {
      for (const frame of batch.frames) this.ws.send(frame, TEXT);
    }
    this.wrote();
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.onClosed();
    this.ws.close(code, reason);
  }

  /**
   * Closes with 1013. The close frame goes out behind the unsent output, so only a client that reads it all sees
   * it; the socket, and the output it holds, is destroyed after the grace period either way.
   */
  shed(reason: string): void {
    if (this.state === 'closed') return;
    this.close(CLOSE_TRY_AGAIN_LATER, reason);
    const timer = setTimeout(() => this.ws.terminate(), this.deps.config.shedGraceMs);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  ping(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  terminate(): void {
    this.onClosed();
    this.ws.terminate();
  }

  private onClosed(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    this.waiting.length = 0;
    if (wasOpen) {
      this.deps.hub.remove(this);
      this.deps.budget.remove(this);
      this.deps.sessions.closed(this.tokenHash);
    }
  }

  /** Stops reading the socket while requests wait their turn or the output is backed up: work queued stays bounded. */
  private updateReading(): void {
    const backedUp = this.ws.bufferedAmount > READ_PAUSE_BYTES;
    const pause = this.state !== 'closed' && (this.waiting.length > 0 || backedUp);
    if (pause === this.readingPaused) return;
    this.readingPaused = pause;
    if (pause) {
      this.deps.metrics.readsPaused.inc({ reason: backedUp ? 'output' : 'in-flight' });
      this.ws.pause();
    } else {
      this.ws.resume();
    }
  }

  /** Queues a request; they start in arrival order (pipelined sends are stored in that order). */
  private admit(request: Request): void {
    this.waiting.push(request);
    this.pump();
  }

  /**
   * Starts what waits, in order: while fewer than `maxInFlight` requests are being handled and the output is not
   * backed up (a client that does not read gets no new work done for it), sends pipelined, other requests one at a
   * time, each after the previous answer was written, so the backlog check sees it.
   */
  private pump(): void {
    while (this.state === 'open' && this.waiting.length > 0) {
      const next = this.waiting[0]!;
      if (this.inFlight >= this.deps.config.maxInFlight || this.ws.bufferedAmount > READ_PAUSE_BYTES) break;
      if (next.op !== 'send' && this.othersInFlight > 0) break;
      this.waiting.shift();
      this.run(next);
    }
    this.updateReading();
  }

  private run(request: Request): void {
    const other = request.op !== 'send';
    this.inFlight++;
    if (other) this.othersInFlight++;
    void this.dispatch(request.id, request.op, request.body).finally(() => {
      this.inFlight--;
      if (other) this.othersInFlight--;
      this.pump();
    });
  }

  private answer(id: number, body: unknown): void {
    this.sendFrame(JSON.stringify({ type: 'res', id, ok: true, body }));
  }

  private fail(id: number, error: ErrorBody): void {
    this.deps.metrics.errors.inc({ code: error.code });
    this.sendFrame(JSON.stringify({ type: 'res', id, ok: false, error }));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state === 'closed') return;
    if (this.state === 'authenticating') {
      this.early.push(data);
      return;
    }
    const parsed = this.parse(data, isBinary);
    if (this.state === 'awaiting-hello') {
      void this.hello(parsed);
      return;
    }
    if (!parsed.ok) {
      this.fail(parsed.id, { code: 'BAD_REQUEST', message: parsed.message });
      this.countMalformed();
      return;
    }
    this.admit(parsed);
  }

  private parse(data: RawData, isBinary: boolean): { ok: true; id: number; op: string; body: unknown } | { ok: false; id: number; message: string } {
    if (isBinary) return { ok: false, id: 0, message: 'frames must be text' };
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      return { ok: false, id: 0, message: 'frame is not valid JSON' };
    }
    if (!requestFrameValidator.check(value)) {
      const id = typeof value === 'object' && value !== null && Number.isInteger((value as { id?: unknown }).id) ? (value as { id: number }).id : 0;
      return { ok: false, id, message: `frame: ${requestFrameValidator.explain(value)}` };
    }
    return { ok: true, id: value.id, op: value.op, body: value.body ?? {} };
  }

  private countMalformed(): void {
    const now = Date.now();
    this.malformedAt.push(now);
    while (this.malformedAt.length > 0 && this.malformedAt[0]! <= now - 60_000) this.malformedAt.shift();
    if (this.malformedAt.length > this.deps.config.maxMalformedPerMinute) this.close(CloseCode.policyViolation, 'too many malformed frames');
  }

  private async hello(parsed: ReturnType<WsConnection['parse']>): Promise<void> {
    const refuse = (id: number, message: string) => {
      this.fail(id, { code: 'UNAUTHENTICATED', message });
      this.close(CloseCode.unauthenticated, message.slice(0, 120));
    };
    if (!parsed.ok) return refuse(parsed.id, `hello expected first (${parsed.message})`);
    if (parsed.op !== 'hello') return refuse(parsed.id, 'hello expected first');
    this.state = 'authenticating';
    this.deps.metrics.requests.inc({ op: 'hello' });
    try {
      const body = parseRequestBody('hello', parsed.body);
      if (body.protocol !== PROTOCOL_VERSION) throw new ProtocolError('UNAUTHENTICATED', 'unsupported protocol version');
      const { userId, tokenHash } = await this.deps.tokens.authenticate(body.token);
      if ((this.state as State) === 'closed') return;
      if (!this.deps.hub.accepting) {
        this.close(CloseCode.serviceRestart, 'this server lost contact with its cluster; reconnect');
        return;
      }
      // Counted and added in the same turn, so hellos racing each other on this node cannot pass the limit together
      // (on other nodes, they are counted once the bus has told this node of them).
      const others = this.deps.hub.otherDevices(userId, body.device.id);
      if (others >= this.deps.config.maxConnectionsPerUser) {
        this.deps.metrics.limitRefusals.inc({ limit: 'user-connections' });
        const message = `too many connections for this user (${this.deps.config.maxConnectionsPerUser}); try again later`;
        this.fail(parsed.id, { code: 'RATE_LIMITED', message, retryAfterMs: CONNECTION_RETRY_AFTER_MS });
        this.shed(message);
        return;
      }
      this.deps.sessions.opened(tokenHash, { deviceId: body.device.id, platform: body.device.platform, app: body.device.app });
      this.userId = userId;
      this.deviceId = body.device.id;
      this.tokenHash = tokenHash;
      clearTimeout(this.helloTimer);
      this.state = 'open';
      this.deps.hub.add(this);
      this.deps.budget.add(this);
      const { config } = this.deps;
      const answer: OpResult<'hello'> = {
        userId,
        sessionId: this.id,
        serverTime: Date.now(),
        limits: {
          maxFrameBytes: config.maxFrameBytes,
          sendPerSecond: config.sendRate,
          maxFileBytes: config.maxFileBytes,
          // Extension (docs/protocol.md part 2): what a client needs to offer only what this server allows.
          recallWindowMs: config.recallWindowMs,
          maxTextChars: MAX_TEXT,
          maxGroupMembers: config.maxGroupMembers,
          typingMaxGroupMembers: config.typingMaxGroupMembers,
        },
        messaging: config.messaging,
      };
      this.answer(parsed.id, answer);
      this.deps.log.debug({ conn: this.id, userId, device: this.deviceId }, 'session opened');
    } catch (error) {
      if ((this.state as State) === 'closed') return;
      this.state = 'awaiting-hello';
      return refuse(parsed.id, error instanceof ProtocolError ? error.message : 'hello failed');
    }
    for (const data of this.early.splice(0)) this.onMessage(data, false);
  }

  private async dispatch(id: number, op: string, rawBody: unknown): Promise<void> {
    // Shed or closed meanwhile: its answer could not be written, so the work is not done.
    if (this.state === 'closed') return;
    const started = process.hrtime.bigint();
    try {
      if (!isOp(op)) throw new ProtocolError('BAD_REQUEST', `unknown op "${op}"`);
      if (op === 'hello') throw new ProtocolError('BAD_REQUEST', 'already authenticated');
      this.deps.metrics.requests.inc({ op });
      const body = parseRequestBody(op, rawBody);
      // After the body's check: a malformed request is BAD_REQUEST whatever the rate.
      const group = UserLimits.groupOf(op);
      if (group) {
        const wait = this.deps.userLimits.take(this.userId, group);
        if (wait > 0) {
          this.deps.metrics.limitRefusals.inc({ limit: group });
          throw new ProtocolError('RATE_LIMITED', `too many ${group} requests`, { retryAfterMs: wait });
        }
      }
      let result: unknown;
      if (op === 'send') {
        const wait = this.bucket.take();
        if (wait > 0) throw new ProtocolError('RATE_LIMITED', 'sending too fast', { retryAfterMs: wait });
        // The next send of this connection starts once this one is queued for commit, not committed.
        let queued!: () => void;
        const isQueued = new Promise<void>((resolve) => (queued = resolve));
        const ctx = { userId: this.userId, connectionId: this.id, tokenHash: this.tokenHash, onQueued: queued };
        const run = this.sendChain.then(() => this.deps.handlers.send(ctx, body as never));
        this.sendChain = Promise.race([isQueued, run.then(noop, noop)]);
        result = await run;
        this.deps.metrics.sendLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      } else {
        const ctx = { userId: this.userId, connectionId: this.id, tokenHash: this.tokenHash };
        const handler = this.deps.handlers[op as Exclude<Op, 'hello'>] as (c: typeof ctx, b: unknown) => Promise<unknown>;
        result = await handler(ctx, body);
      }
      this.answer(id, result);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.fail(id, error.toBody());
      } else {
        this.deps.log.error({ err: error, op, conn: this.id }, 'op failed');
        this.fail(id, { code: 'INTERNAL', message: 'internal error; retry' });
      }
    }
  }
}
