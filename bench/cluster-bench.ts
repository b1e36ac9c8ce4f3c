/**
 * `npm run bench:cluster`: the built server (dist/server/cli.js, started through scripts/cluster-lib.ts) in three
 * setups — (a) one node on SQLite, (b) one node on PostgreSQL, (c) `--nodes` (3) nodes on one PostgreSQL and one
 * NATS — driven by one load-generator process (bench/server-load.ts, as in bench:server) on this machine:
 *   1. private-chat throughput (closed loop, `--pairs` sender→recipient pairs, `--window` sends outstanding each):
 *      messages acknowledged and delivered per second over `--seconds`;
 *   2. latency send → delivered at a fixed offered rate (`--rate`, open loop), and whether the setup kept up;
 *   3. (c) a `--group-members` group, every member online, spread over the nodes: send → last member, missing;
 *   4. (c) a `--room-members` chatroom spread over the nodes, `--room-rate` msg/s: the same, and losses;
 *   5. CPU per 1,000 messages of the node(s), PostgreSQL and NATS over the throughput window (/proc deltas);
 *   6. a projection for 2, 4 and 8 two-core node machines from those CPU costs;
 *   7. with `--kill`, (c) again through nginx: node 2 is SIGKILLed mid-run; acknowledged messages against those in
 *      the database, and how long the clients took to reconnect.
 * Clients connect directly to the nodes, round-robin per connection (a pair's sender and recipient on different
 * nodes, so every private message of (c) crosses NATS); `--via nginx` sends them through the balancer instead.
 *
 * Options: --quick (small sizes, 3 s phases) --setups sqlite,postgres,cluster --nodes N --seconds S --warmup S
 *   --pairs N --window N --rate N --lat-pairs N --group-members N --group-messages N --room-members N --room-rate N
 *   --room-senders N --via direct|nginx --kill --node-cores N --pg-cores N --nats-cores N
 *   --write (record into BENCHMARKS.md) --benchmarks-file PATH (record there instead; implies --write)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import WebSocket from 'ws';
import { BENCHMARKS_FILE, hasChanges, headCommit, replaceSection } from './benchmarks-file.js';
import { CLK_TCK, adminRequest, cpuMs, fdLimits, machine, machineCpu, provisionUsers, startGenerator, type AdminTarget, type Generator } from './bench-procs.js';
import { percentiles, privateConvId, type BenchUser, type GroupResult, type LatencyResult, type Pair, type Percentiles, type RoomResult, type ThroughputResult } from './server-common.js';
import { ensureBuiltServer, startCluster, type Cluster } from '../scripts/cluster-lib.js';

const SECTION_TITLE = '## Cluster: bench:cluster';
const APP_KEY = 'bench-app';
const APP_SECRET = randomBytes(24).toString('hex');

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    setups: { type: 'string', default: 'sqlite,postgres,cluster' },
    nodes: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    pairs: { type: 'string' },
    window: { type: 'string' },
    rate: { type: 'string' },
    'lat-pairs': { type: 'string' },
    'group-members': { type: 'string' },
    'group-messages': { type: 'string' },
    'room-members': { type: 'string' },
    'room-rate': { type: 'string' },
    'room-senders': { type: 'string' },
    via: { type: 'string', default: 'direct' },
    kill: { type: 'boolean', default: false },
    'kill-pairs': { type: 'string' },
    'node-cores': { type: 'string', default: '2' },
    'pg-cores': { type: 'string', default: '2' },
    'nats-cores': { type: 'string', default: '2' },
    write: { type: 'boolean', default: false },
    'benchmarks-file': { type: 'string' },
  },
  strict: true,
});
const quick = Boolean(opts.quick);
/** An option's value: given, else its quick or full default. */
function num(name: keyof typeof opts, full: number, quickValue = full, min = 0): number {
  const raw = opts[name];
  const n = raw === undefined ? (quick ? quickValue : full) : Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return n;
}
const cfg = {
  setups: String(opts.setups)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  nodes: num('nodes', 3, 3, 2),
  seconds: num('seconds', 10, 3, 1),
  warmup: num('warmup', 3, 1),
  pairs: num('pairs', 300, 60, 1),
  window: num('window', 8, 8, 1),
  rate: num('rate', 2000, 2000, 1),
  latPairs: num('lat-pairs', 200, 60, 1),
  groupMembers: num('group-members', 3000, 300, 2),
  groupMessages: num('group-messages', 20, 5, 1),
  roomMembers: num('room-members', 5000, 500, 2),
  roomRate: num('room-rate', 10, 10, 1),
  roomSenders: num('room-senders', 10, 5, 1),
  killPairs: num('kill-pairs', 100, 30, 1),
  via: String(opts.via),
  kill: Boolean(opts.kill),
  nodeCores: num('node-cores', 2, 2, 1),
  pgCores: num('pg-cores', 2, 2, 1),
  natsCores: num('nats-cores', 2, 2, 1),
  benchmarksFile: opts['benchmarks-file'] ?? BENCHMARKS_FILE,
  write: Boolean(opts.write) || opts['benchmarks-file'] !== undefined,
};
for (const s of cfg.setups) if (!['sqlite', 'postgres', 'cluster'].includes(s)) throw new Error(`--setups: unknown setup ${s} (sqlite, postgres, cluster)`);
if (cfg.via !== 'direct' && cfg.via !== 'nginx') throw new Error('--via must be direct or nginx');
// The local balancer (scripts/cluster-lib.ts) has worker_connections 4096, two per proxied WebSocket.
if (cfg.via === 'nginx' && 2 * Math.max(cfg.roomMembers, cfg.groupMembers, cfg.pairs * 2, cfg.latPairs * 2) > 4000) {
  throw new Error('--via nginx: the local nginx takes about 2,000 WebSockets (worker_connections 4096); use --room-members and --group-members ≤ 2000, or connect directly');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** NaN crosses the generator's IPC (JSON) as null: both print as "-". */
const fmt = (n: number | null, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-';
/** A figure from the generator, null (NaN before IPC) back to NaN. */
const val = (n: number | null) => (typeof n === 'number' ? n : NaN);
const SETUP_NAMES: Record<string, string> = {
  sqlite: '(a) 1 node, SQLite',
  postgres: '(b) 1 node, PostgreSQL',
  cluster: `(c) ${cfg.nodes} nodes, PostgreSQL + NATS`,
};

/** The settings every node runs with: cheap hashing, no rate or registration limits, every bench connection let in. */
function nodeEnv(): Record<string, string> {
  return {
    PARLEY_LOG_LEVEL: 'warn',
    PARLEY_APP_KEY: APP_KEY,
    PARLEY_APP_SECRET: APP_SECRET,
    PARLEY_SEND_RATE: '0',
    PARLEY_PASSWORD_COST: '10',
    PARLEY_REGISTER_PER_IP_PER_HOUR: '0',
    PARLEY_REGISTER_PER_MINUTE: '0',
    PARLEY_HASH_QUEUE: '1000',
    // Every connection comes from 127.0.0.1 (the default per-address cap is far below a 5,000-member room).
    PARLEY_MAX_CONNECTIONS_PER_IP: String(Math.max(20_000, 2 * (cfg.roomMembers + cfg.groupMembers))),
  };
}

// --- CPU of the processes involved

interface CpuSnapshot {
  at: number;
  nodes: number[];
  /** pid → [CPU ms, class] of every postgres process. */
  pg: Map<number, [number, 'ours' | 'background' | 'other']>;
  nats: number;
  /** nginx: the master and its workers (0 without a balancer). */
  nginx: number;
  generator: number;
  self: number;
  machine: { busy: number; total: number };
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function cpuMsOr(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
}

/**
 * Every PostgreSQL process: the backends of our database ("ours"), the server's own processes — postmaster,
 * checkpointer, WAL writer… — ("background", shared with whatever else uses this server), and other databases'
 * backends ("other", left out: the server is shared on this machine).
 */
function pgProcesses(database: string): Map<number, [number, 'ours' | 'background' | 'other']> {
  const out = new Map<number, [number, 'ours' | 'background' | 'other']>();
  if (!database) return out;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (readOr(`/proc/${pid}/comm`).trim() !== 'postgres') continue;
    const cmd = readOr(`/proc/${pid}/cmdline`).replace(/\0/g, ' ').trim();
    // A backend's title: "postgres: 15/main: <user> <database> <host>(<port>) <state>".
    const m = /^postgres: (?:[^:]+: )?(\S+) (\S+) \S+\(\d+\)/.exec(cmd) ?? /^postgres: (?:[^:]+: )?(\S+) (\S+) \[local\]/.exec(cmd);
    const cls = m ? (m[2] === database ? 'ours' : 'other') : 'background';
    out.set(pid, [cpuMsOr(pid), cls]);
  }
  return out;
}

function natsPid(): number {
  try {
    return Number(execFileSync('pgrep', ['-o', '-x', 'nats-server'], { encoding: 'utf8' }).trim()) || 0;
  } catch {
    return 0;
  }
}

/** CPU ms of a process and its children (nginx's workers). */
function treeCpuMs(pid: number): number {
  if (!pid) return 0;
  let ms = cpuMsOr(pid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOr(`/proc/${entry}/stat`);
    // Field 4, after "pid (comm) state".
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) ms += cpuMsOr(Number(entry));
  }
  return ms;
}

function snapshot(cluster: Cluster, gen: Generator, database: string, nats: number): CpuSnapshot {
  return {
    at: performance.now(),
    nodes: cluster.nodes.map((n) => (n.pid ? cpuMsOr(n.pid) : 0)),
    pg: pgProcesses(database),
    nats: nats ? cpuMsOr(nats) : 0,
    nginx: cfg.via === 'nginx' ? treeCpuMs(cluster.nginxPid) : 0,
    generator: cpuMsOr(gen.pid),
    self: cpuMsOr(process.pid),
    machine: machineCpu(),
  };
}

interface CpuDelta {
  seconds: number;
  nodesMs: number[];
  pgOursMs: number;
  pgBackgroundMs: number;
  pgOtherMs: number;
  natsMs: number;
  nginxMs: number;
  generatorMs: number;
  machineBusyPct: number;
  /** Machine CPU not accounted for by the processes above or this orchestrator (other work on the machine), ms. */
  unaccountedMs: number;
}

function delta(a: CpuSnapshot, b: CpuSnapshot): CpuDelta {
  const pg = { ours: 0, background: 0, other: 0 };
  // A process that started in the window counts from 0; one that ended in it is lost (none should).
  for (const [pid, [ms, cls]] of b.pg) pg[cls] += ms - (a.pg.get(pid)?.[0] ?? 0);
  const nodesMs = b.nodes.map((ms, i) => ms - (a.nodes[i] ?? 0));
  const natsMs = b.nats - a.nats;
  const nginxMs = b.nginx - a.nginx;
  const generatorMs = b.generator - a.generator;
  const machineMs = ((b.machine.busy - a.machine.busy) * 1000) / CLK_TCK;
  const known = nodesMs.reduce((x, y) => x + y, 0) + pg.ours + pg.background + pg.other + natsMs + nginxMs + generatorMs + (b.self - a.self);
  return {
    seconds: (b.at - a.at) / 1000,
    nodesMs,
    pgOursMs: pg.ours,
    pgBackgroundMs: pg.background,
    pgOtherMs: pg.other,
    natsMs,
    nginxMs,
    generatorMs,
    machineBusyPct: (100 * (b.machine.busy - a.machine.busy)) / (b.machine.total - a.machine.total),
    unaccountedMs: Math.max(0, machineMs - known),
  };
}

/** Runs one generator command, taking CPU snapshots at its window marks. */
async function measured<T>(gen: Generator, cluster: Cluster, database: string, command: Parameters<Generator['call']>[0], timeoutMs: number): Promise<{ result: T; cpu: CpuDelta | null }> {
  const nats = cluster.natsUrl ? natsPid() : 0;
  let start: CpuSnapshot | null = null;
  let cpu: CpuDelta | null = null;
  const result = await gen.call<T>(command, timeoutMs, (mark) => {
    if (mark === 'window-start') start = snapshot(cluster, gen, database, nats);
    else if (mark === 'window-end' && start) cpu = delta(start, snapshot(cluster, gen, database, nats));
  });
  return { result, cpu };
}

// --- the phases

interface ThroughputFigures {
  pairs: number;
  seconds: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  acked: number;
  errors: number;
  firstError: string | null;
  /** Acknowledged but never delivered, after the drain. */
  lost: number;
  perSecond: [number, number][];
  cpu: CpuDelta;
  /** The same processes over 2 s without traffic, just before. */
  idle: CpuDelta;
  /** CPU ms per 1,000 acknowledged messages. */
  perK: { nodes: number; pg: number; pgBackground: number; nats: number; generator: number };
}

interface LatencyFigures {
  rate: number;
  pairs: number;
  seconds: number;
  scheduled: number;
  acked: number;
  delivered: number;
  errors: number;
  /** Deliveries whose seq was not the previous one's + 1 on the recipient's connection. */
  outOfOrder: number;
  fromSend: Percentiles;
  fromSchedule: Percentiles;
  sendLag: Percentiles;
  keptUp: boolean;
  why: string;
}

interface GroupFigures {
  members: number;
  online: number;
  messages: number;
  allDelivered: Percentiles;
  incomplete: number;
  perDelivery: Percentiles;
  missing: number;
  errors: number;
  firstError: string | null;
  setupSeconds: number;
}

interface RoomFigures {
  members: number;
  joined: number;
  rate: number;
  seconds: number;
  acked: number;
  refused: number;
  errors: number;
  firstError: string | null;
  latency: Percentiles;
  allDelivered: Percentiles;
  expected: number;
  delivered: number;
  missing: number;
  skippedByServer: number;
  outOfOrder: number;
  joinSeconds: number;
}

interface KillFigures {
  pairs: number;
  seconds: number;
  sent: number;
  acked: number;
  present: number;
  ackedMissing: number;
  /** Present in the database without an ack (the ack was lost with the node). */
  presentUnacked: number;
  errors: number;
  reconnected: number;
  disconnected: number;
  /** From the kill until the last cut-off client was connected again, ms; and per client p50/max. */
  reconnectAllMs: number;
  reconnect: Percentiles;
}

interface SetupFigures {
  setup: string;
  name: string;
  nodes: number;
  via: string;
  users: number;
  provisionSeconds: number;
  throughput: ThroughputFigures;
  latency: LatencyFigures;
  group: GroupFigures | null;
  room: RoomFigures | null;
  kill: KillFigures | null;
  nodeErrors: number;
  firstNodeError: string | null;
}

function pairsFrom(users: BenchUser[], offset: number, count: number): Pair[] {
  return Array.from({ length: count }, (_, k) => ({ from: users[offset + 2 * k]!, to: users[offset + 2 * k + 1]! }));
}

async function throughputPhase(gen: Generator, cluster: Cluster, database: string, urls: string | string[], users: BenchUser[]): Promise<ThroughputFigures> {
  const pairs = pairsFrom(users, 0, cfg.pairs);
  console.log(`  [1] throughput: ${pairs.length} pairs, ${cfg.window} sends outstanding each, ${cfg.warmup} s warm-up + ${cfg.seconds} s measured`);
  // What the processes spend with no traffic (timers, NATS and pool keep-alives, other databases' share of the
  // PostgreSQL server processes), over 2 s: the per-message figures below include it.
  const nats = cluster.natsUrl ? natsPid() : 0;
  const i0 = snapshot(cluster, gen, database, nats);
  await sleep(2000);
  const idle = delta(i0, snapshot(cluster, gen, database, nats));
  const idlePct = (ms: number) => fmt((100 * ms) / (idle.seconds * 1000), 1);
  console.log(
    `      idle CPU before it (100% = one core): node(s) ${idle.nodesMs.map(idlePct).join(' + ')}%, PostgreSQL ${idlePct(idle.pgOursMs + idle.pgBackgroundMs)}%, NATS ${nats ? `${idlePct(idle.natsMs)}%` : '-'}`,
  );
  const { result: r, cpu } = await measured<ThroughputResult>(
    gen,
    cluster,
    database,
    { cmd: 'throughput', url: urls, pairs, window: cfg.window, warmupMs: cfg.warmup * 1000, measureMs: cfg.seconds * 1000, tag: `tp${Date.now().toString(36)}` },
    (cfg.warmup + cfg.seconds) * 1000 + 120_000,
  );
  if (!cpu) throw new Error('the generator never marked its measuring window');
  const c: CpuDelta = cpu;
  const seconds = r.measureMs / 1000;
  const perK = (ms: number) => (1000 * ms) / r.ackedInWindow;
  const nodesMs = c.nodesMs.reduce((a, b) => a + b, 0);
  const f: ThroughputFigures = {
    pairs: pairs.length,
    seconds,
    ackedPerSec: r.ackedInWindow / seconds,
    deliveredPerSec: r.deliveredInWindow / seconds,
    acked: r.ackedInWindow,
    errors: r.errors,
    firstError: r.firstError,
    lost: r.ackedTotal - r.deliveredTotal,
    perSecond: r.perSecond,
    cpu: c,
    idle,
    perK: { nodes: perK(nodesMs), pg: perK(c.pgOursMs + c.pgBackgroundMs), pgBackground: perK(c.pgBackgroundMs), nats: perK(c.natsMs), generator: perK(c.generatorMs) },
  };
  console.log(`      per second (acked/delivered): ${r.perSecond.map(([a, d]) => `${a}/${d}`).join(' ')}`);
  console.log(
    `      acked ${fmt(f.ackedPerSec)} msg/s, delivered ${fmt(f.deliveredPerSec)} msg/s; errors ${f.errors}, acked but undelivered after drain ${f.lost}` +
      (f.firstError ? `; first error: ${f.firstError}` : ''),
  );
  const pct = (ms: number) => fmt((100 * ms) / (c.seconds * 1000));
  console.log(
    `      CPU over ${fmt(c.seconds, 1)} s (100% = one core): node(s) ${c.nodesMs.map(pct).join(' + ')}%, PostgreSQL ${pct(c.pgOursMs)}% (our backends) + ${pct(c.pgBackgroundMs)}% (server processes), ` +
      `NATS ${cluster.natsUrl ? `${pct(c.natsMs)}%` : '-'}, ${cluster.nginxPid && cfg.via === 'nginx' ? `nginx ${pct(c.nginxMs)}%, ` : ''}generator ${pct(c.generatorMs)}%; machine ${fmt(c.machineBusyPct)}% busy, other work ${pct(c.unaccountedMs)}%` +
      (c.pgOtherMs > 0 ? ` (other databases' backends ${pct(c.pgOtherMs)}%, not counted)` : ''),
  );
  console.log(
    `      CPU ms per 1,000 messages: node(s) ${fmt(f.perK.nodes, 1)}, PostgreSQL ${database ? fmt(f.perK.pg, 1) : '-'}${database ? ` (of it server processes ${fmt(f.perK.pgBackground, 1)})` : ''}, ` +
      `NATS ${cluster.natsUrl ? fmt(f.perK.nats, 1) : '-'}, generator ${fmt(f.perK.generator, 1)}`,
  );
  return f;
}

async function latencyPhase(gen: Generator, urls: string | string[], users: BenchUser[]): Promise<LatencyFigures> {
  const pairs = pairsFrom(users, 2 * cfg.pairs, cfg.latPairs);
  console.log(`  [2] latency: ${fmt(cfg.rate)} msg/s offered (open loop) over ${pairs.length} pairs, ${cfg.warmup} s warm-up + ${cfg.seconds} s measured`);
  const r = await gen.call<LatencyResult>(
    { cmd: 'latency', url: urls, pairs, rate: cfg.rate, warmupMs: cfg.warmup * 1000, measureMs: cfg.seconds * 1000, tag: `lat${Date.now().toString(36)}` },
    (cfg.warmup + cfg.seconds) * 1000 + 120_000,
  );
  // Kept up: every scheduled message acknowledged and delivered, no standing queue (p99 from the schedule under
  // a second) and the generator itself on schedule (else the figures are the generator's).
  const reasons: string[] = [];
  if (r.acked < r.scheduled) reasons.push(`${r.scheduled - r.acked} not acknowledged`);
  if (r.delivered < r.scheduled) reasons.push(`${r.scheduled - r.delivered} not delivered`);
  if (!(val(r.deliverFromSchedule.p99) < 1000)) reasons.push(`p99 from the schedule ${fmt(r.deliverFromSchedule.p99)} ms (a queue built up)`);
  if (!(val(r.sendLag.p99) < 100)) reasons.push(`the generator sent up to ${fmt(r.sendLag.p99)} ms late (p99)`);
  const f: LatencyFigures = {
    rate: cfg.rate,
    pairs: pairs.length,
    seconds: cfg.seconds,
    scheduled: r.scheduled,
    acked: r.acked,
    delivered: r.delivered,
    errors: r.errors,
    outOfOrder: r.outOfOrder,
    fromSend: r.deliverFromSend,
    fromSchedule: r.deliverFromSchedule,
    sendLag: r.sendLag,
    keptUp: reasons.length === 0,
    why: reasons.join('; '),
  };
  const r1 = (x: number | null) => fmt(x, 1);
  console.log(`      per second, p50/p99/max ms: ${r.perSecond.map(([a, b, c]) => `${r1(a)}/${r1(b)}/${r1(c)}`).join(' ')}`);
  console.log(
    `      send → delivered p50 ${fmt(f.fromSend.p50, 1)} ms, p99 ${fmt(f.fromSend.p99, 1)} ms (from the schedule p99 ${fmt(f.fromSchedule.p99, 1)} ms); ` +
      `delivered ${fmt(f.delivered)}/${fmt(f.scheduled)}, errors ${f.errors}, out of seq order ${f.outOfOrder}; kept up: ${f.keptUp ? 'yes' : `no (${f.why})`}` +
      (r.firstError ? `; first error: ${r.firstError}` : ''),
  );
  return f;
}

async function groupPhase(gen: Generator, urls: string | string[], users: BenchUser[]): Promise<GroupFigures> {
  const owner = users[0]!;
  const online = users.slice(1, cfg.groupMembers);
  console.log(`  [3] group: ${fmt(online.length + 1)} members, all online and spread over the nodes; ${cfg.groupMessages} messages from the owner, 200 ms apart`);
  const r = await gen.call<GroupResult>(
    { cmd: 'group', url: urls, owner, members: online.map((u) => u.userId), online, messages: cfg.groupMessages, gapMs: 200, tag: `grp${Date.now().toString(36)}` },
    cfg.groupMessages * 16_000 + 300_000,
  );
  const complete = r.allDelivered.map(val).filter((x) => !Number.isNaN(x));
  const f: GroupFigures = {
    members: r.members,
    online: r.online,
    messages: r.allDelivered.length,
    allDelivered: percentiles(complete),
    incomplete: r.allDelivered.length - complete.length,
    perDelivery: r.perDelivery,
    missing: r.missing,
    errors: r.errors,
    firstError: r.firstError,
    setupSeconds: r.setupMs / 1000,
  };
  console.log(`      per message, ms until the last member had it: ${r.allDelivered.map((x) => fmt(x, 1)).join(' ')}`);
  console.log(
    `      send → last member p50 ${fmt(f.allDelivered.p50, 1)} ms, p99 ${fmt(f.allDelivered.p99, 1)} ms; single deliveries p99 ${fmt(f.perDelivery.p99, 1)} ms; ` +
      `missing ${f.missing}, errors ${f.errors}; setup ${fmt(f.setupSeconds, 1)} s` +
      (f.firstError ? `; first error: ${f.firstError}` : ''),
  );
  return f;
}

async function roomCounters(nodeUrls: string[]): Promise<number> {
  let skipped = 0;
  for (const url of nodeUrls) {
    try {
      const text = await (await fetch(`${url}/metrics`)).text();
      skipped += Number(/^parley_room_deliveries_skipped_total (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      // a node that is down has nothing to add
    }
  }
  return skipped;
}

async function roomPhase(gen: Generator, cluster: Cluster, urls: string | string[], users: BenchUser[]): Promise<RoomFigures> {
  const roomId = `bench-room-${Date.now().toString(36)}`;
  const created = await adminRequest(adminTargets(cluster)[0]!, '/v1/admin/rooms', { roomId, name: 'Bench room' });
  if (created.status !== 201) throw new Error(`creating the room: ${created.status} ${JSON.stringify(created.json)}`);
  const members = users.slice(0, cfg.roomMembers);
  console.log(`  [4] chatroom: ${fmt(members.length)} members spread over the nodes, ${fmt(cfg.roomRate)} msg/s from ${cfg.roomSenders} of them, ${cfg.warmup} s warm-up + ${cfg.seconds} s measured`);
  const nodeUrls = cluster.nodes.map((n) => n.url);
  const before = await roomCounters(nodeUrls);
  const r = await gen.call<RoomResult>(
    {
      cmd: 'room',
      url: urls,
      roomId,
      members,
      senders: cfg.roomSenders,
      rate: cfg.roomRate,
      warmupMs: cfg.warmup * 1000,
      measureMs: cfg.seconds * 1000,
      tag: `rm${Date.now().toString(36)}`,
    },
    (cfg.warmup + cfg.seconds) * 1000 + 300_000,
  );
  const f: RoomFigures = {
    members: r.members,
    joined: r.joined,
    rate: r.rate,
    seconds: r.measureMs / 1000,
    acked: r.acked,
    refused: r.refused,
    errors: r.errors,
    firstError: r.firstError,
    latency: r.latency,
    allDelivered: r.allDelivered,
    expected: r.expectedDeliveries,
    delivered: r.delivered,
    missing: r.missing,
    skippedByServer: (await roomCounters(nodeUrls)) - before,
    outOfOrder: r.outOfOrder,
    joinSeconds: r.joinMs / 1000,
  };
  console.log(
    `      ${fmt(f.joined)}/${fmt(f.members)} joined in ${fmt(f.joinSeconds, 1)} s; send → member p50 ${fmt(f.latency.p50, 1)} ms, p99 ${fmt(f.latency.p99, 1)} ms; ` +
      `send → last member p50 ${fmt(f.allDelivered.p50, 1)} ms, p99 ${fmt(f.allDelivered.p99, 1)} ms; ${fmt(f.delivered)}/${fmt(f.expected)} deliveries of ${fmt(f.acked)} acknowledged messages, ` +
      `${fmt(f.missing)} missing (${fmt(f.skippedByServer)} skipped by the servers for slow connections), ${f.refused} refused, ${f.errors} errors, ${f.outOfOrder} out of order` +
      (f.firstError ? `; first error: ${f.firstError}` : ''),
  );
  return f;
}

function adminTargets(cluster: Cluster): AdminTarget[] {
  return cluster.nodes.map((n) => ({ port: n.port, appKey: APP_KEY, appSecret: APP_SECRET, agent }));
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

// --- the kill run

/**
 * Private chats through nginx with clients that reconnect on their own; node `victim` gets SIGKILL halfway. Then
 * every acknowledged clientMsgId is looked up in the database.
 */
async function killPhase(cluster: Cluster, users: BenchUser[], victim: number): Promise<KillFigures> {
  const url = `${cluster.url.replace(/^http/, 'ws')}/v1/ws`;
  const pairs = pairsFrom(users, 0, cfg.killPairs);
  const seconds = Math.max(4, cfg.seconds);
  console.log(`  [7] kill: ${pairs.length} pairs through nginx, 1 send outstanding each, ${seconds} s; node ${victim} gets SIGKILL after ${fmt(seconds / 2, 1)} s`);
  const tag = `kill${Date.now().toString(36)}`;
  const acked = new Set<string>();
  const sent = new Set<string>();
  let errors = 0;
  let running = true;
  let killedAt = Infinity;
  const reconnectMs: number[] = [];
  let disconnected = 0;

  interface Client {
    ws: WebSocket | null;
    up: boolean;
  }
  const connect = (user: BenchUser, device: string, onUp: (ws: WebSocket) => void, onFrame: (f: { type: string; id?: number; ok?: boolean; ev?: string }) => void): Client => {
    const client: Client = { ws: null, up: false };
    const attempt = () => {
      if (!running) return;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      client.ws = ws;
      ws.on('error', () => undefined);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'req', id: 1, op: 'hello', body: { token: user.token, device: { id: device, platform: 'bench', app: 'cluster-bench' }, protocol: 1 } })));
      ws.on('message', (data) => {
        const f = JSON.parse(String(data)) as { type: string; id?: number; ok?: boolean; ev?: string };
        if (f.type === 'res' && f.id === 1) {
          if (!f.ok) return ws.close();
          const wasDown = client.up === false && Number.isFinite(killedAt) && killedAt < performance.now();
          client.up = true;
          if (wasDown) reconnectMs.push(performance.now() - killedAt);
          onUp(ws);
          return;
        }
        onFrame(f);
      });
      ws.on('close', () => {
        if (client.up && running) disconnected++;
        client.up = false;
        if (running) setTimeout(attempt, 100 + Math.random() * 200);
      });
    };
    attempt();
    return client;
  };

  const clients: Client[] = [];
  pairs.forEach((pair, s) => {
    const convId = privateConvId(pair.from.userId, pair.to.userId);
    clients.push(connect(pair.to, 'kill', () => undefined, () => undefined));
    let n = 0;
    let pending = new Map<number, string>();
    let reqId = 1;
    const sendNext = (ws: WebSocket) => {
      if (!running) return;
      const cmid = `${tag}-${s}-${n++}`;
      const id = ++reqId;
      pending.set(id, cmid);
      sent.add(cmid);
      ws.send(JSON.stringify({ type: 'req', id, op: 'send', body: { convId, clientMsgId: cmid, kind: 'text', body: { text: `kill run ${cmid}` } } }));
    };
    let current: WebSocket | null = null;
    const sender = connect(
      pair.from,
      'kill',
      (ws) => {
        // A fresh connection: what was outstanding on the old one is neither acked nor retried (it may be stored).
        pending = new Map();
        current = ws;
        sendNext(ws);
      },
      (f) => {
        if (f.type !== 'res' || f.id === undefined) return;
        const cmid = pending.get(f.id);
        if (cmid === undefined) return;
        pending.delete(f.id);
        if (f.ok) acked.add(cmid);
        else errors++;
        if (current) sendNext(current);
      },
    );
    clients.push(sender);
  });

  const t0 = performance.now();
  while (clients.some((c) => !c.up) && performance.now() - t0 < 30_000) await sleep(50);
  await sleep((seconds / 2) * 1000);
  killedAt = performance.now();
  await cluster.nodes[victim - 1]!.kill('SIGKILL');
  await sleep((seconds / 2) * 1000);
  // Give the cut-off clients the time to come back before stopping (bounded).
  const until = performance.now() + 20_000;
  while (clients.some((c) => !c.up) && performance.now() < until) await sleep(50);
  const reconnectAllMs = clients.every((c) => c.up) ? Math.max(0, ...reconnectMs) : NaN;
  // Let the last answers arrive, then stop.
  await sleep(1000);
  running = false;
  for (const c of clients) c.ws?.close();

  const db = new pg.Client({ connectionString: cluster.databaseUrl });
  await db.connect();
  let present: Set<string>;
  try {
    const res = await db.query<{ client_msg_id: string }>('SELECT client_msg_id FROM messages WHERE client_msg_id LIKE $1', [`${tag}-%`]);
    present = new Set(res.rows.map((r) => r.client_msg_id));
  } finally {
    await db.end();
  }
  let ackedMissing = 0;
  for (const id of acked) if (!present.has(id)) ackedMissing++;
  let presentUnacked = 0;
  for (const id of present) if (!acked.has(id)) presentUnacked++;
  const f: KillFigures = {
    pairs: pairs.length,
    seconds,
    sent: sent.size,
    acked: acked.size,
    present: present.size,
    ackedMissing,
    presentUnacked,
    errors,
    reconnected: reconnectMs.length,
    disconnected,
    reconnectAllMs,
    reconnect: percentiles(reconnectMs),
  };
  console.log(
    `      sent ${fmt(f.sent)}, acknowledged ${fmt(f.acked)}, in the database ${fmt(f.present)}: acknowledged but missing ${f.ackedMissing}, stored without an ack ${f.presentUnacked}, errors ${f.errors}; ` +
      `${f.disconnected} connections cut, ${f.reconnected} back: reconnect p50 ${fmt(f.reconnect.p50)} ms, all back after ${fmt(f.reconnectAllMs)} ms`,
  );
  return f;
}

// --- a setup

async function runSetup(setup: string, gen: Generator): Promise<SetupFigures> {
  const name = SETUP_NAMES[setup]!;
  const isCluster = setup === 'cluster';
  console.log(`\n${name}`);
  let firstNodeError: string | null = null;
  let nodeErrors = 0;
  const cluster = await startCluster({
    nodes: isCluster ? cfg.nodes : 1,
    storage: setup === 'sqlite' ? 'sqlite' : 'postgres',
    nats: isCluster,
    balancer: isCluster,
    env: nodeEnv(),
    onNodeLog: (node, line) => {
      if (!/"level":(50|60)/.test(line)) return;
      nodeErrors++;
      firstNodeError ??= `node ${node}: ${line.slice(0, 300)}`;
    },
  });
  try {
    const database = cluster.databaseUrl ? new URL(cluster.databaseUrl).pathname.slice(1) : '';
    console.log(
      `  started: ${cluster.nodes.map((n) => `node ${n.index} pid ${n.pid}`).join(', ')}${cluster.nginxPid ? `, nginx pid ${cluster.nginxPid} at ${cluster.url}` : ''}` +
        `${database ? `; database ${database}` : ''}${cluster.natsUrl ? `; NATS prefix ${cluster.natsPrefix}` : ''}`,
    );
    const via = isCluster && cfg.via === 'nginx' ? 'through nginx' : isCluster ? 'direct, round-robin over the nodes' : 'direct';
    const urls = isCluster && cfg.via === 'nginx' ? `${cluster.url.replace(/^http/, 'ws')}/v1/ws` : cluster.nodes.map((n) => `${n.url.replace(/^http/, 'ws')}/v1/ws`);
    const count = Math.max(2 * (cfg.pairs + cfg.latPairs), isCluster ? cfg.groupMembers : 0, isCluster ? cfg.roomMembers : 0, isCluster && cfg.kill ? 2 * cfg.killPairs : 0);
    const p0 = performance.now();
    const users = await provisionUsers(adminTargets(cluster), count, 16);
    const provisionSeconds = (performance.now() - p0) / 1000;
    console.log(`  provisioned ${fmt(count)} users and tokens in ${fmt(provisionSeconds, 1)} s; clients connect ${via}`);
    const throughput = await throughputPhase(gen, cluster, database, urls, users);
    await sleep(1000);
    const latency = await latencyPhase(gen, urls, users);
    let group: GroupFigures | null = null;
    let room: RoomFigures | null = null;
    let kill: KillFigures | null = null;
    if (isCluster) {
      await sleep(1000);
      group = await groupPhase(gen, urls, users);
      await sleep(1000);
      room = await roomPhase(gen, cluster, urls, users);
      if (cfg.kill) {
        await sleep(1000);
        kill = await killPhase(cluster, users, 2);
      }
    }
    return { setup, name, nodes: cluster.nodes.length, via, users: count, provisionSeconds, throughput, latency, group, room, kill, nodeErrors, firstNodeError };
  } finally {
    await cluster.stop();
  }
}

// --- the projection

interface Projection {
  lines: string[];
}

function projection(c: SetupFigures): Projection {
  const t = c.throughput;
  const nodeMs = t.perK.nodes / 1000;
  const pgMs = t.perK.pg / 1000;
  const natsMs = t.perK.nats / 1000;
  const lines: string[] = [
    `From (c), CPU per message: node(s) ${fmt(nodeMs, 3)} ms (all nodes together: a message's sender and recipient sit on different nodes), ` +
      `PostgreSQL ${fmt(pgMs, 3)} ms, NATS ${fmt(natsMs, 3)} ms. Capacity of a component = its cores × 1,000 ms/s ÷ its CPU ms per message, ` +
      `at 100% CPU; node machines have ${cfg.nodeCores} cores, PostgreSQL ${cfg.pgCores}, NATS ${cfg.natsCores}, each on its own machine.`,
  ];
  const pgCap = (cfg.pgCores * 1000) / pgMs;
  const natsCap = (cfg.natsCores * 1000) / natsMs;
  for (const n of [2, 4, 8]) {
    const nodeCap = (n * cfg.nodeCores * 1000) / nodeMs;
    const caps: [string, number][] = [
      ['the nodes', nodeCap],
      ['PostgreSQL', pgCap],
      ['NATS', natsCap],
    ];
    const [first, cap] = caps.reduce((a, b) => (b[1] < a[1] ? b : a));
    lines.push(
      `- ${n} machines: nodes ${n} × ${cfg.nodeCores} × 1,000 ÷ ${fmt(nodeMs, 3)} = ${fmt(nodeCap)} msg/s; PostgreSQL ${cfg.pgCores} × 1,000 ÷ ${fmt(pgMs, 3)} = ${fmt(pgCap)} msg/s; ` +
        `NATS ${cfg.natsCores} × 1,000 ÷ ${fmt(natsMs, 3)} = ${fmt(natsCap)} msg/s → ${first} saturate${first === 'the nodes' ? '' : 's'} first, at ≈${fmt(cap)} msg/s.`,
    );
  }
  const node8 = (8 * cfg.nodeCores * 1000) / nodeMs;
  const pgCoresFor8 = (node8 * pgMs) / 1000;
  const natsCoresFor8 = (node8 * natsMs) / 1000;
  lines.push(
    `- Past it: for 8 node machines (${fmt(node8)} msg/s) PostgreSQL needs ${fmt(node8, 0)} × ${fmt(pgMs, 3)} ÷ 1,000 = ${fmt(pgCoresFor8, 1)} cores and NATS ${fmt(natsCoresFor8, 1)} cores. ` +
      'The next step past one PostgreSQL machine is a bigger one (every commit of the cluster goes to the one primary; its CPU per message falls as commits grow larger under load), ' +
      'then splitting the message store across several primaries (e.g. by conversation); NATS carries only live events and can be clustered.',
  );
  lines.push(
    '- Caveats: measured on one shared machine where nodes, PostgreSQL, NATS and the generator compete for the same cores; the node figure includes crossing NATS for every message ' +
      '(in a real cluster only the share whose recipient is on another node does); PostgreSQL CPU per message depends on how many messages each commit carries, which grows with load.',
  );
  return { lines };
}

// --- output

function render(results: SetupFigures[], date: string, info: ReturnType<typeof machine>, revision: string): string {
  const lines: string[] = [
    `Run ${date} at ${revision} on ${info.cpu}, ${info.cores} cores, ${fmt(info.ramGiB, 1)} GiB, Node ${info.node}${quick ? ' — **quick run (--quick), small sizes: not the recorded figures**' : ''}. ` +
      `The built server (dist/server/cli.js) with PARLEY_DURABILITY=full; PostgreSQL 15, NATS and nginx on the same machine; one load-generator process (bench/server-load.ts) on it too. ` +
      `Clients connect ${cfg.via === 'nginx' ? 'to (c) through nginx' : 'directly to the nodes, round-robin per connection (a pair\'s sender and recipient on different nodes, so every private message of (c) crosses NATS)'}.`,
    '',
    '| Setup | Throughput acked / delivered (msg/s) | Latency at offered rate: p50 / p99 (ms) | Kept up | CPU ms per 1,000 msg: node(s) / PostgreSQL / NATS |',
    '|---|---|---|---|---|',
  ];
  for (const r of results) {
    const t = r.throughput;
    const l = r.latency;
    lines.push(
      `| ${r.name} | ${fmt(t.ackedPerSec)} / ${fmt(t.deliveredPerSec)} | ${fmt(l.rate)} msg/s: ${fmt(l.fromSend.p50, 1)} / ${fmt(l.fromSend.p99, 1)} | ${l.keptUp ? 'yes' : `no (${l.why})`} | ` +
        `${fmt(t.perK.nodes, 1)} / ${r.setup === 'sqlite' ? '-' : fmt(t.perK.pg, 1)} / ${r.setup === 'cluster' ? fmt(t.perK.nats, 1) : '-'} |`,
    );
  }
  const c = results.find((r) => r.setup === 'cluster');
  if (c?.group || c?.room) {
    lines.push('', `Fan-out in (c), members spread over the ${c.nodes} nodes:`, '', '| Figure | Send → last member p50 / p99 (ms) | Missing |', '|---|---|---|');
    if (c.group) {
      const g = c.group;
      lines.push(`| Group of ${fmt(g.members)}, ${fmt(g.online)} online, ${g.messages} messages 200 ms apart | ${fmt(g.allDelivered.p50, 1)} / ${fmt(g.allDelivered.p99, 1)} | ${fmt(g.missing)}${g.errors ? `, ${g.errors} send errors` : ''} |`);
    }
    if (c.room) {
      const m = c.room;
      lines.push(
        `| Chatroom of ${fmt(m.joined)} joined, ${fmt(m.rate)} msg/s for ${fmt(m.seconds)} s (single deliveries p50 / p99 ${fmt(m.latency.p50, 1)} / ${fmt(m.latency.p99, 1)} ms) | ` +
          `${fmt(m.allDelivered.p50, 1)} / ${fmt(m.allDelivered.p99, 1)} | ${fmt(m.missing)} of ${fmt(m.expected)} (${fmt(m.skippedByServer)} skipped by the servers for slow connections; ${m.refused} sends refused; ${fmt(m.outOfOrder)} deliveries out of seq order) |`,
      );
    }
  }
  if (c?.kill) {
    const k = c.kill;
    lines.push(
      '',
      `Node 2 killed (SIGKILL) halfway through ${fmt(k.seconds)} s of private chats through nginx (${k.pairs} pairs, clients reconnect by themselves): ${fmt(k.acked)} acknowledged, ` +
        `${fmt(k.present)} in the database, ${k.ackedMissing} acknowledged but missing${k.ackedMissing === 0 ? ' (met)' : ' (**not met**)'}, ${k.presentUnacked} stored without an ack; ` +
        `${k.disconnected} connections cut, all back ${fmt(k.reconnectAllMs)} ms after the kill (per client p50 ${fmt(k.reconnect.p50)} ms).`,
    );
  }
  lines.push('', '#### Method', '');
  for (const r of results) {
    const t = r.throughput;
    const cpu = t.cpu;
    const pct = (ms: number) => fmt((100 * ms) / (cpu.seconds * 1000));
    lines.push(
      `- **${r.name}**: ${fmt(r.users)} users provisioned with the admin API (${fmt(r.provisionSeconds, 1)} s). Throughput: ${t.pairs} pairs, ${cfg.window} sends outstanding each, ` +
        `${cfg.warmup} s warm-up + ${fmt(t.seconds, 1)} s measured; errors ${t.errors}, acknowledged but undelivered ${t.lost}. CPU over the window (100% = one core): node(s) ${cpu.nodesMs.map(pct).join(' + ')}%, ` +
        `PostgreSQL ${pct(cpu.pgOursMs + cpu.pgBackgroundMs)}%, NATS ${r.setup === 'cluster' ? `${pct(cpu.natsMs)}%` : '-'}, generator ${pct(cpu.generatorMs)}%, other work on the machine ${pct(cpu.unaccountedMs)}% ` +
        `(idle just before: node(s) ${t.idle.nodesMs.map((ms) => fmt((100 * ms) / (t.idle.seconds * 1000), 1)).join(' + ')}%, PostgreSQL ${fmt((100 * (t.idle.pgOursMs + t.idle.pgBackgroundMs)) / (t.idle.seconds * 1000), 1)}%). ` +
        `Latency: ${fmt(r.latency.rate)} msg/s over ${r.latency.pairs} pairs, ${fmt(r.latency.delivered)}/${fmt(r.latency.scheduled)} delivered, ${fmt(r.latency.outOfOrder)} out of seq order.` +
        (r.nodeErrors ? ` Nodes logged ${r.nodeErrors} errors (first: ${r.firstNodeError?.slice(0, 160)}).` : ''),
    );
  }
  lines.push(
    '- CPU time is utime + stime from /proc/<pid>/stat (clock ticks of 1/' +
      `${CLK_TCK} s) before and after the throughput window: each node process; PostgreSQL = the backends of the run's database plus the server's own processes ` +
      '(postmaster, checkpointer, WAL writer…, shared with other databases on this server); other databases\' backends are left out; NATS = the nats-server process (shared: other ' +
      'clusters\' traffic on it counts too).',
  );
  if (c) lines.push('', '#### Projection', '', ...projection(c).lines);
  return lines.join('\n');
}

// --- main

async function main(): Promise<void> {
  const info = machine();
  const date = execFileSync('date', { encoding: 'utf8' }).trim();
  const head = headCommit();
  const revision = head ? `\`${head}\`${hasChanges(['server', 'protocol', 'bench', 'scripts']) ? ' (+ uncommitted changes)' : ''}` : 'an unknown revision';
  console.log(`Parley cluster bench — ${date}; ${info.cpu}, ${info.cores} cores, Node ${info.node}${quick ? '; quick run' : ''}`);

  const fd = fdLimits();
  const needed = Math.max(cfg.setups.includes('cluster') ? cfg.roomMembers + cfg.groupMembers : 0, 2 * (cfg.pairs + cfg.latPairs)) + 1000;
  let fdLimit: number | null = null;
  if (fd.soft < needed) {
    if (fd.hard < needed) {
      throw new Error(`the open-file limit is too low: ${needed} descriptors needed (room and group members are WebSockets of this machine), hard limit ${fd.hard}; raise it (ulimit -Hn) or pass smaller --room-members/--group-members`);
    }
    fdLimit = Math.min(fd.hard, 65_536);
  }
  console.log(`fd limits: soft ${fd.soft}, hard ${fd.hard}${fdLimit ? `; the generator runs with ulimit -n ${fdLimit}` : ''}`);

  ensureBuiltServer((l) => console.log(l));
  const gen = startGenerator(0, fdLimit, null);
  const results: SetupFigures[] = [];
  try {
    for (const setup of cfg.setups) results.push(await runSetup(setup, gen));
  } finally {
    await gen.call({ cmd: 'exit' }, 10_000).catch(() => undefined);
    agent.destroy();
  }

  const body = render(results, date, info, revision);
  console.log(`\n${SECTION_TITLE}\n\n${body}`);
  if (cfg.write) {
    replaceSection(SECTION_TITLE, body, cfg.benchmarksFile);
    console.log(`\nwrote the "${SECTION_TITLE}" section of ${cfg.benchmarksFile}`);
  }
}

const deadline = setTimeout(
  () => {
    console.error('bench: still running after 20 min; giving up');
    process.exit(1);
  },
  20 * 60_000,
);
deadline.unref();

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
