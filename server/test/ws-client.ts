/**
 * A WebSocket client that speaks docs/protocol.md frame by frame, for the conformance and delivery tests.
 *
 * Waiting is always for something: an answer, an event, a close. Events that arrive before a test asks for
 * them are buffered, so `nextEvent` never misses one and never needs a sleep.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Conversation, ErrorBody, EventBodies, EventName, LogEntry, Op, OpResult } from '../../protocol/index.js';

/** Time allowed for any single answer, event or close in these tests; generous for slow CI machines. */
export const WAIT_MS = 10_000;

export type ResultOf<O extends string> = O extends Op ? OpResult<O> : Record<string, unknown>;
export type Answer<T = Record<string, unknown>> =
  | { type: 'res'; id: number; ok: true; body: T }
  | { type: 'res'; id: number; ok: false; error: ErrorBody };
export interface EventFrame {
  type: 'evt';
  ev: string;
  body: Record<string, unknown>;
}
export interface CloseInfo {
  code: number;
  reason: string;
}

/** A request answered with an error, thrown by `WsClient.call`. */
export class AnswerError extends Error {
  readonly error: ErrorBody;
  constructor(op: string, error: ErrorBody) {
    super(`${op} failed: ${error.code} ${error.message}`);
    this.error = error;
  }
}

/** The canonical id of a private chat (byte order; the id alphabet is ASCII). */
export function pconv(a: string, b: string): string {
  return a < b ? `p:${a}|${b}` : `p:${b}|${a}`;
}

/** The text of a text entry (or of an edit). */
export function textOf(entry: LogEntry): string | undefined {
  const body = entry.body as { text?: unknown };
  return typeof body.text === 'string' ? body.text : undefined;
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws') + '/v1/ws';
}

/** Resolves when the wall clock passes `ts` (ms): waiting for a deadline itself, e.g. a token's expiry. */
export async function clockPast(ts: number): Promise<void> {
  const ms = ts - Date.now() + 1;
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

type Waiter = () => boolean;

/** One WebSocket connection to /v1/ws. */
export class WsClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseInfo>;
  closeInfo: CloseInfo | null = null;
  userId: string | null = null;
  /** Every frame received, in order (unless `keepReceived` is turned off for long runs). */
  readonly received: Array<Answer | EventFrame> = [];
  keepReceived = true;
  pings = 0;
  /** When set, events go to this callback instead of the buffer that `nextEvent` reads. */
  onEvent: ((e: EventFrame) => void) | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();
  private readonly events: EventFrame[] = [];
  private readonly unmatched: Answer[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024, ...options });
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', () => reject(new Error('socket closed before it opened')));
    });
    this.opened.catch(() => undefined);
    this.ws.on('error', () => undefined); // surfaced through `closed`
    this.ws.on('ping', () => {
      this.pings++;
      this.notify();
    });
    this.closed = new Promise<CloseInfo>((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        for (const p of this.pending.values()) p.reject(new Error(`socket closed (${code}) before the answer`));
        this.pending.clear();
        this.notify();
        resolve(this.closeInfo);
      });
    });
    this.ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      throw new Error(`server sent a frame that is not JSON (binary=${isBinary}): ${data.toString('utf8').slice(0, 200)}`);
    }
    const f = frame as Answer | EventFrame;
    if (this.keepReceived) this.received.push(f);
    if (f.type === 'res') {
      const p = this.pending.get(f.id);
      if (p) {
        this.pending.delete(f.id);
        p.resolve(f);
      } else {
        this.unmatched.push(f);
      }
    } else if (f.type === 'evt') {
      if (this.onEvent) this.onEvent(f);
      else this.events.push(f);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) if (w()) this.waiters.delete(w);
  }

  /** Waits until `find` returns a value, re-checking on every frame and at close; rejects after `timeoutMs`. */
  waitFor<T>(find: () => T | undefined, what: string, timeoutMs = WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: { timer?: NodeJS.Timeout } = {};
      const waiter: Waiter = () => {
        const found = find();
        if (found !== undefined) {
          clearTimeout(pending.timer);
          resolve(found);
          return true;
        }
        if (this.closeInfo) {
          clearTimeout(pending.timer);
          reject(new Error(`connection closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting for ${what}`));
          return true;
        }
        return false;
      };
      if (waiter()) return;
      pending.timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.events.map((e) => e.ev).join(', ') || 'none';
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (buffered events: ${seen})`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Sends a request frame and resolves with its answer (ok or error). */
  req<O extends string>(op: O, body: unknown = {}, timeoutMs = WAIT_MS): Promise<Answer<ResultOf<O>>> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error(`cannot send ${op}: socket not open`));
    const id = this.nextId++;
    return new Promise<Answer<ResultOf<O>>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${op} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a as Answer<ResultOf<O>>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ type: 'req', id, op, body }));
    });
  }

  /** A request that must succeed: resolves with the answer body. */
  async call<O extends string>(op: O, body: unknown = {}): Promise<ResultOf<O>> {
    const a = await this.req(op, body);
    if (!a.ok) throw new AnswerError(op, a.error);
    return a.body;
  }

  /** A request that must fail: resolves with the error body. */
  async fail(op: string, body: unknown = {}): Promise<ErrorBody> {
    const a = await this.req(op, body);
    if (a.ok) throw new Error(`${op} was expected to fail but answered ${JSON.stringify(a.body)}`);
    expectErrorShape(a.error);
    return a.error;
  }

  async hello(token: string, deviceId: string, extra: Record<string, unknown> = {}): Promise<Answer<ResultOf<'hello'>>> {
    const a = await this.req('hello', { token, device: { id: deviceId, platform: 'test', app: 'conformance/1' }, protocol: 1, ...extra });
    if (a.ok) this.userId = a.body.userId;
    return a;
  }

  /** Sends anything as one text (or binary) frame, bypassing request bookkeeping. */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** The next answer that no `req` is waiting for (e.g. the `id` 0 answer to a malformed frame). */
  nextAnswer(pred: (a: Answer) => boolean = () => true, timeoutMs = WAIT_MS): Promise<Answer> {
    return this.waitFor(() => take(this.unmatched, pred), 'an unsolicited answer', timeoutMs);
  }

  /** The next event `ev` matching `pred`, including ones that arrived before the call (each is returned once). */
  nextEvent<E extends EventName>(ev: E, pred: (body: EventBodies[E]) => boolean = () => true, timeoutMs = WAIT_MS): Promise<EventBodies[E]> {
    return this.waitFor(
      () => take(this.events, (e) => e.ev === ev && pred(e.body as unknown as EventBodies[E]))?.body as EventBodies[E] | undefined,
      `event ${ev}`,
      timeoutMs,
    );
  }

  /** Buffered events named `ev` (not consumed). */
  bufferedEvents<E extends EventName>(ev: E): Array<EventBodies[E]> {
    return this.events.filter((e) => e.ev === ev).map((e) => e.body as unknown as EventBodies[E]);
  }

  /** Sends `text` into `convId` with a fresh clientMsgId; resolves with the acknowledgement. */
  sendText(convId: string, text: string, clientMsgId: string = randomUUID()): Promise<ResultOf<'send'>> {
    return this.call('send', { convId, clientMsgId, kind: 'text', body: { text } });
  }

  async history(convId: string, opts: { afterSeq?: number; beforeSeq?: number; limit?: number } = {}): Promise<LogEntry[]> {
    return (await this.call('history', { convId, ...opts })).messages;
  }

  async conversation(convId: string): Promise<Conversation | undefined> {
    return (await this.call('sync', {})).conversations.find((c) => c.convId === convId);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }
}

function take<T>(list: T[], pred: (x: T) => boolean): T | undefined {
  const i = list.findIndex(pred);
  if (i < 0) return undefined;
  return list.splice(i, 1)[0];
}

export function expectErrorShape(error: unknown): asserts error is ErrorBody {
  const e = error as ErrorBody | undefined;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string') {
    throw new Error(`error answer without {code, message}: ${JSON.stringify(error)}`);
  }
}

