/**
 * `npm run bench:accounts`: what several signed-in accounts cost the app core. A real server runs as a child
 * process; one ClientCore (real SQLite stores, real connections) in this process signs in to 1, then 4 accounts,
 * each holding conversations and messages synced from the server. Measured:
 *
 * - memory per additional account: RSS and V8 heap after GC with 1 account and with 4, the difference / 3;
 * - switching: `accounts.switch` then `conversations.list` through the IPC dispatcher (argument validation
 *   included), until the new account's conversation list is in hand, p50/p95 over many switches.
 *
 * Prints the figures; `--write` records them as the "## Several accounts" section of BENCHMARKS.md.
 * Run with `node --expose-gc` (the npm script does) so the memory is read after a full collection.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ClientCore } from '../main/src/core/client-core.js';
import { createDispatcher } from '../main/src/ipc/dispatcher.js';
import { adminRequest, machine, readyPort, type AdminTarget } from './bench-procs.js';
import { hasChanges, headCommit, replaceSection } from './benchmarks-file.js';
import { benchText, percentiles, privateConvId } from './server-common.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECTION = '## Several accounts (npm run bench:accounts)';
const ACCOUNTS = 4;
const CONVERSATIONS = Number(process.env.ACCOUNTS_BENCH_CONVERSATIONS ?? 30);
const MESSAGES = Number(process.env.ACCOUNTS_BENCH_MESSAGES ?? 40);
const SWITCHES = Number(process.env.ACCOUNTS_BENCH_SWITCHES ?? 200);
const PASSWORD = 'bench password 123';
const MiB = 1024 * 1024;
/** Aims: memory per extra signed-in account, and a switch until the list is available. */
const MEMORY_AIM_MIB = 30;
const SWITCH_AIM_MS = 150;
const write = process.argv.includes('--write');

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('accounts bench: run with node --expose-gc (npm run bench:accounts does)');
  process.exit(2);
}

const deadline = setTimeout(() => {
  console.error('accounts bench: deadline passed, giving up');
  process.exit(1);
}, 10 * 60_000);

async function register(url: string, userId: string): Promise<void> {
  const res = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, password: PASSWORD, name: `Name of ${userId}` }),
  });
  if (res.status !== 201) throw new Error(`register ${userId}: ${res.status}`);
}

/** Runs `jobs` with at most `width` in flight. */
async function pool(jobs: Array<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

async function until(predicate: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Full collections until the heap stops shrinking, then the process's RSS and V8 heap. */
async function settledMemory(): Promise<{ rss: number; heap: number }> {
  let heap = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i++) {
    gc!();
    await sleep(200);
    const now = process.memoryUsage().heapUsed;
    if (now >= heap * 0.99) break;
    heap = now;
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const serverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-accounts-bench-server-'));
  const clientDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-accounts-bench-client-'));
  const appKey = 'bench-app';
  const appSecret = 'bench-secret-0123456789abcdef';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', '--port', '0', '--data', serverDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      PARLEY_SEND_RATE: '0',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_PASSWORD_COST: '10',
      PARLEY_REGISTER_PER_IP_PER_HOUR: '0',
      PARLEY_HASH_QUEUE: '1000',
      PARLEY_APP_KEY: appKey,
      PARLEY_APP_SECRET: appSecret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let core: ClientCore | null = null;
  try {
    const port = await readyPort(child);
    const url = `http://127.0.0.1:${port}`;
    const admin: AdminTarget = { port, appKey, appSecret, agent: new http.Agent({ keepAlive: true, maxSockets: 16 }) };

    // Four accounts, each with CONVERSATIONS peers who wrote MESSAGES messages to it.
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `acct${i + 1}`);
    const peers = Array.from({ length: CONVERSATIONS }, (_, i) => `peer${String(i + 1).padStart(2, '0')}`);
    await pool([...accounts, ...peers].map((u) => () => register(url, u)), 8);
    const posts: Array<() => Promise<void>> = [];
    for (const account of accounts) {
      for (const peer of peers) {
        const convId = privateConvId(account, peer);
        for (let n = 0; n < MESSAGES; n++) {
          posts.push(async () => {
            const res = await adminRequest(admin, '/v1/admin/messages', { from: peer, convId, kind: 'text', body: { text: benchText(n) } });
            if (res.status >= 300) throw new Error(`admin message: ${res.status} ${JSON.stringify(res.json)}`);
          });
        }
      }
    }
    const seeded = Date.now();
    await pool(posts, 16);
    console.log(`seeded ${posts.length} messages (${ACCOUNTS} accounts × ${CONVERSATIONS} conversations × ${MESSAGES}) in ${fmt((Date.now() - seeded) / 1000)} s`);

    core = new ClientCore({ dataDir: clientDir, platform: 'bench', appVersion: 'bench' });
    core.start();
    const dispatcher = createDispatcher(core.handlers);
    const ctx = { transport: 'host' as const, clientId: 'bench' };
    const call = async (method: string, arg: unknown) => {
      const result = await dispatcher.dispatch(method, arg, ctx);
      if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
      return result.value;
    };
    const c = core;
    /** Signs in and waits until the account holds every conversation up to its last message. */
    const signIn = async (userId: string) => {
      await call('auth.login', { serverUrl: url, userId, password: PASSWORD });
      const account = c.current!;
      await until(() => {
        const list = account.store.listConversations();
        return list.length === CONVERSATIONS && list.every((x) => x.lastSeq === MESSAGES && x.readSeq === 0 && account.store.listMessages(x.convId, { limit: 1 })[0]?.seq === MESSAGES);
      }, `${userId} caught up`);
    };

    const empty = await settledMemory();
    await signIn(accounts[0]!);
    const one = await settledMemory();
    for (const userId of accounts.slice(1)) await signIn(userId);
    await until(() => c.accounts().every((a) => a.conn.online), 'all online');
    const four = await settledMemory();
    const perAccount = { rss: (four.rss - one.rss) / (ACCOUNTS - 1), heap: (four.heap - one.heap) / (ACCOUNTS - 1) };

    // Switching, round robin, each until the new account's list is in hand.
    const { accounts: views } = (await call('accounts.list', {})) as { accounts: Array<{ key: string }> };
    const times: number[] = [];
    for (let i = 0; i < SWITCHES; i++) {
      const key = views[i % views.length]!.key;
      const t0 = performance.now();
      await call('accounts.switch', { key });
      const { conversations } = (await call('conversations.list', {})) as { conversations: unknown[] };
      times.push(performance.now() - t0);
      if (conversations.length !== CONVERSATIONS) throw new Error(`switched to ${key}: ${conversations.length} conversations`);
    }
    const p = { ...percentiles(times), p95: quantile(times, 0.95) };

    const lines = [
      `memory, 0 / 1 / ${ACCOUNTS} accounts (RSS): ${fmt(empty.rss / MiB)} / ${fmt(one.rss / MiB)} / ${fmt(four.rss / MiB)} MiB; V8 heap ${fmt(empty.heap / MiB)} / ${fmt(one.heap / MiB)} / ${fmt(four.heap / MiB)} MiB`,
      `per additional account: RSS ${fmt(perAccount.rss / MiB)} MiB, V8 heap ${fmt(perAccount.heap / MiB)} MiB (aim ≤ ${MEMORY_AIM_MIB} MiB)`,
      `switch + conversations.list (${SWITCHES} switches): p50 ${fmt(p.p50, 2)} ms, p95 ${fmt(p.p95, 2)} ms, max ${fmt(p.max, 2)} ms (aim ≤ ${SWITCH_AIM_MS} ms to the list painted)`,
    ];
    for (const line of lines) console.log(line);

    if (write) {
      const m = machine();
      const head = headCommit();
      const revision = head === null ? 'an unknown revision' : `\`${head}\`${hasChanges(['main', 'preload', 'bench']) ? ' (+ uncommitted changes)' : ''}`;
      const met = (ok: boolean) => (ok ? 'met' : 'not met');
      const body = [
        `Measured ${new Date().toISOString().slice(0, 10)} at ${revision} on ${m.cpu}, ${m.cores} cores, ${fmt(m.ramGiB)} GiB RAM, Node ${m.node}, ${m.kernel}; load average ${os.loadavg()[0]?.toFixed(1)} at the end; a machine shared with other work.`,
        '',
        `Method: a server child process on loopback; one ClientCore in the bench process (real SQLite stores, real connections) signs in to ${ACCOUNTS} accounts one after another, each holding ${CONVERSATIONS} private conversations of ${MESSAGES} messages synced from the server (${CONVERSATIONS * MESSAGES} messages per account). Memory is read after full collections (\`node --expose-gc\`) with 1 account and with ${ACCOUNTS}; the difference over ${ACCOUNTS - 1} is the cost of each additional account (its SQLite connection and page cache, the checkpoint worker, its connection, sync engine and outbox). A switch is timed through the IPC dispatcher (argument validation included): \`accounts.switch\`, then \`conversations.list\` answered for the new account, ${SWITCHES} switches round robin. The renderer's paint of the list comes on top (see "Chat UI").`,
        '',
        '| figure | value | aim |',
        '|---|---|---|',
        `| RSS with 0 / 1 / ${ACCOUNTS} accounts signed in | ${fmt(empty.rss / MiB)} / ${fmt(one.rss / MiB)} / ${fmt(four.rss / MiB)} MiB | — |`,
        `| V8 heap with 0 / 1 / ${ACCOUNTS} accounts | ${fmt(empty.heap / MiB)} / ${fmt(one.heap / MiB)} / ${fmt(four.heap / MiB)} MiB | — |`,
        `| memory per additional account, RSS (heap) | ${fmt(perAccount.rss / MiB)} MiB (${fmt(perAccount.heap / MiB)} MiB) | ≤ ${MEMORY_AIM_MIB} MiB (${met(perAccount.rss <= MEMORY_AIM_MIB * MiB)}) |`,
        `| switch until the conversation list is available, p50 / p95 / max | ${fmt(p.p50, 2)} / ${fmt(p.p95, 2)} / ${fmt(p.max, 2)} ms | ≤ ${SWITCH_AIM_MS} ms to the list painted (core part ${met(p.p95 <= SWITCH_AIM_MS)}) |`,
      ].join('\n');
      replaceSection(SECTION, body);
      console.log(`recorded in BENCHMARKS.md (${SECTION})`);
    }
  } finally {
    await core?.stop();
    child.kill('SIGTERM');
    clearTimeout(deadline);
    fs.rmSync(serverDir, { recursive: true, force: true });
    fs.rmSync(clientDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`accounts bench: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
