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

export type LoadCommand =
  | { cmd: 'idle'; url: string; users: BenchUser[]; device: string; concurrency: number }
  | { cmd: 'closeAll' }
  | { cmd: 'status' }
  | { cmd: 'throughput'; url: string; pairs: Pair[]; window: number; warmupMs: number; measureMs: number; tag: string }
  | { cmd: 'latency'; url: string; pairs: Pair[]; rate: number; warmupMs: number; measureMs: number; tag: string }
  | { cmd: 'exit' };

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
