/**
 * `npm run bench:server`: starts the real server (server/src/cli.ts) as a child process, drives it from
 * separate load-generator processes (bench/server-load.ts) over loopback, and measures
 *   1. idle authenticated connections held, and the server's memory (VmRSS);
 *   2. sustained private-chat throughput, persisted (acks) and delivered (recipients' msg events), then again on a
 *      server with PARLEY_DURABILITY=normal (2′: what synchronous=FULL costs);
 *   3. end-to-end latency at a fixed, open-loop send rate;
 *   4. a message to a 3,000-member group with 1,000 members online: time until every online member has it;
 *   5. a chatroom with 5,000 joined members receiving 100 messages/s: delivery latency and losses.
 * Prints the figures and rewrites the "## Server (npm run bench:server)" section of BENCHMARKS.md (phases 4–5 its
 * "### Groups and chatrooms" subsection; a run of only some phases keeps the figures of the others).
 * Everything is bounded in time and stops by itself.
 *
 * Options (all optional): --connections N --hold S --tp-pairs N --window N --tp-warmup S --tp-seconds S
 *   --lat-pairs N --rate N --lat-warmup S --lat-seconds S --generators N --phases idle,throughput,latency,group,room
 *   --group-members N --group-online N --group-messages N --room-members N --room-rate N --room-senders N
 *   --room-warmup S --room-seconds S
 *   --profile (server runs with --cpu-prof; profiles are kept) --no-write (do not touch BENCHMARKS.md)
 *   --skip-normal (phase 2 runs only once, with the default PARLEY_DURABILITY=full, not again with normal)
 *   --server <path of a cli.ts> (A/B runs against a patched copy; BENCHMARKS.md is then left alone)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  BenchUser,
  GroupResult,
  IdleResult,
  LatencyResult,
  LoadCommand,
  Pair,
  Percentiles,
  RoomResult,
  StatusResult,
  ThroughputResult,
} from './server-common.js';
import { percentiles } from './server-common.js';
import { hasChanges, headCommit } from './benchmarks-file.js';
import { CLK_TCK, adminRequest as signedAdminRequest, readyPort, cpuMs, cpuSplit, fdLimits, hwmBytes, machine, machineCpu, provisionUsers, rssBytes, startGenerator, type Generator } from './bench-procs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECTION_TITLE = '## Server (npm run bench:server)';
const APP_KEY = 'bench-app';
const APP_SECRET = randomBytes(24).toString('hex');
const BENCH_DEADLINE_MS = 12 * 60_000;

const { values: opts } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    hold: { type: 'string', default: '15' },
    'tp-pairs': { type: 'string', default: '500' },
    window: { type: 'string', default: '8' },
    'tp-warmup': { type: 'string', default: '5' },
    'tp-seconds': { type: 'string', default: '20' },
    'lat-pairs': { type: 'string', default: '200' },
    rate: { type: 'string', default: '2000' },
    'lat-warmup': { type: 'string', default: '5' },
    'lat-seconds': { type: 'string', default: '20' },
    generators: { type: 'string', default: '1' },
    phases: { type: 'string', default: 'idle,throughput,latency,group,room' },
    'group-members': { type: 'string', default: '3000' },
    'group-online': { type: 'string', default: '1000' },
    'group-messages': { type: 'string', default: '20' },
    'room-members': { type: 'string', default: '5000' },
    'room-rate': { type: 'string', default: '100' },
    'room-senders': { type: 'string', default: '10' },
    'room-warmup': { type: 'string', default: '5' },
    'room-seconds': { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
    server: { type: 'string', default: 'server/src/cli.ts' },
    'quiet-wait': { type: 'string', default: '60' },
    'no-write': { type: 'boolean', default: false },
    'skip-normal': { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: keyof typeof opts) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return n;
};
const cfg = {
  connections: num('connections'),
  holdS: num('hold'),
  tpPairs: num('tp-pairs'),
  window: Math.max(1, num('window')),
  tpWarmupS: num('tp-warmup'),
  tpSeconds: num('tp-seconds'),
  latPairs: num('lat-pairs'),
  rate: num('rate'),
  latWarmupS: num('lat-warmup'),
  latSeconds: num('lat-seconds'),
  generators: Math.max(1, num('generators')),
  groupMembers: Math.max(2, num('group-members')),
  groupOnline: num('group-online'),
  groupMessages: Math.max(1, num('group-messages')),
  roomMembers: Math.max(2, num('room-members')),
  roomRate: Math.max(1, num('room-rate')),
  roomSenders: Math.max(1, num('room-senders')),
  roomWarmupS: num('room-warmup'),
  roomSeconds: Math.max(1, num('room-seconds')),
  /** Longest wait, in seconds, for other work on the machine to settle before starting (a third of it before each phase). */
  quietWaitS: num('quiet-wait'),
  phases: new Set(String(opts.phases).split(',')),
  profile: Boolean(opts.profile),
  // Another entry point (e.g. a patched copy of server/) for A/B runs; figures are then not written.
  serverEntry: String(opts.server),
  write: !opts['no-write'] && opts.server === 'server/src/cli.ts',
  /** Phase 2 runs a second time on a server with PARLEY_DURABILITY=normal, to show what FULL costs. */
  compareNormal: !opts['skip-normal'],
};

// --- the machine and /proc

/** Waits (bounded) for the rest of the machine to go quiet; returns the busy share last seen (0–100). */
async function waitForQuiet(maxWaitMs: number, threshold = 25): Promise<number> {
  const until = performance.now() + maxWaitMs;
  if (maxWaitMs <= 0) return NaN;
  for (;;) {
    const a = machineCpu();
    await sleep(2000);
    const b = machineCpu();
    const busy = (100 * (b.busy - a.busy)) / (b.total - a.total);
    if (busy < threshold || performance.now() > until) return busy;
    console.log(`    machine ${fmt(busy)}% busy with other work; waiting for it to settle…`);
  }
}

/** The type of the file system holding `dir` (the longest mount point of /proc/mounts above it). */
function fsTypeOf(dir: string): string {
  try {
    let best = { at: '', type: 'unknown' };
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, at, type] = line.split(' ');
      if (at && type && (dir === at || dir.startsWith(at.endsWith('/') ? at : `${at}/`)) && at.length > best.at.length) best = { at, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}


/** Read-only git queries: the commit, marked "+changes" when server/ or protocol/ differ from it. */
function revision(): string {
  const head = headCommit();
  if (head === null) return 'an unknown revision';
  return `\`${head}\`${hasChanges(['server', 'protocol']) ? ' (+ uncommitted changes in server/ or protocol/)' : ''}`;
}

// --- the server

interface ServerProc {
  child: ChildProcess;
  pid: number;
  url: string;
  port: number;
  logFile: string;
}

async function startServerProcess(dataDir: string, fdLimit: number | null, profileDir: string | null, durability: 'full' | 'normal' = 'full'): Promise<ServerProc> {
  const nodeArgs = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', cfg.serverEntry, '--port', '0', '--data', dataDir];
  // Every connection comes from 127.0.0.1, so the per-address limit (default 500) is raised to let 10,000 in.
  const env = {
    ...process.env,
    PARLEY_SEND_RATE: '0',
    PARLEY_APP_KEY: APP_KEY,
    PARLEY_APP_SECRET: APP_SECRET,
    PARLEY_DURABILITY: durability,
    PARLEY_PASSWORD_COST: '10',
    PARLEY_REGISTER_PER_IP_PER_HOUR: '0',
    PARLEY_REGISTER_PER_MINUTE: '0',
    PARLEY_HASH_QUEUE: '1000',
    PARLEY_MAX_CONNECTIONS_PER_IP: String(Math.max(20_000, cfg.connections * 2)),
  };
  const logFile = path.join(dataDir, 'server.log');
  const log = fs.openSync(logFile, 'a');
  const child =
    fdLimit === null
      ? spawn(process.execPath, nodeArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', log] })
      : // exec keeps the pid, so /proc/<pid> is the server itself.
        spawn('bash', ['-c', `ulimit -n ${fdLimit} && exec "$0" "$@"`, process.execPath, ...nodeArgs], { cwd: ROOT, env, stdio: ['ignore', 'pipe', log] });
  fs.closeSync(log);
  const port = await readyPort(child, `; see ${logFile}`);
  return { child, pid: child.pid!, url: `http://127.0.0.1:${port}`, port, logFile };
}

async function stopServer(server: ServerProc): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}


const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const adminRequest = (port: number, urlPath: string, body: unknown) => signedAdminRequest({ port, appKey: APP_KEY, appSecret: APP_SECRET, agent }, urlPath, body);
const provision = (port: number, count: number): Promise<BenchUser[]> => provisionUsers([{ port, appKey: APP_KEY, appSecret: APP_SECRET, agent }], count);

interface MetricsSnapshot {
  commitBatchSum: number;
  commitBatchCount: number;
  heapUsed: number;
  eventLoopLagP99: number;
  sendLatencyBuckets: Map<string, number>;
}

async function scrape(url: string): Promise<MetricsSnapshot> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  };
  const buckets = new Map<string, number>();
  for (const m of text.matchAll(/^parley_send_latency_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) buckets.set(m[1]!, Number(m[2]));
  return {
    commitBatchSum: value('parley_commit_batch_size_sum'),
    commitBatchCount: value('parley_commit_batch_size_count'),
    heapUsed: value('parley_nodejs_heap_size_used_bytes'),
    eventLoopLagP99: value('parley_nodejs_eventloop_lag_p99_seconds'),
    sendLatencyBuckets: buckets,
  };
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]!.push(item));
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const MiB = 2 ** 20;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// --- phases

interface IdleFigures {
  target: number;
  opened: number;
  failed: number;
  firstError: string | null;
  openSeconds: number;
  rssBeforeBytes: number;
  rssHeldBytes: number;
  rssPeakBytes: number;
  heapUsedBytes: number;
  perConnectionBytes: number;
  closedDuringHold: number;
  generatorRssBytes: number;
}

async function idlePhase(server: ServerProc, gens: Generator[], users: BenchUser[]): Promise<IdleFigures> {
  await waitForQuiet((cfg.quietWaitS * 1000) / 3);
  const target = Math.min(cfg.connections, users.length);
  console.log(`\n[1] idle connections: opening ${fmt(target)} authenticated WebSockets…`);
  await sleep(1000);
  const rssBefore = rssBytes(server.pid);
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(server.pid))), 250);
  const parts = split(users.slice(0, target), gens.length);
  const results = await Promise.all(
    gens.map((g, i) => g.call<IdleResult>({ cmd: 'idle', url: `ws://127.0.0.1:${server.port}/v1/ws`, users: parts[i]!, device: 'idle', concurrency: 200 }, 180_000)),
  );
  const opened = results.reduce((a, r) => a + r.opened, 0);
  const failed = results.reduce((a, r) => a + r.failed, 0);
  const openSeconds = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  console.log(`    opened ${fmt(opened)} (${failed} failed) in ${fmt(openSeconds, 1)} s; holding ${cfg.holdS} s`);
  await sleep(cfg.holdS * 1000);
  clearInterval(sampler);
  const rssHeld = rssBytes(server.pid);
  peak = Math.max(peak, rssHeld, hwmBytes(server.pid));
  const metrics = await scrape(server.url);
  const closedDuringHold = (await Promise.all(gens.map((g) => g.call<StatusResult>({ cmd: 'status' }, 10_000)))).reduce((a, r) => a + r.unexpectedCloses, 0);
  const figures: IdleFigures = {
    target,
    opened,
    failed,
    firstError: results.find((r) => r.firstError)?.firstError ?? null,
    openSeconds,
    rssBeforeBytes: rssBefore,
    rssHeldBytes: rssHeld,
    rssPeakBytes: peak,
    heapUsedBytes: metrics.heapUsed,
    perConnectionBytes: opened > 0 ? (rssHeld - rssBefore) / opened : NaN,
    closedDuringHold,
    generatorRssBytes: results.reduce((a, r) => a + r.generatorRssBytes, 0),
  };
  console.log(
    `    server RSS ${fmt(rssBefore / MiB)} MiB before → ${fmt(rssHeld / MiB)} MiB held (peak ${fmt(peak / MiB)} MiB), ` +
      `≈${fmt(figures.perConnectionBytes / 1024, 1)} KiB per connection; JS heap used ${fmt(metrics.heapUsed / MiB)} MiB; ${closedDuringHold} closed during hold`,
  );
  await Promise.all(gens.map((g) => g.call({ cmd: 'closeAll' }, 60_000)));
  await sleep(2000);
  return figures;
}

interface WindowStats {
  serverCpuPct: number;
  /** Of serverCpuPct, the part spent in the kernel (socket reads and writes, fsync). */
  serverSysPct: number;
  /** Server CPU time (ms) over the window; divided by the messages it handled, a cost that does not depend on contention. */
  serverCpuMs: number;
  generatorCpuPct: number;
  machineBusyPct: number;
  /** CPU of processes other than the server, the generators and this orchestrator (100 = one core). */
  otherCpuPct: number;
  avgCommitBatch: number;
  eventLoopLagP99Ms: number;
  serverRssBytes: number;
}

/** Runs a phase and measures server, generator and machine CPU between generator 0's window marks. */
async function measured<T>(server: ServerProc, gens: Generator[], commands: LoadCommand[], timeoutMs: number): Promise<{ results: T[]; stats: WindowStats }> {
  let start: { t: number; server: { user: number; system: number }; gens: number; self: number; machine: ReturnType<typeof machineCpu>; metrics: Promise<MetricsSnapshot> } | null = null;
  let stats: Promise<WindowStats> | null = null;
  const genCpu = () => gens.reduce((a, g) => a + cpuMs(g.pid), 0);
  const onMark = (name: string) => {
    if (name === 'window-start') {
      start = { t: performance.now(), server: cpuSplit(server.pid), gens: genCpu(), self: cpuMs(process.pid), machine: machineCpu(), metrics: scrape(server.url) };
    } else if (name === 'window-end' && start) {
      const s = start;
      const elapsed = performance.now() - s.t;
      const sv = cpuSplit(server.pid);
      const serverSys = sv.system - s.server.system;
      const serverCpu = sv.user - s.server.user + serverSys;
      const gensCpu = genCpu() - s.gens;
      const selfCpu = cpuMs(process.pid) - s.self;
      const m = machineCpu();
      const machineMs = ((m.busy - s.machine.busy) * 1000) / CLK_TCK;
      const rss = rssBytes(server.pid);
      stats = (async () => {
        const [m0, m1] = await Promise.all([s.metrics, scrape(server.url)]);
        return {
          serverCpuPct: (100 * serverCpu) / elapsed,
          serverSysPct: (100 * serverSys) / elapsed,
          serverCpuMs: serverCpu,
          generatorCpuPct: (100 * gensCpu) / elapsed,
          machineBusyPct: (100 * (m.busy - s.machine.busy)) / (m.total - s.machine.total) || NaN,
          otherCpuPct: Math.max(0, (100 * (machineMs - serverCpu - gensCpu - selfCpu)) / elapsed),
          avgCommitBatch: (m1.commitBatchSum - m0.commitBatchSum) / (m1.commitBatchCount - m0.commitBatchCount),
          eventLoopLagP99Ms: m1.eventLoopLagP99 * 1000,
          serverRssBytes: rss,
        };
      })();
    }
  };
  const results = await Promise.all(gens.map((g, i) => g.call<T>(commands[i]!, timeoutMs, i === 0 ? onMark : undefined)));
  if (!stats) throw new Error('the generator never marked its measuring window');
  return { results, stats: await stats };
}

interface ThroughputFigures {
  pairs: number;
  window: number;
  seconds: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  errors: number;
  firstError: string | null;
  lost: number;
  unexpectedCloses: number;
  perSecond: [number, number][];
  stats: WindowStats;
}

function pairsFrom(users: BenchUser[], offset: number, count: number): Pair[] {
  return Array.from({ length: count }, (_, k) => ({ from: users[offset + 2 * k]!, to: users[offset + 2 * k + 1]! }));
}

async function throughputPhase(server: ServerProc, gens: Generator[], users: BenchUser[]): Promise<ThroughputFigures> {
  await waitForQuiet((cfg.quietWaitS * 1000) / 3);
  const pairs = pairsFrom(users, 0, cfg.tpPairs);
  console.log(
    `\n[2] throughput: ${pairs.length} sender→receiver pairs (private chats), ${cfg.window} sends outstanding per sender, ` +
      `${cfg.tpWarmupS} s warm-up + ${cfg.tpSeconds} s measured`,
  );
  const parts = split(pairs, gens.length);
  const url = `ws://127.0.0.1:${server.port}/v1/ws`;
  const tag = `tp${Date.now().toString(36)}`;
  const { results, stats } = await measured<ThroughputResult>(
    server,
    gens,
    parts.map((p) => ({ cmd: 'throughput', url, pairs: p, window: cfg.window, warmupMs: cfg.tpWarmupS * 1000, measureMs: cfg.tpSeconds * 1000, tag })),
    (cfg.tpWarmupS + cfg.tpSeconds) * 1000 + 120_000,
  );
  const seconds = results[0]!.measureMs / 1000;
  const perSecond = results[0]!.perSecond.map((_, s) => [0, 1].map((k) => results.reduce((a, r) => a + (r.perSecond[s]?.[k] ?? 0), 0)) as [number, number]);
  const figures: ThroughputFigures = {
    pairs: pairs.length,
    window: cfg.window,
    seconds,
    ackedPerSec: results.reduce((a, r) => a + r.ackedInWindow, 0) / seconds,
    deliveredPerSec: results.reduce((a, r) => a + r.deliveredInWindow, 0) / seconds,
    errors: results.reduce((a, r) => a + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError ?? null,
    lost: results.reduce((a, r) => a + (r.ackedTotal - r.deliveredTotal), 0),
    unexpectedCloses: results.reduce((a, r) => a + r.unexpectedCloses, 0),
    perSecond,
    stats,
  };
  console.log(`    per second (acked/delivered): ${perSecond.map(([a, d]) => `${a}/${d}`).join(' ')}`);
  console.log(
    `    acked ${fmt(figures.ackedPerSec)} msg/s, delivered ${fmt(figures.deliveredPerSec)} msg/s; errors ${figures.errors}, ` +
      `acked-but-undelivered after drain ${figures.lost}; server CPU ${fmt(stats.serverCpuPct)}% (kernel ${fmt(stats.serverSysPct)}%), ` +
      `${fmt((stats.serverCpuMs * 1000) / (figures.ackedPerSec * figures.seconds))} µs server CPU per message, generator CPU ${fmt(stats.generatorCpuPct)}%, ` +
      `machine busy ${fmt(stats.machineBusyPct)}% of ${os.cpus().length} cores (other processes ${fmt(stats.otherCpuPct)}%); avg commit batch ${fmt(stats.avgCommitBatch, 1)}`,
  );
  if (figures.firstError) console.log(`    first error: ${figures.firstError}`);
  return figures;
}

/** Phase 2 again on a second fresh server with PARLEY_DURABILITY=normal (synchronous=NORMAL: no sync per commit). */
async function normalThroughputPhase(gens: Generator[], fdLimit: number | null): Promise<ThroughputFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-normal-'));
  tempDirs.push(dataDir);
  const server = await startServerProcess(dataDir, fdLimit, null, 'normal');
  children.push(server.child);
  console.log(`\n[2'] the same with PARLEY_DURABILITY=normal: server pid ${server.pid}, data ${dataDir}`);
  const users = await provision(server.port, 2 * cfg.tpPairs);
  agent.destroy();
  try {
    return await throughputPhase(server, gens, users);
  } finally {
    await stopServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface LatencyFigures {
  pairs: number;
  rate: number;
  seconds: number;
  scheduled: number;
  delivered: number;
  acked: number;
  errors: number;
  firstError: string | null;
  outOfOrder: number;
  fromSchedule: Percentiles;
  fromSend: Percentiles;
  ack: Percentiles;
  sendLag: Percentiles;
  stats: WindowStats;
}

function merge(ps: Percentiles[]): Percentiles {
  // With one generator (the default) this is exact; with several it reports the worst generator.
  return ps.reduce((worst, p) => (p.p99 > worst.p99 ? p : worst), ps[0]!);
}

async function latencyPhase(server: ServerProc, gens: Generator[], users: BenchUser[]): Promise<LatencyFigures> {
  await waitForQuiet((cfg.quietWaitS * 1000) / 3);
  const pairs = pairsFrom(users, 2 * cfg.tpPairs, cfg.latPairs);
  console.log(`\n[3] latency: ${fmt(cfg.rate)} msg/s open-loop over ${pairs.length} pairs, ${cfg.latWarmupS} s warm-up + ${cfg.latSeconds} s measured`);
  const parts = split(pairs, gens.length);
  const url = `ws://127.0.0.1:${server.port}/v1/ws`;
  const tag = `lat${Date.now().toString(36)}`;
  const { results, stats } = await measured<LatencyResult>(
    server,
    gens,
    parts.map((p) => ({ cmd: 'latency', url, pairs: p, rate: (cfg.rate * p.length) / pairs.length, warmupMs: cfg.latWarmupS * 1000, measureMs: cfg.latSeconds * 1000, tag })),
    (cfg.latWarmupS + cfg.latSeconds) * 1000 + 120_000,
  );
  const figures: LatencyFigures = {
    pairs: pairs.length,
    rate: cfg.rate,
    seconds: cfg.latSeconds,
    scheduled: results.reduce((a, r) => a + r.scheduled, 0),
    delivered: results.reduce((a, r) => a + r.delivered, 0),
    acked: results.reduce((a, r) => a + r.acked, 0),
    errors: results.reduce((a, r) => a + r.errors, 0),
    firstError: results.find((r) => r.firstError)?.firstError ?? null,
    outOfOrder: results.reduce((a, r) => a + r.outOfOrder, 0),
    fromSchedule: merge(results.map((r) => r.deliverFromSchedule)),
    fromSend: merge(results.map((r) => r.deliverFromSend)),
    ack: merge(results.map((r) => r.ackFromSend)),
    sendLag: merge(results.map((r) => r.sendLag)),
    stats,
  };
  const p = figures.fromSchedule;
  const r1 = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1));
  console.log(`    per second of schedule, p50/p99/max ms: ${results[0]!.perSecond.map(([a, b, c]) => `${r1(a)}/${r1(b)}/${r1(c)}`).join(' ')}`);
  console.log(
    `    delivered ${fmt(figures.delivered)}/${fmt(figures.scheduled)} (acked ${fmt(figures.acked)}, errors ${figures.errors}, out of order ${figures.outOfOrder}); ` +
      `send→recipient p50 ${fmt(p.p50, 2)} ms, p90 ${fmt(p.p90, 2)} ms, p99 ${fmt(p.p99, 2)} ms, p99.9 ${fmt(p.p999, 2)} ms, max ${fmt(p.max, 1)} ms; ` +
      `ack p50 ${fmt(figures.ack.p50, 2)} ms p99 ${fmt(figures.ack.p99, 2)} ms; server CPU ${fmt(stats.serverCpuPct)}% (kernel ${fmt(stats.serverSysPct)}%), generator CPU ${fmt(stats.generatorCpuPct)}%, other processes ${fmt(stats.otherCpuPct)}%`,
  );
  if (figures.firstError) console.log(`    first error: ${figures.firstError}`);
  return figures;
}

interface GroupFigures {
  members: number;
  online: number;
  messages: number;
  setupSeconds: number;
  /** ms from send until every online member had the message, over the messages. */
  allDelivered: Percentiles;
  incomplete: number;
  perDelivery: Percentiles;
  ack: Percentiles;
  missing: number;
  errors: number;
  firstError: string | null;
  stats: WindowStats;
}

async function groupPhase(server: ServerProc, gens: Generator[], users: BenchUser[]): Promise<GroupFigures> {
  await waitForQuiet((cfg.quietWaitS * 1000) / 3);
  const owner = users[0]!;
  const members = users.slice(1, cfg.groupMembers).map((u) => u.userId);
  const online = users.slice(1, 1 + Math.min(cfg.groupOnline, members.length));
  console.log(`\n[4] group fan-out: a ${fmt(members.length + 1)}-member group, ${fmt(online.length)} members online; ${cfg.groupMessages} messages from the owner, one at a time`);
  const tag = `grp${Date.now().toString(36)}`;
  const url = `ws://127.0.0.1:${server.port}/v1/ws`;
  const { results, stats } = await measured<GroupResult>(
    server,
    gens.slice(0, 1),
    [{ cmd: 'group', url, owner, members, online, messages: cfg.groupMessages, gapMs: 200, tag }],
    cfg.groupMessages * 16_000 + 180_000,
  );
  const r = results[0]!;
  const complete = r.allDelivered.filter((x) => !Number.isNaN(x));
  const figures: GroupFigures = {
    members: r.members,
    online: r.online,
    messages: r.allDelivered.length,
    setupSeconds: r.setupMs / 1000,
    allDelivered: percentiles(complete),
    incomplete: r.allDelivered.length - complete.length,
    perDelivery: r.perDelivery,
    ack: r.ack,
    missing: r.missing,
    errors: r.errors,
    firstError: r.firstError,
    stats,
  };
  console.log(`    per message, ms until all ${fmt(r.online)} had it: ${r.allDelivered.map((x) => fmt(x, 1)).join(' ')}`);
  console.log(
    `    all delivered p50 ${fmt(figures.allDelivered.p50, 1)} ms, p99 ${fmt(figures.allDelivered.p99, 1)} ms; single deliveries p50 ${fmt(r.perDelivery.p50, 1)} ms, ` +
      `p99 ${fmt(r.perDelivery.p99, 1)} ms; ack p50 ${fmt(r.ack.p50, 1)} ms; missing ${r.missing}, errors ${r.errors}; setup ${fmt(figures.setupSeconds, 1)} s; ` +
      `server CPU ${fmt(stats.serverCpuPct)}%, generator CPU ${fmt(stats.generatorCpuPct)}%, other processes ${fmt(stats.otherCpuPct)}%`,
  );
  if (r.firstError) console.log(`    first error: ${r.firstError}`);
  return figures;
}

interface RoomFigures extends Omit<RoomResult, 'generatorCpuMs'> {
  /** Server side, stored → written to every member socket: the histogram bucket bounds (ms) holding p50 and p99. */
  serverFanoutP50: number;
  serverFanoutP99: number;
  skippedByServer: number;
  refusedByServer: number;
  stats: WindowStats;
}

async function roomCounters(url: string): Promise<{ skipped: number; refused: number; fanout: Map<number, number> }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  const fanout = new Map<number, number>();
  for (const m of text.matchAll(/^parley_room_fanout_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) fanout.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return { skipped: value('parley_room_deliveries_skipped_total'), refused: value('parley_room_sends_refused_total'), fanout };
}

/** The upper bound (ms) of the histogram bucket holding quantile q of the observations between two scrapes. */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return NaN;
  for (const le of bounds) if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= q * total) return le * 1000;
  return Infinity;
}

async function roomPhase(server: ServerProc, gens: Generator[], users: BenchUser[]): Promise<RoomFigures> {
  await waitForQuiet((cfg.quietWaitS * 1000) / 3);
  const roomId = `bench-room-${Date.now().toString(36)}`;
  const created = await adminRequest(server.port, '/v1/admin/rooms', { roomId, name: 'Bench room' });
  if (created.status !== 201) throw new Error(`creating the room: ${created.status} ${JSON.stringify(created.json)}`);
  const members = users.slice(0, cfg.roomMembers);
  console.log(
    `\n[5] chatroom: ${fmt(members.length)} members joined, ${fmt(cfg.roomRate)} msg/s open-loop from ${cfg.roomSenders} of them, ` +
      `${cfg.roomWarmupS} s warm-up + ${cfg.roomSeconds} s measured`,
  );
  const before = await roomCounters(server.url);
  const { results, stats } = await measured<RoomResult>(
    server,
    gens.slice(0, 1),
    [
      {
        cmd: 'room',
        url: `ws://127.0.0.1:${server.port}/v1/ws`,
        roomId,
        members,
        senders: cfg.roomSenders,
        rate: cfg.roomRate,
        warmupMs: cfg.roomWarmupS * 1000,
        measureMs: cfg.roomSeconds * 1000,
        tag: `rm${Date.now().toString(36)}`,
      },
    ],
    (cfg.roomWarmupS + cfg.roomSeconds) * 1000 + 240_000,
  );
  const after = await roomCounters(server.url);
  const r = results[0]!;
  const figures: RoomFigures = {
    ...r,
    serverFanoutP50: bucketQuantile(before.fanout, after.fanout, 0.5),
    serverFanoutP99: bucketQuantile(before.fanout, after.fanout, 0.99),
    skippedByServer: after.skipped - before.skipped,
    refusedByServer: after.refused - before.refused,
    stats,
  };
  const r1 = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(0));
  console.log(`    joined ${fmt(r.joined)}/${fmt(r.members)} in ${fmt(r.joinMs / 1000, 1)} s; per second of schedule, p50/p99/max ms: ${r.perSecond.map(([a, b, c]) => `${r1(a)}/${r1(b)}/${r1(c)}`).join(' ')}`);
  console.log(
    `    ${fmt(r.acked)}/${fmt(r.scheduled)} acked (${r.refused} refused RATE_LIMITED, ${r.errors} errors); deliveries ${fmt(r.delivered)}/${fmt(r.expectedDeliveries)} ` +
      `(missing ${fmt(r.missing)}; server skipped ${fmt(figures.skippedByServer)} to slow connections); latency p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms, ` +
      `max ${fmt(r.latency.max, 1)} ms; server-side fan-out (stored → written to every socket) p50 ≤ ${fmt(figures.serverFanoutP50)} ms, p99 ≤ ${fmt(figures.serverFanoutP99)} ms; out of order ${r.outOfOrder}; server CPU ${fmt(stats.serverCpuPct)}% (kernel ${fmt(stats.serverSysPct)}%), generator CPU ${fmt(stats.generatorCpuPct)}%, ` +
      `other processes ${fmt(stats.otherCpuPct)}%, event-loop lag p99 ${fmt(stats.eventLoopLagP99Ms, 1)} ms`,
  );
  if (r.firstError) console.log(`    first error: ${r.firstError}`);
  return figures;
}

// --- BENCHMARKS.md

interface Report {
  date: string;
  /** The commit the server ran from, and whether server/ or protocol/ had uncommitted changes. */
  revision: string;
  machine: ReturnType<typeof machine>;
  fd: { soft: number; hard: number; used: number | null };
  provisionSeconds: number;
  users: number;
  generators: number;
  idle: IdleFigures | null;
  throughput: ThroughputFigures | null;
  throughputNormal: ThroughputFigures | null;
  latency: LatencyFigures | null;
  group: GroupFigures | null;
  room: RoomFigures | null;
  serverExit: number | null;
}

function verdict(ok: boolean): string {
  return ok ? 'met' : '**missed**';
}

function renderSection(r: Report): string {
  const m = r.machine;
  const lines: string[] = [SECTION_TITLE, ''];
  lines.push(
    `Last run ${r.date} at ${r.revision} on ${m.cpu}, ${m.cores} cores, ${fmt(m.ramGiB, 1)} GiB RAM, ${m.kernel}, Node ${m.node}. ` +
      `Server and load generator(s) share the machine over loopback: ${r.generators} generator process(es) compete with the server for the ${m.cores} cores.`,
    '',
    '| # | Figure | Aim | Result | |',
    '|---|---|---|---|---|',
  );
  if (r.idle) {
    const i = r.idle;
    lines.push(
      `| 1 | Idle authenticated connections, server RSS | 10,000 under 1 GiB | ${fmt(i.opened)} held (${i.failed} failed), RSS ${fmt(i.rssHeldBytes / MiB)} MiB ` +
        `(peak ${fmt(i.rssPeakBytes / MiB)} MiB; ${fmt(i.rssBeforeBytes / MiB)} MiB before, ≈${fmt(i.perConnectionBytes / 1024, 1)} KiB per connection) | ${verdict(i.opened >= 10_000 && i.rssPeakBytes < 2 ** 30)} |`,
    );
  }
  if (r.throughput) {
    const t = r.throughput;
    lines.push(
      `| 2 | Private-chat throughput, persisted (acked) / delivered | 10,000 msg/s | ${fmt(t.ackedPerSec)} / ${fmt(t.deliveredPerSec)} msg/s ` +
        `(${t.errors} errors, ${t.lost} acked but undelivered) | ${verdict(Math.min(t.ackedPerSec, t.deliveredPerSec) >= 10_000)} |`,
    );
  }
  if (r.throughput && r.throughputNormal) {
    const n = r.throughputNormal;
    const cost = 1 - r.throughput.ackedPerSec / n.ackedPerSec;
    lines.push(
      `| 2′ | The same with \`PARLEY_DURABILITY=normal\` (row 2 is the default, \`full\`) | — | ${fmt(n.ackedPerSec)} / ${fmt(n.deliveredPerSec)} msg/s ` +
        `(${n.errors} errors, ${n.lost} acked but undelivered); acked with \`full\` ${cost >= 0 ? `${fmt(cost * 100, 1)}% fewer` : `${fmt(-cost * 100, 1)}% more`} | — |`,
    );
  }
  if (r.latency) {
    const l = r.latency;
    lines.push(
      `| 3 | Send → recipient latency at ${fmt(l.rate)} msg/s, p50 / p99 | p99 < 50 ms | ${fmt(l.fromSchedule.p50, 1)} / ${fmt(l.fromSchedule.p99, 1)} ms ` +
        `(p99.9 ${fmt(l.fromSchedule.p999, 1)} ms, max ${fmt(l.fromSchedule.max, 1)} ms; ${fmt(l.delivered)}/${fmt(l.scheduled)} delivered) | ${verdict(l.fromSchedule.p99 < 50 && l.delivered === l.scheduled)} |`,
    );
  }
  lines.push('', '### Method', '');
  lines.push(
    '- `npm run bench:server` (bench/server-bench.ts) starts the real server, `node --import tsx server/src/cli.ts --port 0 --data <tmpdir>`, ' +
      'with `PARLEY_SEND_RATE=0` (no per-connection send limit), `PARLEY_MAX_CONNECTIONS_PER_IP` raised above the connection count (every connection comes from 127.0.0.1) and the admin API on; the data directory is a fresh temporary one (SQLite, WAL, `synchronous=FULL`: the default `PARLEY_DURABILITY=full`), removed afterwards.',
    `- ${fmt(r.users)} users, each with a token, are created through the signed admin API (\`POST /v1/admin/users\`, \`POST /v1/admin/users/<id>/token\`, 16 in flight) in ${fmt(r.provisionSeconds, 1)} s.`,
    '- The load comes from bench/server-load.ts in separate process(es) (`child_process.fork`), driven over IPC. Its WebSockets use a zero masking key so the generator does not spend its core XOR-ing payloads (the server still runs its unmasking code).',
    `- File descriptors: soft/hard limit ${r.fd.soft}/${r.fd.hard}${r.fd.used ? `; the server was spawned with \`ulimit -n ${r.fd.used}\`` : ' (enough; no change)'}.`,
    '- Memory is VmRSS from /proc/<server pid>/status; CPU is utime+stime from /proc/<pid>/stat over the measured window (100% = one core); "machine busy" is from /proc/stat over all cores (100% = all busy); ' +
      '"other processes" is the machine\'s busy time not spent by the server, the generators or the orchestrator (anything else running on the machine at the time, which takes cores away from the bench).',
  );
  if (r.idle) {
    lines.push(
      `- **1.** ${fmt(r.idle.target)} users each open one WebSocket (200 handshakes in flight) and complete \`hello\`; RSS is read before, every 250 ms while opening, and after a ${cfg.holdS} s hold (the server's 30 s ping may or may not fall in it). ` +
        `Opening took ${fmt(r.idle.openSeconds, 1)} s (≈${fmt(r.idle.opened / r.idle.openSeconds)} hellos/s); ${r.idle.closedDuringHold} connections closed during the hold. The idle connections are closed before phase 2.`,
    );
  }
  if (r.throughput) {
    const t = r.throughput;
    lines.push(
      `- **2.** ${t.pairs} pairs of users; in each pair one connection sends \`text\` messages (~60 characters) into the pair's private chat and the other receives. ` +
        `Closed loop: every sender keeps ${t.window} sends outstanding and sends the next one when an answer arrives. Counted over ${fmt(t.seconds, 1)} s after ${cfg.tpWarmupS} s of warm-up: ` +
        'acks (the entry is committed to SQLite) and `msg` events received by the recipients. After the window, sending stops and everything acked must arrive (checked).',
    );
  }
  if (r.throughputNormal) {
    lines.push(
      `- **2′.** Phase 2 again, right after it, on a second fresh server started with \`PARLEY_DURABILITY=normal\` (\`synchronous=NORMAL\`: a commit is not synced to disk, ` +
        'so it survives the process being killed but not a power loss) and its own freshly provisioned users; the first server stays up, idle. ' +
        `Both data directories are in ${os.tmpdir()} (file system: ${fsTypeOf(os.tmpdir())}; on tmpfs a sync costs nothing). Skip it with \`--skip-normal\`.`,
    );
  }
  if (r.latency) {
    const l = r.latency;
    lines.push(
      `- **3.** Open loop: message i is due at t0 + i/${fmt(l.rate)} s and sent then, round-robin over ${l.pairs} sender connections (${fmt(l.rate / l.pairs, 1)} msg/s each), whatever happened to earlier ones. ` +
        `Latency runs from the scheduled time to the recipient's \`msg\` event (matched by clientMsgId), in the same generator process (one clock), over ${l.seconds} s after ${cfg.latWarmupS} s of warm-up. ` +
        `Measured from the actual send instead: p50 ${fmt(l.fromSend.p50, 1)} ms, p99 ${fmt(l.fromSend.p99, 1)} ms; the generator sent p99 ${fmt(l.sendLag.p99, 2)} ms late. ` +
        `Sender's ack: p50 ${fmt(l.ack.p50, 1)} ms, p99 ${fmt(l.ack.p99, 1)} ms. Recipients checked seq order: ${l.outOfOrder} out of order.`,
    );
  }
  lines.push('', '### Resource use during the measured windows', '', '| Phase | Server CPU (kernel part) | Server CPU per message | Generator CPU | Other processes | Machine busy | Avg entries per commit | Event-loop lag p99 | Server RSS |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  const row = (name: string, s: WindowStats, messages: number) =>
    `| ${name} | ${fmt(s.serverCpuPct)}% (${fmt(s.serverSysPct)}%) | ${fmt((s.serverCpuMs * 1000) / messages)} µs | ${fmt(s.generatorCpuPct)}% | ${fmt(s.otherCpuPct)}% | ${fmt(s.machineBusyPct)}% | ${fmt(s.avgCommitBatch, 1)} | ${fmt(s.eventLoopLagP99Ms, 1)} ms | ${fmt(s.serverRssBytes / MiB)} MiB |`;
  if (r.throughput) lines.push(row('2. throughput', r.throughput.stats, r.throughput.ackedPerSec * r.throughput.seconds));
  if (r.throughputNormal) lines.push(row('2′. throughput, normal', r.throughputNormal.stats, r.throughputNormal.ackedPerSec * r.throughputNormal.seconds));
  if (r.latency) lines.push(row(`3. latency (${fmt(r.latency.rate)}/s)`, r.latency.stats, r.latency.scheduled));
  lines.push('', '### What limits it', '', ...LIMITS, '');
  return lines.join('\n');
}

/**
 * The analysis behind the figures, from profiling the server at the revision named in its first line (perf
 * record, `--profile`, an instrumented run); kept here so a rerun puts it next to fresh figures. Revisit it
 * when the server changes.
 */
const LIMITS: string[] = [
  'From profiling on 2026-11-22 at d722249 (WAL checkpoints in a worker thread, no ensure-inserts for known conversations, no `msg` echo to the ' +
    'sending connection, pipelined sends per connection). The per-message CPU figure above is re-measured on every run.',
  '',
  '- **CPU per message, on a shared 2-core machine.** All request work runs on the server\'s one main thread. It costs about 65–80 µs of server CPU ' +
    'per message (the whole process: main thread, GC helper threads and the checkpoint worker), so one core tops out around 13–15k msg/s. The ' +
    'generator needs roughly another 15–40 µs per message, and whatever else runs on the machine ("Other processes", often most of a core while ' +
    'these runs were made) takes from the same two cores; repeated 10–20 s runs at d722249 gave 8.8k–13.3k msg/s as that load came and went.',
  '- **Where the server\'s time goes** (`perf record -e cpu-clock -g -p <server>`, 8 s of phase 2 with 500 pairs at 13.3k msg/s; shares of the ' +
    'server process\'s CPU): SQLite 22% (writing the commit\'s WAL frames 5%, the worker\'s checkpoints 3%); garbage collection 14% (young-generation ' +
    'scavenges, mostly on V8\'s helper threads: promises, frame strings and entry objects per send); socket writes (`writev`; on loopback this also ' +
    'runs the receiving TCP path) 12%; `JSON.stringify` 6%; `JSON.parse` 2%; the rest is JavaScript: ws framing, frame and body validation, the ' +
    'promise chain of each send, metrics.',
  '- **Commits are full.** "Avg entries per commit" is 1,000, the `Committer`\'s `maxBatch`: 500 senders × 8 outstanding keep the queue past the ' +
    'cap, so commits run back to back and an ack waits for a few of them; each event-loop turn carries a whole commit plus its socket work, hence the long event-loop lag in phase 2 (fine for throughput; this closed loop is not the latency test).',
  '- **Two socket writes per message** (the sender\'s ack and the recipient\'s `msg`), each its own `writev`, even when one connection gets several ' +
    'frames in the same turn (with pipelined sends a sender gets ~2 acks per commit here).',
  '- **Latency.** With checkpoints (and their `fsync`) off the event loop, the main thread rarely stalls: an instrumented run (GC observer, ' +
    'event-loop stall detector, timed `appendBatch`) at 2,000 msg/s saw no commit over 30 ms and scavenges of at most 10 ms. The p99 over the ' +
    'window is set by a few seconds whose p99 reaches 30–80 ms (the per-second series is printed), which follow the other load on the machine: ' +
    'runs at d722249 gave p99 10, 12 and 40 ms. Before d722249, with the auto-checkpoint inside commits, a one-entry commit could take 57 ms and runs ' +
    'gave p99 31–887 ms and 3.3–5.9k msg/s in phase 2.',
  '',
  'What would move it further (proposed, not applied): (1) cork each socket until the end of the tick (`socket.cork()` on the first frame, ' +
    '`uncork()` in `process.nextTick`) so all frames for one connection in a turn leave in one `writev`; (2) drop the second duplicate lookup inside ' +
    'the commit when the pre-check just passed, and let the unique index on (sender, client_msg_id) catch a race (the per-item retry in ' +
    '`appendBatch` already isolates a failing item); (3) allocate less per send (GC is 14%): fewer promise layers between `dispatch`, the send ' +
    'chain, the handler, `Messaging.send`/`sendInOrder` and the committer; (4) past one core, a storage worker thread owning the write connection ' +
    '(commits overlap socket work) or several nodes (the PostgreSQL + NATS deployment); on this 2-core machine, shared with the generator, that ' +
    'would buy little.',
];

/**
 * Rewrites the Server section of BENCHMARKS.md: `core` (phases 1–3) and `sub` (the groups-and-chatrooms
 * subsection, phases 4–5) each replace their part when given, and the part not run is kept as it was.
 */
function writeSection(core: string | null, sub: string | null): void {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  // Re-read right before writing: another tool owns other sections of the same file.
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(`${SECTION_TITLE}\n`);
  const after = start === -1 ? -1 : current.indexOf('\n## ', start + SECTION_TITLE.length);
  const old = start === -1 ? '' : current.slice(start, after === -1 ? undefined : after + 1);
  const subAt = old.indexOf(`\n${GROUPS_TITLE}\n`);
  const oldCore = (subAt === -1 ? old : old.slice(0, subAt + 1)).replace(/\n*$/, '\n');
  const oldSub = subAt === -1 ? null : old.slice(subAt + 1).replace(/\n*$/, '\n');
  const newCore = core ?? (start === -1 ? `${SECTION_TITLE}\n` : oldCore);
  const newSub = sub ?? oldSub;
  const section = newSub ? `${newCore.replace(/\n*$/, '\n')}\n${newSub}` : newCore;
  let next: string;
  if (start === -1) {
    next = `${current.replace(/\n*$/, '\n')}\n${section}`;
  } else {
    next = current.slice(0, start) + section.replace(/\n*$/, '\n') + (after === -1 ? '' : `\n${current.slice(after + 1)}`);
  }
  fs.writeFileSync(file, next.replace(/\n*$/, '\n'));
  console.log(`\nwrote the "${SECTION_TITLE}" section of ${file}${core ? '' : ' (phases 1–3 kept)'}${sub || !oldSub ? '' : ' (groups and chatrooms kept)'}`);
}

const GROUPS_TITLE = '### Groups and chatrooms';

function renderGroupsAndRooms(r: Report): string {
  const m = r.machine;
  const lines: string[] = [
    GROUPS_TITLE,
    '',
    `Last run ${r.date} at ${r.revision} on ${m.cpu}, ${m.cores} cores, Node ${m.node}; one generator process on the same machine (one clock for send and receive times).`,
    '',
    '| # | Figure | Aim | Result | |',
    '|---|---|---|---|---|',
  ];
  const g = r.group;
  if (g) {
    lines.push(
      `| 4 | Message to a ${fmt(g.members)}-member group, ${fmt(g.online)} online: until every online member has it, p50 / p99 over ${g.messages} messages | p99 < 500 ms | ` +
        `${fmt(g.allDelivered.p50, 1)} / ${fmt(g.allDelivered.p99, 1)} ms (single deliveries p50 ${fmt(g.perDelivery.p50, 1)}, p99 ${fmt(g.perDelivery.p99, 1)} ms; ${g.missing} missing) | ` +
        `${verdict(g.allDelivered.p99 < 500 && g.missing === 0 && g.incomplete === 0)} |`,
    );
  }
  const c = r.room;
  if (c) {
    lines.push(
      `| 5 | Chatroom, ${fmt(c.joined)} members joined, ${fmt(c.rate)} msg/s: delivery latency p50 / p99, dropped | none dropped | ` +
        `${fmt(c.latency.p50, 1)} / ${fmt(c.latency.p99, 1)} ms (max ${fmt(c.latency.max, 1)} ms; server side alone p50 ≤ ${fmt(c.serverFanoutP50)}, p99 ≤ ${fmt(c.serverFanoutP99)} ms); ${fmt(c.delivered)}/${fmt(c.expectedDeliveries)} deliveries, ` +
        `${fmt(c.missing)} missing (${fmt(c.skippedByServer)} skipped by the server for slow connections), ${c.refused} sends refused | ${verdict(c.missing === 0 && c.refused === 0 && c.errors === 0)} |`,
    );
  }
  lines.push('', '#### Method', '');
  if (g) {
    lines.push(
      `- **4.** The owner creates an \`invite\` group with \`group.create\` and \`group.invite\` (500 at a time) to ${fmt(g.members)} members, and ${fmt(g.online)} of them connect (setup ${fmt(g.setupSeconds, 1)} s). ` +
        `The owner then sends ${g.messages} text messages, each after the previous one reached every online member, 200 ms apart. For each, the time from the send to the last member's \`msg\` event; ` +
        `the owner's ack came after p50 ${fmt(g.ack.p50, 1)} ms. Server CPU over the messages ${fmt(g.stats.serverCpuPct)}%, generator ${fmt(g.stats.generatorCpuPct)}%, other processes ${fmt(g.stats.otherCpuPct)}%.`,
    );
  }
  if (c) {
    lines.push(
      `- **5.** A room created with \`POST /v1/admin/rooms\`; ${fmt(c.members)} users each connect and \`room.join\` it (${fmt(c.joinMs / 1000, 1)} s). Open loop: message i is due at t0 + i/${fmt(c.rate)} s, ` +
        `sent round-robin by ${c.senders} of the members; every other member connection should receive it. Latency runs from the send to each member's \`msg\` event (histogram of 0.1 ms buckets), over ${fmt(c.measureMs / 1000)} s after ${cfg.roomWarmupS} s of warm-up; ` +
        `"missing" counts deliveries of acknowledged messages that never arrived (after a 15 s drain). Seq order per connection checked: ${c.outOfOrder} out of order. ` +
        'The server-side figure is `parley_room_fanout_seconds` (from storing an entry until its batch was written to the last member socket; the bucket bounds holding p50 and p99) scraped before and after. ' +
        `Server CPU ${fmt(c.stats.serverCpuPct)}% (kernel ${fmt(c.stats.serverSysPct)}%), generator ${fmt(c.stats.generatorCpuPct)}%, other processes ${fmt(c.stats.otherCpuPct)}%, event-loop lag p99 ${fmt(c.stats.eventLoopLagP99Ms, 1)} ms, server RSS ${fmt(c.stats.serverRssBytes / MiB)} MiB.`,
    );
  }
  lines.push('', '#### What limits it', '', ...GROUP_ROOM_LIMITS, '');
  return lines.join('\n');
}

/** The analysis behind phases 4–5; revisit it when the fan-out changes. */
const GROUP_ROOM_LIMITS: string[] = [
  'From the runs of 2026-11-22 that introduced groups and chatrooms, on the 2-core machine above, with `/metrics` as the server-side instrument. ' +
    'Other work on the machine ("other processes" above) takes cores from server and generator alike and inflates the end-to-end figures most.',
  '',
  '- **Group fan-out** costs one JSON encoding and one UTF-8/WebSocket encoding of the `msg` frame, then one socket write per online member ' +
    'connection of those same bytes; the member list comes from memory (loaded once per group, replaced on each membership change), so the ' +
    '2,000 offline members cost a map lookup each. Writing to 1,000 sockets takes about 10 ms of server CPU, most of it the kernel\'s loopback ' +
    'TCP path; the rest of the time until the last member has the message is the generator reading 1,000 sockets. The first message of a run ' +
    'is the slowest (JIT warm-up, 45–65 ms); the others took 12–40 ms.',
  '- **Chatroom fan-out** at 5,000 members × 100 msg/s is 500,000 deliveries a second. The server writes each batch of entries with one socket ' +
    'write per member connection, of bytes encoded once for all of them, and spaces a room\'s batches so that it causes at most ' +
    '`roomWritesPerSecond` (50,000) writes a second: a 5,000-connection room is batched every 100 ms, ~10 entries per batch at this rate, so the ' +
    'server makes ~50,000 writes/s whatever the message rate (20–45% of a core in these runs, two thirds of it in the kernel). The server-side latency is set by ' +
    'that spacing: an entry waits for the next batch (up to 100 ms) and for the batch to reach all 5,000 sockets (≈50 ms, 1,000 sockets per ' +
    'event-loop turn so other traffic keeps flowing). Raising `PARLEY_ROOM_WRITES_PER_SECOND` lowers it at a proportional CPU cost; with one ' +
    'batch per entry (no batching) the same room would need 500,000 writes a second, more than this machine has.',
  '- **The generator** must read 500,000 frames a second over 5,000 sockets on the same two cores. With the `ws` client it needed more than a ' +
    'core, fell behind and the measured latency grew to seconds; it now uses a raw frame scanner (bench/raw-ws.ts) and still takes ~95% of a ' +
    'core, so the end-to-end figures include its queueing (the gap between the end-to-end and the server-side figures). With the members on ' +
    'other machines that part would not compete with the server.',
  '- **Nothing was dropped**: the room\'s backlog never came near `roomMaxPending` (1,000) and no connection\'s unsent output passed ' +
    '`roomSlowBytes` (1 MiB), so no send was refused and no delivery skipped; every connection got every entry in seq order.',
];

// --- main

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`bench: still running after ${BENCH_DEADLINE_MS / 60_000} min; giving up`);
    cleanup();
    process.exit(1);
  }, BENCH_DEADLINE_MS);
  deadline.unref();

  const info = machine();
  const date = new Date().toISOString().slice(0, 10);
  console.log(`Parley server bench — ${date}; ${info.cpu}, ${info.cores} cores, ${fmt(info.ramGiB, 1)} GiB, Node ${info.node}`);

  const fd = fdLimits();
  const needed = Math.max(cfg.phases.has('idle') ? cfg.connections : 0, cfg.phases.has('room') ? cfg.roomMembers : 0) + 2 * Math.max(cfg.tpPairs, cfg.latPairs) + 1000;
  let fdUsed: number | null = null;
  if (fd.soft < needed) {
    if (fd.hard >= needed) fdUsed = Math.min(fd.hard, 65_536);
    else {
      cfg.connections = Math.max(0, fd.hard - 2 * Math.max(cfg.tpPairs, cfg.latPairs) - 1000);
      fdUsed = fd.hard;
      console.log(`fd hard limit ${fd.hard} is low: holding only ${cfg.connections} idle connections`);
    }
  }
  console.log(`fd limits: soft ${fd.soft}, hard ${fd.hard}${fdUsed ? `; server and generators run with ulimit -n ${fdUsed}` : ''}`);

  const busyBefore = await waitForQuiet(cfg.quietWaitS * 1000);
  console.log(`machine ${fmt(busyBefore)}% busy before starting`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  tempDirs.push(dataDir);
  const profileDir = cfg.profile ? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-prof-')) : null;
  const server = await startServerProcess(dataDir, fdUsed, profileDir);
  children.push(server.child);
  console.log(`server pid ${server.pid} at ${server.url}, data ${dataDir}`);

  const userCount = Math.max(
    cfg.phases.has('idle') ? cfg.connections : 0,
    cfg.phases.has('throughput') || cfg.phases.has('latency') ? 2 * cfg.tpPairs + 2 * cfg.latPairs : 0,
    cfg.phases.has('group') ? cfg.groupMembers : 0,
    cfg.phases.has('room') ? cfg.roomMembers : 0,
  );
  const p0 = performance.now();
  const users = await provision(server.port, userCount);
  const provisionSeconds = (performance.now() - p0) / 1000;
  agent.destroy();
  console.log(`provisioned ${fmt(userCount)} users + tokens in ${fmt(provisionSeconds, 1)} s`);

  const gens = Array.from({ length: cfg.generators }, (_, i) => startGenerator(i, fdUsed, profileDir));
  children.push(...gens.map((g) => g.child));

  const report: Report = {
    date,
    revision: revision(),
    machine: info,
    fd: { ...fd, used: fdUsed },
    provisionSeconds,
    users: userCount,
    generators: cfg.generators,
    idle: null,
    throughput: null,
    throughputNormal: null,
    latency: null,
    group: null,
    room: null,
    serverExit: null,
  };
  if (cfg.phases.has('idle')) report.idle = await idlePhase(server, gens, users);
  if (cfg.phases.has('throughput')) report.throughput = await throughputPhase(server, gens, users);
  if (cfg.phases.has('throughput') && cfg.compareNormal) report.throughputNormal = await normalThroughputPhase(gens, fdUsed);
  if (cfg.phases.has('latency')) report.latency = await latencyPhase(server, gens, users);
  if (cfg.phases.has('group')) report.group = await groupPhase(server, gens, users);
  if (cfg.phases.has('room')) report.room = await roomPhase(server, gens, users);

  await Promise.all(gens.map((g) => g.call({ cmd: 'exit' }, 10_000).catch(() => undefined)));
  report.serverExit = await stopServer(server);
  console.log(`\nserver stopped (exit code ${report.serverExit})`);
  const log = fs.readFileSync(server.logFile, 'utf8');
  const problems = log.split('\n').filter((l) => /"level":(50|60)/.test(l));
  if (problems.length > 0) console.log(`server logged ${problems.length} error(s); first: ${problems[0]!.slice(0, 300)}`);
  if (profileDir) console.log(`CPU profiles in ${profileDir} (summarise with: npx tsx bench/server-profile.ts <file>)`);
  fs.rmSync(dataDir, { recursive: true, force: true });

  const core = report.idle || report.throughput || report.latency ? renderSection(report) : null;
  const sub = report.group || report.room ? renderGroupsAndRooms(report) : null;
  if (core) console.log(`\n${core}`);
  if (sub) console.log(`\n${sub}`);
  if (cfg.write) writeSection(core, sub);
}

const children: ChildProcess[] = [];
const tempDirs: string[] = [];
function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    cleanup();
    process.exit(1);
  },
);
