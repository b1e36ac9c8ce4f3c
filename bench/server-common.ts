/** Shared by bench/server-bench.ts (orchestrator) and bench/server-load.ts (load generator process). */

export interface BenchUser {
  userId: string;
  token: string;
}

export interface Pair {
  /** Sends. */
  from: BenchUser;
  /** Receives. */
  to: BenchUser;
}

/**
 * Where a generator connects: one WebSocket URL, or several (the nodes of a cluster), taken round-robin by
 * connection index (see urlAt).
 */
export type Target = string | readonly string[];

/** The URL for connection k of a phase. */
export function urlAt(target: Target, k: number): string {
  return typeof target === 'string' ? target : target[k % target.length]!;
}

export type LoadCommand =
  | { cmd: 'idle'; url: string; users: BenchUser[]; device: string; concurrency: number }
  | { cmd: 'closeAll' }
  | { cmd: 'status' }
  | { cmd: 'throughput'; url: Target; pairs: Pair[]; window: number; warmupMs: number; measureMs: number; tag: string }
  | { cmd: 'latency'; url: Target; pairs: Pair[]; rate: number; warmupMs: number; measureMs: number; tag: string }
  | { cmd: 'group'; url: Target; owner: BenchUser; members: string[]; online: BenchUser[]; messages: number; gapMs: number; tag: string }
  | { cmd: 'room'; url: Target; roomId: string; members: BenchUser[]; senders: number; rate: number; warmupMs: number; measureMs: number; tag: string }
  | { cmd: 'exit' };

export interface GroupResult {
  /** Members of the group (owner included) and how many of them were online (besides the sending owner). */
  members: number;
  online: number;
  setupMs: number;
  /** Per message, ms from the send until the last online member had it (NaN when someone never got it). */
  allDelivered: number[];
  /** Every single delivery, send → member, ms. */
  perDelivery: Percentiles;
  ack: Percentiles;
  missing: number;
  errors: number;
  firstError: string | null;
  generatorCpuMs: number;
}

export interface RoomResult {
  members: number;
  joined: number;
  joinMs: number;
  senders: number;
  rate: number;
  measureMs: number;
  /** Messages scheduled in the measured window, acknowledged, refused with RATE_LIMITED, failed otherwise. */
  scheduled: number;
  acked: number;
  refused: number;
  errors: number;
  firstError: string | null;
  /** Over acknowledged messages of the window: deliveries expected (members − the sender's connection), made, missing. */
  expectedDeliveries: number;
  delivered: number;
  missing: number;
  /** Send → member, ms, over every delivery of the window's messages (histogram of 0.1 ms buckets). */
  latency: Percentiles;
  /** Send → the last member connection, ms, over the window's acknowledged messages that every member got. */
  allDelivered: Percentiles;
  /** Per second of schedule (warm-up included): [p50, p99, max] in ms. */
  perSecond: [number, number, number][];
  outOfOrder: number;
  generatorCpuMs: number;
}

export interface IdleResult {
  opened: number;
  failed: number;
  firstError: string | null;
  elapsedMs: number;
  generatorRssBytes: number;
}

export interface StatusResult {
  held: number;
  unexpectedCloses: number;
}

export interface ThroughputResult {
  senders: number;
  window: number;
  measureMs: number;
  ackedInWindow: number;
  deliveredInWindow: number;
  /** Per-second [acked, delivered] over the whole run (warm-up included). */
  perSecond: [number, number][];
  sentTotal: number;
  ackedTotal: number;
  deliveredTotal: number;
  errors: number;
  firstError: string | null;
  unexpectedCloses: number;
  generatorCpuMs: number;
}

export interface LatencyResult {
  rate: number;
  measureMs: number;
  scheduled: number;
  acked: number;
  delivered: number;
  /** Milliseconds, over messages scheduled inside the measured window. */
  deliverFromSchedule: Percentiles;
  deliverFromSend: Percentiles;
  ackFromSend: Percentiles;
  /** How late the generator actually sent, relative to the schedule (generator lag). */
  sendLag: Percentiles;
  errors: number;
  firstError: string | null;
  outOfOrder: number;
  generatorCpuMs: number;
  /** Per second of schedule (warm-up included): [p50, p99, max] of send → recipient latency in ms. */
  perSecond: [number, number, number][];
}

export interface Percentiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export type LoadReply = { type: 'mark'; name: string } | { type: 'result'; result: unknown } | { type: 'error'; message: string };

export function percentiles(values: ArrayLike<number>): Percentiles {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted[n - 1]!, mean: sum / n };
}

/** Private conversation id: p:<a>|<b> with a < b in byte order. */
export function privateConvId(a: string, b: string): string {
  return a < b ? `p:${a}|${b}` : `p:${b}|${a}`;
}

/** A message text of a typical chat length (~60 characters). */
export function benchText(n: number): string {
  return `bench message ${n} — the quick brown fox jumps over the lazy dog`;
}

/** Percentiles from a histogram of `bucketMs`-wide buckets (the last bucket holds everything beyond). */
export function histogramPercentiles(counts: ArrayLike<number>, bucketMs: number, max: number, sum: number): Percentiles {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  if (n === 0) return { n: 0, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * n));
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i]!;
      if (seen >= rank) return Math.min(max, (i + 1) * bucketMs);
    }
    return max;
  };
  return { n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max, mean: sum / n };
}
