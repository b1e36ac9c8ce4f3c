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
import type { OpHandlers } from '../ops/handlers.js';
import { encodeTextFrames } from './frames.js';

export interface ConnectionDeps {
  config: ServerConfig;
  hub: Hub;
  tokens: TokenService;
  sessions: Sessions;
  handlers: OpHandlers;
  metrics: Metrics;
  log: Logger;
}

/** Past this much unsent output the client is too slow; it is closed and will catch up by sync. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const CLOSE_TRY_AGAIN_LATER = 1013;

const noop = () => undefined;
/** Buffers passed to `ws.send` are UTF-8 JSON: they go out as text frames. */
const TEXT = { binary: false } as const;

type State = 'awaiting-hello' | 'authenticating' | 'open' | 'closed';

export class WsConnection implements ClientConnection {
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
    ws.on('close', () => this.onClosed());
    ws.on('error', (err) => deps.log.debug({ err, conn: this.id }, 'socket error'));
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  private writable(): boolean {
    if (this.state === 'closed' || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CLOSE_TRY_AGAIN_LATER, 'client too slow');
      return false;
    }
    return true;
  }

  sendFrame(frame: string | Buffer): void {
    if (!this.writable()) return;
    this.ws.send(frame, TEXT);
  }

  sendFrames(batch: FrameBatch): void {
    if (batch.frames.length === 0 || !this.writable()) return;
    if (this.socket) {
      // Straight to the socket, in order with what ws writes (ws queues nothing of its own without compression).
      batch.encoded ??= encodeTextFrames(batch.frames);
      this.socket.write(batch.encoded);
      return;
    }
    for (const frame of batch.frames) this.ws.send(frame, TEXT);
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.onClosed();
    this.ws.close(code, reason);
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
    if (wasOpen) {
      this.deps.hub.remove(this);
      this.deps.sessions.closed(this.tokenHash);
    }
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
    void this.dispatch(parsed.id, parsed.op, parsed.body);
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
      this.deps.sessions.opened(tokenHash, { deviceId: body.device.id, platform: body.device.platform, app: body.device.app });
      this.userId = userId;
      this.deviceId = body.device.id;
      this.tokenHash = tokenHash;
      clearTimeout(this.helloTimer);
      this.state = 'open';
      this.deps.hub.add(this);
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
    const started = process.hrtime.bigint();
    try {
      if (!isOp(op)) throw new ProtocolError('BAD_REQUEST', `unknown op "${op}"`);
      if (op === 'hello') throw new ProtocolError('BAD_REQUEST', 'already authenticated');
      this.deps.metrics.requests.inc({ op });
      const body = parseRequestBody(op, rawBody);
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
