/**
 * One raw WebSocket of the protocol fuzzer. It sends any text or bytes, predicts from protocol/'s own validators
 * what the server must answer (docs/protocol.md "Transport"), and checks everything it receives: each frame is
 * answered exactly once, with a success whose body fits the op's answer schema or a documented error code (never
 * INTERNAL), a malformed frame or a bad body with BAD_REQUEST, and every event fits its event schema.
 */
import WebSocket from 'ws';
import {
  ERROR_CODES,
  isOp,
  parseAnswer,
  parseEvent,
  parseRequestBody,
  requestFrameValidator,
  serverFrameValidator,
  type EventBodies,
} from '../../../protocol/index.js';

/** Error codes a signed-in connection may get: part 1's, without INTERNAL (a server bug) and UNAUTHENTICATED (hello only). */
export const ALLOWED_CODES: ReadonlySet<string> = new Set(ERROR_CODES.filter((c) => c !== 'INTERNAL' && c !== 'UNAUTHENTICATED'));

/** What the server must do with one frame, from protocol/'s validators. */
export interface Prediction {
  /** The id its answer carries: the request's, or 0 when the frame has no integer id. */
  id: number;
  /** Counted towards the 20 malformed frames a minute (not JSON, or not a request envelope). */
  malformed: boolean;
  /** The op, when the envelope is well-formed. */
  op: string | null;
  /** BAD_REQUEST is the only right answer (malformed, unknown op, hello again, a body outside the op's schema). */
  mustRefuse: boolean;
}

export function predict(data: string | Buffer): Prediction {
  if (typeof data !== 'string') return { id: 0, malformed: true, op: null, mustRefuse: true };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { id: 0, malformed: true, op: null, mustRefuse: true };
  }
  if (!requestFrameValidator.check(value)) {
    const raw = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    return { id: Number.isInteger(raw) ? (raw as number) : 0, malformed: true, op: null, mustRefuse: true };
  }
  const { id, op } = value;
  let bodyOk = false;
  if (isOp(op) && op !== 'hello') {
    try {
      parseRequestBody(op, value.body ?? {});
      bodyOk = true;
    } catch {
      bodyOk = false;
    }
  }
  return { id, malformed: false, op, mustRefuse: !bodyOk };
}

/** Where every connection of a run reports: the problems found, and a tally of what was answered. */
export interface Sink {
  problems: string[];
  tally: Record<string, number>;
}

export function count(sink: Sink, key: string, n = 1): void {
  sink.tally[key] = (sink.tally[key] ?? 0) + n;
}

/** An answer as the fuzz sees it. */
export type AnswerFrame = { ok: true; body: Record<string, unknown> } | { ok: false; error: { code: string } };

interface Sent {
  prediction: Prediction;
  text: string;
  onAnswer?: (answer: AnswerFrame) => void;
}

/** Shortens a frame for a report. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

export class FuzzConn {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  closeInfo: { code: number; reason: string } | null = null;
  /** Malformed frames sent on this connection (the server closes past 20 a minute). */
  malformedSent = 0;
  /** Answers received (requests and frames answered). */
  answered = 0;
  /** Called with every valid `msg` event. */
  onMsg: ((entry: EventBodies['msg']) => void) | null = null;
  /** When true, a close is what the test asked for and is not a problem. */
  closeExpected = false;
  private readonly pending = new Map<number, Sent[]>();
  /** Requests sent by helpers outside the fuzz bookkeeping (world setup, bystanders): id → op. */
  private readonly foreign = new Map<number, string>();
  private readonly waiters = new Set<() => boolean>();

  constructor(
    url: string,
    readonly label: string,
    private readonly sink: Sink,
  ) {
    this.ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    this.ws.on('error', () => undefined);
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', () => reject(new Error(`${label}: socket closed before it opened`)));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        this.notify();
        resolve(this.closeInfo);
      });
    });
    this.ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Announces a request a helper sends itself (its answer is checked against `op`'s schema, and is the helper's). */
  expectForeign(id: number, op: string): void {
    this.foreign.set(id, op);
  }

  hasPending(id: number): boolean {
    return this.pending.has(id);
  }

  get pendingCount(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  private problem(what: string): void {
    this.sink.problems.push(`${this.label}: ${what}`);
  }

  /** Sends one frame and records what its answer must be. */
  send(input: string | Buffer, onAnswer?: (answer: AnswerFrame) => void): Prediction {
    // What the server reads: a string goes out as UTF-8 (a lone surrogate becomes U+FFFD).
    const data = typeof input === 'string' ? Buffer.from(input, 'utf8').toString('utf8') : input;
    const prediction = predict(data);
    count(this.sink, 'frames');
    if (prediction.malformed) this.malformedSent++;
    const list = this.pending.get(prediction.id) ?? [];
    list.push({ prediction, text: typeof data === 'string' ? data : `<binary ${data.length} bytes>`, onAnswer });
    this.pending.set(prediction.id, list);
    this.ws.send(data);
    return prediction;
  }

  /** Sends a request with this id, op and body. */
  request(id: number, op: string, body: unknown): Prediction {
    return this.send(JSON.stringify({ type: 'req', id, op, body }));
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    try {
      this.check(data, isBinary);
    } finally {
      this.notify();
    }
  }

  private check(data: Buffer, isBinary: boolean): void {
    const text = data.toString('utf8');
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.problem(`server sent a frame that is not JSON (binary=${isBinary}): ${clip(text)}`);
    }
    if (isBinary) this.problem(`server sent a binary frame: ${clip(text)}`);
    if (!serverFrameValidator.check(frame)) return this.problem(`server frame outside the envelope schema: ${clip(text)}`);
    if (frame.type === 'evt') {
      count(this.sink, `event ${frame.ev}`);
      const parsed = parseEvent(frame.ev, frame.body);
      if (!parsed.ok) return this.problem(`${parsed.problem}: ${clip(text)}`);
      if (parsed.event.ev === 'msg') this.onMsg?.(parsed.event.body);
      return;
    }
    const foreignOp = this.foreign.get(frame.id);
    if (foreignOp !== undefined) {
      this.foreign.delete(frame.id);
      if (frame.ok && isOp(foreignOp)) {
        try {
          parseAnswer(foreignOp, frame.body);
        } catch (error) {
          this.problem(`${(error as Error).message}: ${clip(text)}`);
        }
      }
      return;
    }
    this.answered++;
    const list = this.pending.get(frame.id);
    const sent = list?.shift();
    if (list && list.length === 0) this.pending.delete(frame.id);
    if (!sent) return this.problem(`answer to no frame of this connection: ${clip(text)}`);
    const { prediction } = sent;
    sent.onAnswer?.(frame as AnswerFrame);
    count(this.sink, frame.ok ? 'answer ok' : `answer ${frame.error.code}`);
    count(this.sink, `op ${prediction.op ?? '(malformed)'} ${frame.ok ? 'ok' : frame.error.code}`);
    const about = `${prediction.op ?? 'frame'} ${clip(sent.text, 200)} → ${clip(text, 300)}`;
    if (frame.ok) {
      if (prediction.mustRefuse) return this.problem(`accepted what must be refused with BAD_REQUEST: ${about}`);
      if (prediction.op && isOp(prediction.op)) {
        try {
          parseAnswer(prediction.op, frame.body);
        } catch (error) {
          this.problem(`${(error as Error).message}: ${about}`);
        }
      }
      return;
    }
    const { code } = frame.error;
    if (prediction.mustRefuse && code !== 'BAD_REQUEST') return this.problem(`expected BAD_REQUEST, got ${code}: ${about}`);
    if (!ALLOWED_CODES.has(code)) return this.problem(`error code ${code} is not a documented refusal: ${about}`);
    if (code === 'RATE_LIMITED' && typeof frame.error.retryAfterMs !== 'number') this.problem(`RATE_LIMITED without retryAfterMs: ${about}`);
  }

  private notify(): void {
    for (const w of [...this.waiters]) if (w()) this.waiters.delete(w);
  }

  /** Resolves when every frame sent has its answer; records a problem on a close or after `timeoutMs` of silence. */
  drained(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t: { timer?: NodeJS.Timeout } = {};
      const check = () => {
        if (this.pendingCount === 0) {
          clearTimeout(t.timer);
          resolve();
          return true;
        }
        if (this.closeInfo) {
          clearTimeout(t.timer);
          if (!this.closeExpected) this.problem(`closed (${this.closeInfo.code} ${this.closeInfo.reason}) with ${this.pendingCount} frame(s) unanswered: ${this.unansweredSummary()}`);
          resolve();
          return true;
        }
        return false;
      };
      if (check()) return;
      t.timer = setTimeout(() => {
        this.waiters.delete(check);
        this.problem(`no answer within ${timeoutMs} ms to: ${this.unansweredSummary()}`);
        this.pending.clear();
        resolve();
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Resolves true once `done()` holds (re-checked on every frame), false at a close or after `timeoutMs`. */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t: { timer?: NodeJS.Timeout } = {};
      const check = () => {
        if (done() || this.closeInfo) {
          clearTimeout(t.timer);
          resolve(done());
          return true;
        }
        return false;
      };
      if (check()) return;
      t.timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private unansweredSummary(): string {
    return [...this.pending.values()]
      .flat()
      .slice(0, 3)
      .map((s) => clip(s.text, 200))
      .join(' | ');
  }

  close(): void {
    this.closeExpected = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }
}
