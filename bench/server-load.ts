/**
 * Load generator for bench/server-bench.ts. Runs in its own process (child_process.fork), takes one
 * command at a time over IPC and answers with a result. Every phase is time-bounded.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket, type RawData } from 'ws';
import { RawWs } from './raw-ws.js';
import {
  benchText,
  histogramPercentiles,
  percentiles,
  privateConvId,
  urlAt,
  type BenchUser,
  type IdleResult,
  type LatencyResult,
  type LoadCommand,
  type LoadReply,
  type GroupResult,
  type Pair,
  type RoomResult,
  type StatusResult,
  type Target,
  type ThroughputResult,
} from './server-common.js';

const OPEN_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = 15_000;

function reply(message: LoadReply): void {
  process.send?.(message);
}

/**
 * An all-zero masking key makes `ws` skip masking the payload: the frames stay valid (the server unmasks
 * with zeros), and the generator spends its single core on load rather than on XOR.
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Opens a WebSocket and completes `hello`; resolves with the socket once the answer is ok. */
function open(url: string, user: BenchUser, device: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, generateMask: zeroMask, handshakeTimeout: OPEN_TIMEOUT_MS });
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off('message', onMessage);
      if (error) {
        ws.terminate();
        reject(error);
      } else resolve(ws);
    };
    const timer = setTimeout(() => finish(new Error('hello not answered in time')), OPEN_TIMEOUT_MS);
    const onMessage = (data: RawData) => {
      const frame = JSON.parse(String(data)) as { type: string; id?: number; ok?: boolean; error?: { code: string; message: string } };
      if (frame.type !== 'res' || frame.id !== 1) return;
      finish(frame.ok ? null : new Error(`hello refused: ${frame.error?.code} ${frame.error?.message}`));
    };
    ws.on('message', onMessage);
    ws.on('error', (error) => finish(error));
    ws.once('close', (code) => finish(new Error(`closed during hello (${code})`)));
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'req', id: 1, op: 'hello', body: { token: user.token, device: { id: device, platform: 'bench', app: 'server-bench' }, protocol: 1 } }));
    });
  });
}

/** Runs fn over items with at most `concurrency` in flight. */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

let held: WebSocket[] = [];
let unexpectedCloses = 0;
let closingOnPurpose = false;

function track(ws: WebSocket): WebSocket {
  ws.on('error', () => undefined);
  ws.on('close', () => {
    if (!closingOnPurpose) unexpectedCloses++;
  });
  held.push(ws);
  return ws;
}

async function closeAll(): Promise<void> {
  closingOnPurpose = true;
  const sockets = held;
  held = [];
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          const t = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 10_000);
          ws.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          ws.close(1000, 'bench done');
        }),
    ),
  );
  closingOnPurpose = false;
  unexpectedCloses = 0;
}

async function idle(c: Extract<LoadCommand, { cmd: 'idle' }>): Promise<IdleResult> {
  const started = performance.now();
  let opened = 0;
  let failed = 0;
  let firstError: string | null = null;
  await pool(c.users, c.concurrency, async (user) => {
    try {
      const ws = await open(c.url, user, c.device);
      ws.on('message', () => undefined);
      track(ws);
      opened++;
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  return {
    opened,
    failed,
    firstError,
    elapsedMs: performance.now() - started,
    generatorRssBytes: process.memoryUsage().rss,
  };
}

/** Pair i: the recipient on urlAt(url, i), the sender on urlAt(url, i + 1) (with several nodes, never the same one). */
async function openPairs(url: Target, pairs: readonly Pair[], device: string): Promise<{ senders: WebSocket[]; receivers: WebSocket[] }> {
  const senders: WebSocket[] = new Array<WebSocket>(pairs.length);
  const receivers: WebSocket[] = new Array<WebSocket>(pairs.length);
  await pool(pairs, 100, async (pair, i) => {
    receivers[i] = track(await open(urlAt(url, i), pair.to, device));
    senders[i] = track(await open(urlAt(url, i + 1), pair.from, device));
  });
  return { senders, receivers };
}

const RES = 'r'.charCodeAt(0);
const OK_TRUE = Buffer.from('"ok":true');
const MSG_PREFIX = Buffer.from('{"type":"evt","ev":"msg"');

function isMsgEvent(buf: Buffer): boolean {
  if (buf.length > MSG_PREFIX.length && buf.compare(MSG_PREFIX, 0, MSG_PREFIX.length, 0, MSG_PREFIX.length) === 0) return true;
  // Fall back to a real parse should the server ever order its keys differently.
  if (buf.indexOf('"msg"') === -1) return false;
  try {
    const f = JSON.parse(String(buf)) as { type?: string; ev?: string };
    return f.type === 'evt' && f.ev === 'msg';
  } catch {
    return false;
  }
}

/** Closed loop: every sender keeps `window` sends outstanding and sends the next one on each answer. */
async function throughput(c: Extract<LoadCommand, { cmd: 'throughput' }>): Promise<ThroughputResult> {
  const { senders, receivers } = await openPairs(c.url, c.pairs, 'tp');
  let running = true;
  let sent = 0;
  let acked = 0;
  let delivered = 0;
  let errors = 0;
  let firstError: string | null = null;
  let outstanding = 0;
  const text = JSON.stringify(benchText(0)).slice(1, -1);

  receivers.forEach((ws) => {
    ws.on('message', (data: RawData) => {
      if (isMsgEvent(data as Buffer)) delivered++;
    });
  });
  senders.forEach((ws, s) => {
    const pair = c.pairs[s]!;
    const prefix = `,"op":"send","body":{"convId":${JSON.stringify(privateConvId(pair.from.userId, pair.to.userId))},"clientMsgId":"${c.tag}-${s}-`;
    const suffix = `","kind":"text","body":{"text":"${text}"}}}`;
    let id = 1;
    const sendOne = () => {
      id++;
      sent++;
      outstanding++;
      ws.send(`{"type":"req","id":${id}${prefix}${id}${suffix}`);
    };
    ws.on('message', (data: RawData) => {
      const buf = data as Buffer;
      if (buf[9] !== RES) return; // msg echo and conv events on the sender's own connection
      outstanding--;
      if (buf.indexOf(OK_TRUE) !== -1) acked++;
      else {
        errors++;
        firstError ??= String(buf).slice(0, 300);
      }
      if (running) sendOne();
    });
    for (let k = 0; k < c.window; k++) sendOne();
  });

  const perSecond: [number, number][] = [];
  let lastA = 0;
  let lastD = 0;
  const sampler = setInterval(() => {
    perSecond.push([acked - lastA, delivered - lastD]);
    lastA = acked;
    lastD = delivered;
  }, 1000);

  await sleep(c.warmupMs);
  const a0 = acked;
  const d0 = delivered;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  reply({ type: 'mark', name: 'window-start' });
  await sleep(c.measureMs);
  const a1 = acked;
  const d1 = delivered;
  const windowMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  reply({ type: 'mark', name: 'window-end' });
  running = false;
  clearInterval(sampler);

  const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
  while ((outstanding > 0 || delivered < acked) && performance.now() < drainUntil) await sleep(50);
  const result: ThroughputResult = {
    senders: senders.length,
    window: c.window,
    measureMs: windowMs,
    ackedInWindow: a1 - a0,
    deliveredInWindow: d1 - d0,
    perSecond,
    sentTotal: sent,
    ackedTotal: acked,
    deliveredTotal: delivered,
    errors,
    firstError,
    unexpectedCloses,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
  await closeAll();
  return result;
}

/** Open loop: message i is due at t0 + i/rate, whatever happened to the earlier ones. */
async function latency(c: Extract<LoadCommand, { cmd: 'latency' }>): Promise<LatencyResult> {
  const { senders, receivers } = await openPairs(c.url, c.pairs, 'lat');
  const interval = 1000 / c.rate;
  const total = Math.round(((c.warmupMs + c.measureMs) * c.rate) / 1000);
  const intended = new Float64Array(total);
  const sentAt = new Float64Array(total).fill(NaN);
  const ackAt = new Float64Array(total).fill(NaN);
  const delivAt = new Float64Array(total).fill(NaN);
  const idToIndex = senders.map(() => new Map<number, number>());
  const nextId = senders.map(() => 2);
  let errors = 0;
  let firstError: string | null = null;
  let outOfOrder = 0;
  let acked = 0;
  let delivered = 0;
  const tagPrefix = `${c.tag}-`;

  receivers.forEach((ws) => {
    let lastSeq = 0;
    ws.on('message', (data: RawData) => {
      const now = performance.now();
      const f = JSON.parse(String(data)) as { type: string; ev?: string; body: { clientMsgId?: string; seq?: number } };
      if (f.type !== 'evt' || f.ev !== 'msg') return;
      const seq = f.body.seq ?? 0;
      if (seq !== lastSeq + 1) outOfOrder++;
      lastSeq = seq;
      const cmid = f.body.clientMsgId ?? '';
      if (!cmid.startsWith(tagPrefix)) return;
      const i = Number(cmid.slice(tagPrefix.length));
      if (Number.isNaN(delivAt[i]!)) {
        delivAt[i] = now;
        delivered++;
      }
    });
  });
  senders.forEach((ws, s) => {
    ws.on('message', (data: RawData) => {
      const now = performance.now();
      const buf = data as Buffer;
      if (buf[9] !== RES) return;
      const f = JSON.parse(String(buf)) as { id: number; ok: boolean };
      const i = idToIndex[s]!.get(f.id);
      if (i === undefined) return;
      idToIndex[s]!.delete(f.id);
      if (f.ok) {
        ackAt[i] = now;
        acked++;
      } else {
        errors++;
        firstError ??= String(buf).slice(0, 300);
      }
    });
  });
  const convIds = c.pairs.map((p) => privateConvId(p.from.userId, p.to.userId));
  const text = benchText(0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now() + 20;
  for (let i = 0; i < total; i++) intended[i] = t0 + i * interval;

  let i = 0;
  await new Promise<void>((resolve) => {
    let marked = false;
    const tick = () => {
      const now = performance.now();
      if (!marked && now >= t0 + c.warmupMs) {
        marked = true;
        reply({ type: 'mark', name: 'window-start' });
      }
      while (i < total && intended[i]! <= now) {
        const s = i % senders.length;
        const id = nextId[s]!++;
        idToIndex[s]!.set(id, i);
        sentAt[i] = performance.now();
        senders[s]!.send(
          JSON.stringify({ type: 'req', id, op: 'send', body: { convId: convIds[s], clientMsgId: `${tagPrefix}${i}`, kind: 'text', body: { text } } }),
        );
        i++;
      }
      if (i < total) setTimeout(tick, Math.max(0, Math.min(1, intended[i]! - performance.now())));
      else resolve();
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  reply({ type: 'mark', name: 'window-end' });
  const cpu = process.cpuUsage(cpu0);
  const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
  while ((delivered < total || acked + errors < total) && performance.now() < drainUntil) await sleep(50);

  const windowStart = t0 + c.warmupMs;
  const fromSchedule: number[] = [];
  const fromSend: number[] = [];
  const ack: number[] = [];
  const lag: number[] = [];
  let scheduled = 0;
  let ackedIn = 0;
  let deliveredIn = 0;
  for (let k = 0; k < total; k++) {
    if (intended[k]! < windowStart) continue;
    scheduled++;
    lag.push(sentAt[k]! - intended[k]!);
    if (!Number.isNaN(ackAt[k]!)) {
      ackedIn++;
      ack.push(ackAt[k]! - sentAt[k]!);
    }
    if (!Number.isNaN(delivAt[k]!)) {
      deliveredIn++;
      fromSchedule.push(delivAt[k]! - intended[k]!);
      fromSend.push(delivAt[k]! - sentAt[k]!);
    }
  }
  const perSecond: [number, number, number][] = [];
  for (let from = 0; from < total; from += c.rate) {
    const xs: number[] = [];
    for (let k = from; k < Math.min(total, from + c.rate); k++) if (!Number.isNaN(delivAt[k]!)) xs.push(delivAt[k]! - intended[k]!);
    const p = percentiles(xs);
    perSecond.push([p.p50, p.p99, p.max]);
  }
  const result: LatencyResult = {
    perSecond,
    rate: c.rate,
    measureMs: c.measureMs,
    scheduled,
    acked: ackedIn,
    delivered: deliveredIn,
    deliverFromSchedule: percentiles(fromSchedule),
    deliverFromSend: percentiles(fromSend),
    ackFromSend: percentiles(ack),
    sendLag: percentiles(lag),
    errors,
    firstError,
    outOfOrder,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
  await closeAll();
  return result;
}

// --- groups and chatrooms

/** Requests over an opened socket (ids from 2; 1 was the hello), answered by matching `id`. */
class Rpc {
  private id = 1;
  private readonly pending = new Map<number, (frame: { ok: boolean; body?: unknown; error?: { code: string; message: string } }) => void>();
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: RawData) => {
      const buf = data as Buffer;
      if (buf[9] !== RES) return;
      const f = JSON.parse(String(buf)) as { id: number; ok: boolean; body?: unknown; error?: { code: string; message: string } };
      const resolve = this.pending.get(f.id);
      if (!resolve) return;
      this.pending.delete(f.id);
      resolve(f);
    });
  }
  /** Sends a request; resolves with the answer's body, rejects with its error. */
  call<T>(op: string, body: unknown, timeoutMs = 30_000): Promise<T> {
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${op}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (f) => {
        clearTimeout(timer);
        if (f.ok) resolve(f.body as T);
        else reject(new Error(`${op}: ${f.error?.code} ${f.error?.message}`));
      });
      this.ws.send(JSON.stringify({ type: 'req', id, op, body }));
    });
  }
  /** Sends a request without waiting; returns its id. */
  fire(op: string, body: unknown): number {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ type: 'req', id, op, body }));
    return id;
  }
}

const CMID_KEY = Buffer.from('"clientMsgId":"');
const SEQ_KEY = Buffer.from('"seq":');

/** The number after `<tag>-` in the clientMsgId of the msg frame buf[start, end), or -1 when it is not one of ours. */
function taggedIndex(buf: Buffer, tagPrefix: Buffer, start = 0, end = buf.length): number {
  const n0 = MSG_PREFIX.length;
  if (end - start <= n0 || buf.compare(MSG_PREFIX, 0, n0, start, start + n0) !== 0) return -1;
  const at = buf.indexOf(CMID_KEY, start + n0);
  if (at < 0 || at >= end) return -1;
  let p = at + CMID_KEY.length;
  if (buf.compare(tagPrefix, 0, tagPrefix.length, p, p + tagPrefix.length) !== 0) return -1;
  p += tagPrefix.length;
  let n = 0;
  for (let c = buf[p]!; c >= 48 && c <= 57; c = buf[++p]!) n = n * 10 + (c - 48);
  return n;
}

function seqOf(buf: Buffer, start = 0): number {
  let p = buf.indexOf(SEQ_KEY, start) + SEQ_KEY.length;
  let n = 0;
  for (let c = buf[p]!; c >= 48 && c <= 57; c = buf[++p]!) n = n * 10 + (c - 48);
  return n;
}

/** Requests over a RawWs: answers are matched by id; every other frame goes to `onOther`. */
class RawRpc {
  private id = 0;
  private readonly pending = new Map<number, (frame: { ok: boolean; body?: unknown; error?: { code: string; message: string } }) => void>();
  onOther: (buf: Buffer, start: number, end: number) => void = () => undefined;
  constructor(readonly ws: RawWs) {
    ws.onFrame = (buf, start, end) => {
      if (buf[start + 9] !== RES) return this.onOther(buf, start, end);
      const f = JSON.parse(buf.toString('utf8', start, end)) as { id: number; ok: boolean; body?: unknown; error?: { code: string; message: string } };
      const resolve = this.pending.get(f.id);
      if (!resolve) return;
      this.pending.delete(f.id);
      resolve(f);
    };
  }
  call<T>(op: string, body: unknown, timeoutMs = 30_000): Promise<T> {
    const id = ++this.id;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${op}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (f) => {
        clearTimeout(timer);
        if (f.ok) resolve(f.body as T);
        else reject(new Error(`${op}: ${f.error?.code} ${f.error?.message}`));
      });
      this.ws.send(JSON.stringify({ type: 'req', id, op, body }));
    });
  }
}

let rawHeld: RawWs[] = [];

async function openRaw(url: string, user: BenchUser, device: string): Promise<RawRpc> {
  const ws = await RawWs.connect(url, OPEN_TIMEOUT_MS);
  rawHeld.push(ws);
  const rpc = new RawRpc(ws);
  await rpc.call('hello', { token: user.token, device: { id: device, platform: 'bench', app: 'server-bench' }, protocol: 1 }, OPEN_TIMEOUT_MS);
  return rpc;
}

async function closeRaw(): Promise<void> {
  const sockets = rawHeld;
  rawHeld = [];
  for (const ws of sockets) ws.close();
  await sleep(500);
  for (const ws of sockets) ws.destroy();
}

/** A 3,000-member group with `online` members connected: time until every online member has each message. */
async function group(c: Extract<LoadCommand, { cmd: 'group' }>): Promise<GroupResult> {
  const setupStarted = performance.now();
  const owner = new Rpc(track(await open(urlAt(c.url, 0), c.owner, 'grp')));
  const groupId = `bench-${c.tag}`;
  const convId = `g:${groupId}`;
  const [first, ...rest] = [c.members.slice(0, 500), ...Array.from({ length: Math.ceil(Math.max(0, c.members.length - 500) / 500) }, (_, k) => c.members.slice(500 + k * 500, 1000 + k * 500))];
  await owner.call('group.create', { groupId, name: 'Bench group', members: first ?? [], joinPolicy: 'invite' });
  for (const chunk of rest) await owner.call('group.invite', { groupId, userIds: chunk });
  const info = await owner.call<{ memberCount: number }>('group.info', { groupId });

  const tagPrefix = Buffer.from(`${c.tag}-`);
  const sentAt = new Float64Array(c.messages).fill(NaN);
  const ackAt = new Float64Array(c.messages).fill(NaN);
  const got = new Uint32Array(c.messages);
  const last = new Float64Array(c.messages).fill(NaN);
  const deliveries: number[] = [];
  let waiting: (() => void) | null = null;
  const receivers = new Array<WebSocket>(c.online.length);
  await pool(c.online, 100, async (user, k) => {
    const ws = track(await open(urlAt(c.url, k + 1), user, 'grp'));
    ws.on('message', (data: RawData) => {
      const i = taggedIndex(data as Buffer, tagPrefix);
      if (i < 0 || i >= c.messages) return;
      const now = performance.now();
      deliveries.push(now - sentAt[i]!);
      last[i] = now;
      if (++got[i]! === c.online.length) waiting?.();
    });
    receivers[k] = ws;
  });
  const setupMs = performance.now() - setupStarted;

  let errors = 0;
  let firstError: string | null = null;
  const cpu0 = process.cpuUsage();
  reply({ type: 'mark', name: 'window-start' });
  for (let i = 0; i < c.messages; i++) {
    const all = new Promise<void>((resolve) => {
      waiting = resolve;
      setTimeout(resolve, 15_000);
    });
    sentAt[i] = performance.now();
    const acked = owner
      .call('send', { convId, clientMsgId: `${c.tag}-${i}`, kind: 'text', body: { text: benchText(i) } })
      .then(() => (ackAt[i] = performance.now()))
      .catch((error: unknown) => {
        errors++;
        firstError ??= String(error);
      });
    await Promise.all([all, acked]);
    waiting = null;
    await sleep(c.gapMs);
  }
  reply({ type: 'mark', name: 'window-end' });
  const cpu = process.cpuUsage(cpu0);
  const allDelivered = Array.from({ length: c.messages }, (_, i) => (got[i] === c.online.length ? last[i]! - sentAt[i]! : NaN));
  const missing = got.reduce((a, n) => a + (c.online.length - n), 0);
  const result: GroupResult = {
    members: info.memberCount,
    online: c.online.length,
    setupMs,
    allDelivered,
    perDelivery: percentiles(deliveries),
    ack: percentiles(Array.from(ackAt, (t, i) => t - sentAt[i]!).filter((x) => !Number.isNaN(x))),
    missing,
    errors,
    firstError,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
  await closeAll();
  return result;
}

const HIST_BUCKET_MS = 0.1;
const HIST_BUCKETS = 600_000; // 60 s

/** A chatroom with every member connected and joined; open-loop sends at `rate`; delivery latency and losses. */
async function room(c: Extract<LoadCommand, { cmd: 'room' }>): Promise<RoomResult> {
  const joinStarted = performance.now();
  const convId = `r:${c.roomId}`;
  // Raw sockets: 5,000 members at 100 msg/s is 500,000 frames a second for this one process to take in.
  const conns = new Array<RawRpc>(c.members.length);
  let joined = 0;
  let firstError: string | null = null;
  await pool(c.members, 200, async (user, k) => {
    try {
      const rpc = await openRaw(urlAt(c.url, k), user, 'room');
      await rpc.call('room.join', { roomId: c.roomId }, 60_000);
      conns[k] = rpc;
      joined++;
    } catch (error) {
      firstError ??= String(error);
    }
  });
  const joinMs = performance.now() - joinStarted;
  const live = conns.filter((x): x is RawRpc => x !== undefined);
  const senders = live.slice(0, c.senders);

  const total = Math.round(((c.warmupMs + c.measureMs) * c.rate) / 1000);
  const interval = 1000 / c.rate;
  const intended = new Float64Array(total);
  const sentAt = new Float64Array(total).fill(NaN);
  const outcome = new Int8Array(total); // 0 pending, 1 acked, 2 refused (RATE_LIMITED), 3 other error
  const got = new Uint32Array(total);
  const lastAt = new Float64Array(total).fill(NaN);
  const hist = new Uint32Array(HIST_BUCKETS + 1);
  let histMax = 0;
  let histSum = 0;
  const secondHists = Array.from({ length: Math.ceil(total / c.rate) }, () => ({ counts: new Uint32Array(10_001), max: 0, sum: 0 }));
  let windowStart = Infinity;
  let outOfOrder = 0;
  let errors = 0;
  const tagPrefix = Buffer.from(`${c.tag}-`);

  live.forEach((rpc) => {
    let lastSeq = 0;
    rpc.onOther = (buf, start, end) => {
      const i = taggedIndex(buf, tagPrefix, start, end);
      if (i < 0 || i >= total) return;
      const now = performance.now();
      const seq = seqOf(buf, start);
      if (seq <= lastSeq) outOfOrder++;
      lastSeq = seq;
      got[i]!++;
      lastAt[i] = now;
      const ms = now - sentAt[i]!;
      const sec = secondHists[Math.floor(i / c.rate)]!;
      sec.counts[Math.min(10_000, Math.floor(ms))]!++;
      sec.max = Math.max(sec.max, ms);
      sec.sum += ms;
      if (intended[i]! >= windowStart) {
        hist[Math.min(HIST_BUCKETS, Math.floor(ms / HIST_BUCKET_MS))]!++;
        histMax = Math.max(histMax, ms);
        histSum += ms;
      }
    };
  });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now() + 20;
  windowStart = t0 + c.warmupMs;
  for (let i = 0; i < total; i++) intended[i] = t0 + i * interval;
  const text = benchText(0);
  let i = 0;
  await new Promise<void>((resolve) => {
    let marked = false;
    const tick = () => {
      const now = performance.now();
      if (!marked && now >= windowStart) {
        marked = true;
        reply({ type: 'mark', name: 'window-start' });
      }
      while (i < total && intended[i]! <= now) {
        const k = i;
        const sender = senders[k % senders.length]!;
        sentAt[k] = performance.now();
        sender.call('send', { convId, clientMsgId: `${c.tag}-${k}`, kind: 'text', body: { text } }).then(
          () => (outcome[k] = 1),
          (error: unknown) => {
            const refused = String(error).includes('RATE_LIMITED');
            outcome[k] = refused ? 2 : 3;
            if (!refused) {
              errors++;
              firstError ??= String(error);
            }
          },
        );
        i++;
      }
      if (i < total) setTimeout(tick, Math.max(0, Math.min(1, intended[i]! - performance.now())));
      else resolve();
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  reply({ type: 'mark', name: 'window-end' });
  const cpu = process.cpuUsage(cpu0);

  const expectedPerMessage = live.length - 1; // every member connection but the sender's
  const complete = () => {
    for (let k = 0; k < total; k++) if (outcome[k] === 0 || (outcome[k] === 1 && got[k]! < expectedPerMessage)) return false;
    return true;
  };
  const drainUntil = performance.now() + DRAIN_TIMEOUT_MS;
  while (!complete() && performance.now() < drainUntil) await sleep(100);

  let scheduled = 0;
  let acked = 0;
  let refused = 0;
  let expectedDeliveries = 0;
  let delivered = 0;
  const allDelivered: number[] = [];
  for (let k = 0; k < total; k++) {
    if (intended[k]! < windowStart) continue;
    scheduled++;
    if (outcome[k] === 2) refused++;
    if (outcome[k] !== 1) continue;
    acked++;
    expectedDeliveries += expectedPerMessage;
    delivered += got[k]!;
    if (got[k]! >= expectedPerMessage) allDelivered.push(lastAt[k]! - sentAt[k]!);
  }
  const result: RoomResult = {
    members: c.members.length,
    joined,
    joinMs,
    senders: senders.length,
    rate: c.rate,
    measureMs: c.measureMs,
    scheduled,
    acked,
    refused,
    errors,
    firstError,
    expectedDeliveries,
    delivered,
    missing: expectedDeliveries - delivered,
    latency: histogramPercentiles(hist, HIST_BUCKET_MS, histMax, histSum),
    allDelivered: percentiles(allDelivered),
    perSecond: secondHists.map((h) => {
      const p = histogramPercentiles(h.counts, 1, h.max, h.sum);
      return [p.p50, p.p99, p.max];
    }),
    outOfOrder,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
  await closeRaw();
  return result;
}

async function run(c: LoadCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'idle':
      return idle(c);
    case 'closeAll':
      await closeAll();
      return { closed: true };
    case 'status':
      return { held: held.filter((ws) => ws.readyState === WebSocket.OPEN).length, unexpectedCloses } satisfies StatusResult;
    case 'throughput':
      return throughput(c);
    case 'latency':
      return latency(c);
    case 'group':
      return group(c);
    case 'room':
      return room(c);
    case 'exit':
      setImmediate(() => process.exit(0));
      return { exiting: true };
  }
}

process.on('message', (message) => {
  run(message as LoadCommand).then(
    (result) => reply({ type: 'result', result }),
    (error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
